"""Exercise: a price service that leaks. Find the leak, then fix it.

The service looks prices up in a backend that sometimes fails; it
retries up to three times, and answers 503 when every attempt failed.
Under load its memory grows, but only on some requests.

Find out which requests leak and why, then fix it. Keep every response
and the stats exactly as they are: the clients and the dashboards read
them.

Run this file to measure first:

    python3.11 app_exercise.py

It prints the responses, the stats, and for each kind of request what
it leaves on the heap and for the collector. To find out why, use the
tools of lesson 6. They are in findleaks.py, in the course's
scenarios/06-finding folder, not next to this copy: copy it here and
import it, and call the tools under `if __name__ == "__main__":`, a block
exclab's check does not run. Or use gc and tracemalloc directly, as the
lesson shows.

exclab verifies your copy by running 200 requests: no growth, nothing
for gc.collect() to find, no chain that grows, same responses.
"""
import zlib

ATTEMPTS = 3
RESPONSE = zlib.compress(b"<" * 300_000)   # what the backend sends back

CATALOG = {"apple": 120, "pear": 95, "plum": 60}
KEYS = ("apple", "pear", "plum", "kiwi")   # ok, retried, gave up, missing
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
    # The responses and the stats, as the clients and dashboards see them.
    service = PriceService(Backend())
    for key in KEYS:
        status, text = service.handle(key)
        print(status, text)
    print(service.stats)

    # Measure first, with the standard library alone: for each kind of
    # request, what 20 of them leave on the heap, and what the collector
    # finds after them (it is switched off meanwhile, as exclab's check
    # does). A fixed copy shows about 0 everywhere.
    import gc
    import tracemalloc

    tracemalloc.start()
    for key in KEYS:
        service.handle(key)             # warm up: one-time costs
        gc.collect()
        gc.disable()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(20):
            service.handle(key)
        grown = tracemalloc.get_traced_memory()[0] - before
        found = gc.collect()
        gc.enable()
        print(f"{key:5}  heap {grown / 20 / 1000:+7.1f} KB per request;"
              f" then gc.collect() found {found} objects")
