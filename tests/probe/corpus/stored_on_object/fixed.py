"""Connections, fixed: the health check gets the error's text."""


class Connection:
    def __init__(self, host):
        self.host = host
        self.last_error = None

    def send(self, size):
        frame = bytearray(size)
        raise BrokenPipeError(f"{self.host}: connection reset by peer")

    def request(self, size):
        try:
            return self.send(size)
        except BrokenPipeError as e:
            self.last_error = f"{type(e).__name__}: {e}"
            return None


pool = [Connection(f"db{n}") for n in range(20)]
for n in range(100):
    pool[n % len(pool)].request(50_000)
print(sum(1 for c in pool if c.last_error), "connections unhealthy")
