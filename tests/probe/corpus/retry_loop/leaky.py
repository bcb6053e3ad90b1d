"""A client that retries a flaky call and remembers the last error, to raise
it if every attempt fails. Leak: `last_error` is a local of the frame the
error's traceback holds, so every call that failed at least once leaves a
reference cycle (with the 64 KB response buffer) for the collector."""


class FlakyService:
    def __init__(self):
        self.calls = 0

    def fetch(self, key):
        self.calls += 1
        response = bytearray(64 * 1024)  # what was read before the reset
        if self.calls % 3:
            raise ConnectionError(f"connection reset while reading {key}")  # probe: raise
        return bytes(response[:4])


def fetch_with_retry(service, key, attempts=3):
    last_error = None
    for attempt in range(attempts):
        try:
            return service.fetch(key)
        except ConnectionError as e:  # probe: except
            last_error = e
    raise last_error


service = FlakyService()
fetched = [fetch_with_retry(service, f"/items/{n}") for n in range(200)]
print(f"fetched {len(fetched)} items in {service.calls} calls")
