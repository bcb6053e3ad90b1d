"""A query helper, fixed: the report keeps the errors' text."""


class DatabaseError(Exception):
    pass


class Pool:
    def __init__(self):
        self.free = ["conn"]

    def get(self):
        return self.free.pop()

    def put(self, conn):
        self.free.append(conn)


pool = Pool()
failures = []


def query(conn, n):
    rows = bytearray(100_000)
    raise DatabaseError(f"deadlock on query {n}")


def handle(n):
    try:
        conn = pool.get()
        try:
            return query(conn, n)
        finally:
            pool.put(conn)
    except DatabaseError as e:
        failures.append(str(e))


for n in range(30):
    handle(n)
print(len(failures), "failed")
