"""One exception instance, made once and raised by every failing request.

The demo for the slides (reuse.lua runs it in exclab). Run it with plain
python3 to see the same figures, measured with tracemalloc:

    python3 slides/demos/reuse.py
"""
import sys

PAYLOAD = 500 * 1000  # bytes each request has read when it fails (500 KB)


class NotFound(Exception):
    pass


# The pattern under study: one instance, raised everywhere.
NOT_FOUND = NotFound("user not found")


def find_user(user_id):
    row = b"x" * PAYLOAD  # really allocated: the half-read record
    raise NOT_FOUND


def find_user_fresh(user_id):
    row = b"x" * PAYLOAD
    raise NotFound("user not found")  # the fix: a new instance each time


def request(user_id=42):
    try:
        find_user(user_id)
    except NotFound:
        return 404


def request_fresh(user_id=42):
    try:
        find_user_fresh(user_id)
    except NotFound:
        return 404


def chain_length(exc):
    """Entries in exc.__traceback__, following tb_next."""
    n, tb = 0, exc.__traceback__
    while tb is not None:
        n, tb = n + 1, tb.tb_next
    return n


def _main():
    import gc
    import tracemalloc

    tracemalloc.start()

    def heap():
        return tracemalloc.get_traced_memory()[0]

    before = heap()
    for _ in range(100):
        request()
    print("shared.chain", chain_length(NOT_FOUND))
    print("shared.heap_growth", heap() - before)
    before = heap()
    print("collect.found", gc.collect())
    print("collect.heap_change", heap() - before)
    before = heap()
    for _ in range(100):
        request_fresh()
    print("fresh.heap_growth", heap() - before)


if __name__ == "__main__":
    sys.exit(_main())
