"""A negative cache that re-raises the exception it cached.

The case study for the slides (cache.lua runs it in exclab). With plain
python3 it prints the same figures, measured with tracemalloc:

    python3 slides/demos/cache.py
"""
BODY = 100 * 1000  # bytes of each request's parsed body (100 KB)


class Missing(KeyError):
    pass


_misses = {}        # key -> the exception raised the first time
cached_miss = None  # that exception, for the gauges to follow


def load(key):
    raise Missing(key)  # the database has no such row


def lookup(key):
    if key in _misses:
        raise _misses[key]  # the cached instance, raised again
    try:
        return load(key)
    except Missing as e:
        global cached_miss
        _misses[key] = cached_miss = e
        raise


def handle(key="no-such-user"):
    body = b"x" * BODY  # the request being served
    try:
        return lookup(key)
    except Missing:
        return None


# The fix: cache the fact that the key is missing, raise a fresh error.
_missing = set()


def lookup_fixed(key):
    if key in _missing:
        raise Missing(key)
    try:
        return load(key)
    except Missing:
        _missing.add(key)
        raise


def handle_fixed(key="no-such-user"):
    body = b"x" * BODY
    try:
        return lookup_fixed(key)
    except Missing:
        return None


def chain_length(exc):
    n, tb = 0, exc.__traceback__
    while tb is not None:
        n, tb = n + 1, tb.tb_next
    return n


def _main():
    import tracemalloc

    tracemalloc.start()

    def heap():
        return tracemalloc.get_traced_memory()[0]

    before = heap()
    for _ in range(200):
        handle()
    print("cached.chain", chain_length(cached_miss))
    print("cached.heap_growth", heap() - before)
    before = heap()
    for _ in range(200):
        handle_fixed()
    print("fixed.heap_growth", heap() - before)


if __name__ == "__main__":
    _main()
