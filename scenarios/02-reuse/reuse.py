"""Lesson 2: reusing one exception instance.

A request handler looks a user up; the lookup fails and raises an error.
Three ways to raise it, one entry point each (one request = one raise,
caught one level up):

    raise_shared()  raises one shared instance, Errors.user_not_found
    raise_fresh()   raises a fresh instance from a factory
    raise_reset()   raises the shared instance after with_traceback(None)

and four more experiments on the shared instance:

    raise_from_db()   the database is down: the lookup catches the
                      ConnectionError and raises the (reset) shared
                      instance `from` it
    raise_noted()     a reset raise whose handler adds a note (3.11+)
    thread_pair(f)    two threads raise at once; reports what each handler
                      saw (f: the lookup, lookup_user or lookup_user_fresh)
    raise_in_loop(n)  the seed article's small demo: raise one instance
                      n times in a loop, caught in the same function

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
    chain.printed_names        the same, read from the printed traceback
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
    cause.type                 Errors.user_not_found.__cause__ after one
                               raise_from_db() and N raise_reset()
    cause.context              its __context__
    cause.heap_above_start     traced bytes above the very first reading
    cause.direct_cause         does the printed traceback claim a cause?
    notes.count_after_N        __notes__ after N raise_noted() (n/a < 3.11)
    threads.shared             what thread_pair() returns: for A, then B,
                               newest entry mine, entries seen, the other
                               thread's handler in them (1 = yes)
    threads.fresh              the same with a fresh instance per raise
    loop.chain_after_10000     loop_error's chain after 5 x 2000 raises
    loop.frames                frames that chain keeps alive
    loop.heap_growth           traced bytes gained over those raises
    loop.bytes_per_raise       that growth divided by 10000
    loop.traceback_size        sys.getsizeof() of one traceback object

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


# A stale cause. This lookup asks a database first; when the database is
# down, it raises the shared instance `from` the ConnectionError. It resets
# the instance with with_traceback(None) each time, so the chain stays short
# and what the cause keeps stands out.

def query_db(user_id):
    rows = b"x" * PAYLOAD  # the half-read result of the query
    raise ConnectionError("database down")


def lookup_user_db(user_id):
    try:
        return query_db(user_id)
    except ConnectionError as e:
        raise Errors.user_not_found.with_traceback(None) from e


# Two threads, one instance: a second shared error, raised only by them.
class Busy:
    service_busy = CustomError("Service busy", code=503)

    @staticmethod
    def service_busy_fresh():
        return CustomError("Service busy", code=503)


def lookup_busy(user_id):
    raise Busy.service_busy


def lookup_busy_fresh(user_id):
    raise Busy.service_busy_fresh()


# The seed article's small demo: one module-level instance, raised in a
# loop and caught in the same function.
class LoopError(Exception):
    pass


loop_error = LoopError()


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


def raise_from_db():
    return handle_request(42, lookup_user_db)


def handle_request_noted(user_id):
    try:
        return lookup_user_reset(user_id)
    except CustomError as e:
        e.add_note(f"looking up user {user_id}")  # Python 3.11+
        return e.code


def raise_noted():
    return handle_request_noted(42)


def thread_pair(fresh=False):
    """Threads A and B each make one request that fails. A catches its
    error, and waits in its handler while B raises and catches its own;
    then both read the exception they caught. Returns, for A then B:
    is the newest chain entry my own handler's frame (1/0), how many
    entries do I see, does the chain hold the other thread's handler (1/0).
    """
    import threading
    lookup = lookup_busy_fresh if fresh else lookup_busy
    a_caught, b_done = threading.Event(), threading.Event()
    handlers = {}   # each thread's handler frame, while it runs
    seen = {}

    def request(me, other, then):
        try:
            lookup(42)
        except CustomError as e:
            handlers[me] = sys._getframe()
            then()
            frames = []
            tb = e.__traceback__
            while tb is not None:
                frames.append(tb.tb_frame)
                tb = tb.tb_next
            seen[me] = [int(frames[0] is handlers[me]), len(frames),
                        int(any(f is handlers[other] for f in frames))]

    def a_then():
        a_caught.set()
        b_done.wait(10)     # B raises meanwhile

    a = threading.Thread(target=request, args=("A", "B", a_then))
    b = threading.Thread(target=request, args=("B", "A", b_done.set))
    a.start()
    a_caught.wait(10)
    b.start()
    a.join()
    b.join()
    handlers.clear()
    return seen["A"] + seen["B"]


def raise_in_loop(n):
    """Raise loop_error n times, each caught right here: one new entry per
    raise, and every entry refers to this one frame."""
    for _ in range(n):
        try:
            raise loop_error
        except LoopError:
            pass


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


def format_chain(exc, limit):
    """The first `limit` entries of exc's traceback, as Python prints them."""
    import traceback
    return "".join(traceback.format_tb(exc.__traceback__, limit=limit))


def cause_report(exc):
    """What printing exc would show, from the top: its cause, if any, then
    the line that joins them. Only the lines without indentation."""
    import traceback
    return [line for line in "".join(traceback.format_exception(
        type(exc), exc, exc.__traceback__)).splitlines()
            if line and not line.startswith(" ")]


def notes(exc):
    return len(getattr(exc, "__notes__", ()))


def _traceback_size():
    try:
        raise ValueError("size")
    except ValueError as e:
        return sys.getsizeof(e.__traceback__)


TB_SIZE = _traceback_size()  # bytes of one traceback object (56 on 64-bit)


def _warm_up():
    """Formatting a traceback the first time reads this file into linecache
    and, from 3.11, imports ast for the ^^^ marks: about 0.5 MB, once. Done
    here, when the file loads, so the heap readings of the steps show only
    what the exceptions keep."""
    try:
        raise ValueError("warm-up")
    except ValueError as e:
        format_chain(e, 1)


_warm_up()


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

    # Step: read the chain, and print it as Python would.
    out("chain.names", ",".join(chain_names(exc, 4)))
    printed = format_chain(exc, 4)
    out("chain.printed_names", ",".join(
        line.rsplit(" in ", 1)[1] for line in printed.splitlines()
        if line.startswith("  File ")))

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

    # Step: a stale cause. One request finds the database down; N plain
    # (reset) requests follow.
    raise_from_db()
    for _ in range(n):
        raise_reset()
    out("cause.type", type(exc.__cause__).__name__)
    out("cause.context", type(exc.__context__).__name__)
    out("cause.heap_above_start", heap() - start)
    out("cause.direct_cause", any("direct cause" in line for line in cause_report(exc)))

    # Step: notes (3.11+).
    if hasattr(exc, "add_note"):
        for _ in range(n):
            raise_noted()
        out(f"notes.count_after_{n}", notes(exc))
    else:
        out(f"notes.count_after_{n}", "n/a")

    # Step: two threads.
    out("threads.shared", ",".join(map(str, thread_pair())))
    out("threads.fresh", ",".join(map(str, thread_pair(fresh=True))))

    # Step: the seed article's loop, 5 batches of 2000 raises.
    before = heap()
    for _ in range(5):
        raise_in_loop(2000)
    grown = heap() - before
    out("loop.chain_after_10000", chain_length(loop_error))
    out("loop.frames", frames_kept(loop_error))
    out("loop.heap_growth", grown)
    out("loop.bytes_per_raise", grown // 10000)
    out("loop.traceback_size", TB_SIZE)


if __name__ == "__main__":
    _main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
