"""A query helper gives its connection back in a finally, and its caller
keeps the database errors for a report. Leak: the report keeps each
exception, with its traceback's frames and their 100 KB result sets. The
exception goes through the finally on its way to the except clause."""


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
    raise DatabaseError(f"deadlock on query {n}")  # probe: raise


def handle(n):
    try:
        conn = pool.get()
        try:
            return query(conn, n)
        finally:
            pool.put(conn)
    except DatabaseError as e:  # probe: except
        failures.append(e)


for n in range(30):
    handle(n)
print(len(failures), "failed")
