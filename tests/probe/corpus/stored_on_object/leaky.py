"""Connections remember their last error for a health check. Leak: the
attribute keeps the exception, whose traceback keeps the send frame and its
50 KB frame buffer, for as long as the connection lives."""


class Connection:
    def __init__(self, host):
        self.host = host
        self.last_error = None

    def send(self, size):
        frame = bytearray(size)
        raise BrokenPipeError(f"{self.host}: connection reset by peer")  # probe: raise

    def request(self, size):
        try:
            return self.send(size)
        except BrokenPipeError as e:  # probe: except
            self.last_error = e
            return None


pool = [Connection(f"db{n}") for n in range(20)]
for n in range(100):
    pool[n % len(pool)].request(50_000)
print(sum(1 for c in pool if c.last_error), "connections unhealthy")
