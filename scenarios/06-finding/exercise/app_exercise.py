"""Exercise: a price service that leaks. Find the leak, then fix it.

The service looks prices up in a backend that sometimes fails; it
retries up to three times, and answers 503 when every attempt failed.
Under load its memory grows, but only on some requests.

Find out which requests leak and why, with the tools of lesson 6
(findleaks.py sits in the folder above this one), then fix it. Keep
every response and the stats exactly as they are: the clients and the
dashboards read them.

exclab verifies your copy by running 200 requests: no growth, nothing
for gc.collect() to find, no chain that grows, same responses. Run it
yourself with:

    /usr/bin/python3.11 app_exercise.py
"""
import zlib

ATTEMPTS = 3
RESPONSE = zlib.compress(b"<" * 300_000)   # what the backend sends back

CATALOG = {"apple": 120, "pear": 95, "plum": 60}
FLAKY = {"pear": 1, "plum": 9}   # attempts that fail before one succeeds


class BackendError(Exception):
    """One attempt failed."""


class Unavailable(Exception):
    """Every attempt failed."""


class Backend:
    def fetch(self, key, attempt):
        body = zlib.decompress(RESPONSE)    # the response, 300 KB
        if attempt <= FLAKY.get(key, 0):
            raise BackendError(f"{key}: truncated response (attempt {attempt})")
        return CATALOG[key]


class PriceService:
    def __init__(self, backend):
        self.backend = backend
        self.stats = {"ok": 0, "retried": 0, "failed": 0, "missing": 0}

    def fetch(self, key):
        last_error = None
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return self.backend.fetch(key, attempt)
            except BackendError as exc:
                last_error = exc
                self.stats["retried"] += 1
        raise Unavailable(f"{key}: gave up after {ATTEMPTS} attempts") from last_error

    def handle(self, key):
        """One request: (status, text)."""
        if key not in CATALOG:
            self.stats["missing"] += 1
            return 404, f"no price for {key}"
        try:
            price = self.fetch(key)
        except Unavailable as e:
            self.stats["failed"] += 1
            return 503, f"{e} (last: {e.__cause__})"
        self.stats["ok"] += 1
        return 200, f"{key}: {price} cents"


if __name__ == "__main__":
    service = PriceService(Backend())
    for key in ("apple", "pear", "plum", "kiwi"):
        status, text = service.handle(key)
        print(status, text)
    print(service.stats)
