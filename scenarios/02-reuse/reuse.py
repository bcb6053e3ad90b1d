"""Lesson 1: reusing one exception instance.

A request handler looks a user up; the lookup fails and raises an error.
Three ways to raise it, one entry point each (one request = one raise,
caught one level up):

    raise_shared()  raises one shared instance, Errors.user_not_found
    raise_fresh()   raises a fresh instance from a factory
    raise_reset()   raises the shared instance after with_traceback(None)

exclab's scenario (scenario.lua) calls these N times and watches
Errors.user_not_found. Run this file with plain Python to get the same
figures from tracemalloc:

    /usr/bin/python3.11 scenarios/02-reuse/reuse.py [N]

It prints one "key value" pair per line (N defaults to 100):

    python.version             the interpreter
    n, payload                 raises per batch; bytes of the big local
    shared.chain_after_N       chain entries after N shared raises
    shared.frames_after_N      frames that chain keeps alive
    shared.heap_growth_N       traced bytes gained over those N raises
    shared.bytes_per_raise     that growth divided by N
    chain.names                the newest 4 chain entries, newest first
    more.chain_after_2N        chain after N more shared raises
    more.frames_after_2N       frames after them
    more.heap_growth_N         traced bytes gained over those N raises
    collect.unreachable        what gc.collect() found
    collect.heap_change        traced bytes it gave back (negative)
    collect.chain              the shared chain after it
    fresh.heap_growth_N        traced bytes gained over N fresh raises
    fresh.chain_in_handler     chain length the handler saw
    fresh.shared_chain         the shared chain, untouched
    reset.chain_after_N        chain after N with_traceback(None) raises
    reset.frames_after_N       frames that chain keeps alive
    reset.heap_above_start     traced bytes above the very first reading

The batches run in the same order as the scenario's steps, so each figure
is comparable with the matching step (tests/accuracy/check_reuse.py does
the comparison).
"""
import sys

if __name__ == "__main__":
    # Trace from before the workload exists, as exclab's heap gauge does:
    # then frees of workload objects are counted too.
    import tracemalloc
    tracemalloc.start()


PAYLOAD = 500 * 1000  # bytes (500 KB, as exclab counts): a big local


class CustomError(Exception):
    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


class Errors:
    # The pattern under study: one instance, made once, raised everywhere.
    user_not_found = CustomError("User not found", code=404)

    # The fix: a factory, so every raise gets a fresh instance.
    @staticmethod
    def user_not_found_fresh():
        return CustomError("User not found", code=404)


def lookup_user(user_id):
    payload = b"x" * PAYLOAD  # really allocated: think "a parsed request"
    raise Errors.user_not_found


def lookup_user_fresh(user_id):
    payload = b"x" * PAYLOAD
    raise Errors.user_not_found_fresh()


def lookup_user_reset(user_id):
    payload = b"x" * PAYLOAD
    raise Errors.user_not_found.with_traceback(None)


# The chain length the handler saw last. An int, so it keeps nothing alive.
chain_in_handler = 0


def handle_request(user_id, lookup=lookup_user):
    global chain_in_handler
    try:
        return lookup(user_id)
    except CustomError as e:
        # `e` is deleted when this block ends; only the shared instance,
        # which Errors still holds, outlives the request.
        chain_in_handler = chain_length(e)
        return e.code


# The entry points the scenario calls: one request, one raise, each.

def raise_shared():
    return handle_request(42)


def raise_fresh():
    return handle_request(42, lookup_user_fresh)


def raise_reset():
    return handle_request(42, lookup_user_reset)


# Helpers that read the chain without touching any frame's locals.

def chain_length(exc):
    """Entries in exc.__traceback__, following tb_next."""
    n = 0
    tb = exc.__traceback__
    while tb is not None:
        n += 1
        tb = tb.tb_next
    return n


def chain_names(exc, limit):
    """Function names of the first `limit` entries, newest first."""
    names = []
    tb = exc.__traceback__
    while tb is not None and len(names) < limit:
        names.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    return names


def frames_kept(exc):
    """Distinct finished frames the chain keeps alive, through tb_frame
    and f_back. Frames still running (this call's own stack) are left
    out: exclab samples when no Python code is running."""
    running = set()
    f = sys._getframe()
    while f is not None:
        running.add(id(f))
        f = f.f_back
    seen = set()
    tb = exc.__traceback__
    while tb is not None:
        f = tb.tb_frame
        while f is not None and id(f) not in seen and id(f) not in running:
            seen.add(id(f))
            f = f.f_back
        tb = tb.tb_next
    return len(seen)


def _main(n):
    import gc

    def heap():
        return tracemalloc.get_traced_memory()[0]

    def out(key, value):
        print(key, value)

    exc = Errors.user_not_found
    v = sys.version_info
    out("python.version", f"{v.major}.{v.minor}.{v.micro}")
    out("n", n)
    out("payload", PAYLOAD)

    start = heap()

    # Step: raise the shared instance N times.
    # The loops are written out here, not in a helper, so the frame that
    # calls raise_*() is still running when frames_kept() looks (exclab
    # calls them from C, with no Python frame below them).
    before = heap()
    for _ in range(n):
        raise_shared()
    growth = heap() - before
    out(f"shared.chain_after_{n}", chain_length(exc))
    out(f"shared.frames_after_{n}", frames_kept(exc))
    out(f"shared.heap_growth_{n}", growth)
    out("shared.bytes_per_raise", growth // n)

    # Step: read the chain.
    out("chain.names", ",".join(chain_names(exc, 4)))

    # Step: N more.
    before = heap()
    for _ in range(n):
        raise_shared()
    growth = heap() - before
    out(f"more.chain_after_{2 * n}", chain_length(exc))
    out(f"more.frames_after_{2 * n}", frames_kept(exc))
    out(f"more.heap_growth_{n}", growth)

    # Step: ask the cyclic GC.
    before = heap()
    found = gc.collect()
    out("collect.unreachable", found)
    out("collect.heap_change", heap() - before)
    out("collect.chain", chain_length(exc))

    # Step: a fresh instance per raise.
    before = heap()
    for _ in range(n):
        raise_fresh()
    growth = heap() - before
    out(f"fresh.heap_growth_{n}", growth)
    out("fresh.chain_in_handler", chain_in_handler)
    out("fresh.shared_chain", chain_length(exc))

    # Step: the shared instance, reset before each raise.
    for _ in range(n):
        raise_reset()
    out(f"reset.chain_after_{n}", chain_length(exc))
    out(f"reset.frames_after_{n}", frames_kept(exc))
    out("reset.heap_above_start", heap() - start)


if __name__ == "__main__":
    _main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
