"""The retrying client, fixed: the frame lets go of its last error before it
returns or raises, so no cycle is left behind."""


class FlakyService:
    def __init__(self):
        self.calls = 0

    def fetch(self, key):
        self.calls += 1
        response = bytearray(64 * 1024)  # what was read before the reset
        if self.calls % 3:
            raise ConnectionError(f"connection reset while reading {key}")
        return bytes(response[:4])


def fetch_with_retry(service, key, attempts=3):
    last_error = None
    try:
        for attempt in range(attempts):
            try:
                return service.fetch(key)
            except ConnectionError as e:
                last_error = e
        raise last_error
    finally:
        last_error = None  # the traceback holds this frame: it must not hold the error


service = FlakyService()
fetched = [fetch_with_retry(service, f"/items/{n}") for n in range(200)]
print(f"fetched {len(fetched)} items in {service.calls} calls")
