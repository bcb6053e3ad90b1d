"""A retry loop: a flaky call fails two times in three; the client retries
with a fresh exception each time and keeps only the error's text.
usage: retry_loop.py [CALLS]"""
import sys
import time


class Flaky:
    def __init__(self):
        self.calls = 0

    def fetch(self, key):
        self.calls += 1
        response = [key] * 50
        if self.calls % 3:
            raise ConnectionError(f"reset while reading {key}")
        return response[0]


def fetch_with_retry(service, key, attempts=3):
    errors = []
    for attempt in range(attempts):
        try:
            return service.fetch(key)
        except ConnectionError as e:
            errors.append(str(e))
    raise RuntimeError("; ".join(errors))


def main(n):
    service = Flaky()
    t0 = time.perf_counter()
    got = [fetch_with_retry(service, k) for k in range(n)]
    print(f"seconds {time.perf_counter() - t0:.3f} calls {service.calls} got {len(got)}")


main(int(sys.argv[1]) if len(sys.argv) > 1 else 200000)
