"""Exercise: a negative cache. A WRONG fix (exclab check runs it: it must fail):
it stops caching misses, so every miss reaches the slow backend again.

Looking a user up is slow (think: a database query), so NegativeCache
remembers the answers, including "there is no such user": a miss is
cached too, so a second lookup of a missing key never reaches the slow
backend again.

It remembers a miss by keeping the NotFound the backend raised, and
raises that same instance on every later miss. Run this file and watch
what that instance keeps:

    python3.11 negcache.py

Fix NegativeCache so that nothing it keeps grows with the lookups,
without changing what it does:

- handle_request("ada") still returns "Ada Lovelace";
- cache.get("bob") still raises NotFound("no user 'bob'"), and
  handle_request("bob") returns "404 no user 'bob'";
- the backend is still asked only once per key.
"""

REQUEST_BYTES = 100 * 1000   # what each request holds while it runs


class NotFound(LookupError):
    pass


USERS = {"ada": "Ada Lovelace", "grace": "Grace Hopper"}
backend_calls = 0


def slow_backend(key):
    """The expensive lookup. Counts its calls."""
    global backend_calls
    backend_calls += 1
    if key not in USERS:
        raise NotFound(f"no user {key!r}")
    return USERS[key]


class NegativeCache:
    def __init__(self, backend):
        self.backend = backend
        self.found = {}      # key -> value
        self.missing = {}    # key -> the NotFound raised for it

    def get(self, key):
        if key in self.found:
            return self.found[key]
        value = self.backend(key)    # "fixed": misses are not cached
        self.found[key] = value
        return value


cache = NegativeCache(slow_backend)


def handle_request(key):
    request = b"x" * REQUEST_BYTES   # the request's own data
    try:
        return cache.get(key)
    except NotFound as e:
        return f"404 {e}"


if __name__ == "__main__":
    import tracemalloc
    tracemalloc.start()

    def tracebacks_kept():
        """Traceback entries the cache keeps, over all it holds."""
        n = 0
        for kept in list(cache.found.values()) + list(cache.missing.values()):
            tb = getattr(kept, "__traceback__", None)
            while tb is not None:
                n += 1
                tb = tb.tb_next
        return n

    def heap():
        return tracemalloc.get_traced_memory()[0]

    start = heap()
    print("answer.ada", handle_request("ada"))
    print("answer.bob", handle_request("bob"))
    lookups = 1
    for batch in range(3):
        for _ in range(100):
            handle_request("bob")
            handle_request("ada")
        lookups += 100
        print(f"misses_{lookups}.tracebacks_kept", tracebacks_kept())
        print(f"misses_{lookups}.heap_growth", heap() - start)
    print("backend_calls", backend_calls)
