"""Lesson 3: exception reference cycles.

An order service loads an order; loading fails and raises AppError. Each
entry point below is one request: it calls a loader that holds a 5 MB
Payload in a local, the loader raises, the entry point handles the error.

Leaky, each makes a reference cycle through a frame on the traceback:

    leaky_local()         the loader binds the exception: exc = ...; raise exc
    leaky_handler_copy()  the handler copies it: err = e
    leaky_self_append()   the handler stores it: self.errors.append(e)

Safe, no cycle:

    safe_except_as()      the handler binds it with `except AppError as e`
    fixed_unbound()       the loader raises it without binding it
    fixed_del()           the loader binds it, then: try: raise / finally: del
    fixed_tbexc()         the handler keeps a TracebackException, not e,
                          and the report outlives the call (kept_reports)

Every exception is recorded with a weak reference, `last_error`: it keeps
nothing alive, and last_error() tells whether the exception still exists.

exclab's scenario (scenario.lua) calls these and watches last_error().
Run this file with plain Python to get the same figures from tracemalloc:

    /usr/bin/python3.11 scenarios/03-cycles/cycles.py [N]

It prints one "key value" pair per line (N, calls in the GC-count batch,
defaults to 20):

    python.version           the interpreter
    payload                  bytes of the Payload each loader holds
    gc.threshold0            the GC's generation-0 threshold
    local.alive              after one leaky_local(): does the exception live?
    local.on_cycle           is it on a cycle (through the loader's frame)?
    local.heap_growth        traced bytes kept after that one call
    collect.unreachable      what that gc.collect() found
    collect.alive            after it
    collect.heap_change      traced bytes it gave back (negative)
    observed.holds           seed 002's check, f_locals['exc'] is e
    observed.unreachable     what gc.collect() found after it (one more:
                             the f_locals dict, up to 3.12)
    threshold.count          gc0 right after a gc.collect()
    threshold.lists          new empty lists until the GC ran by itself
    threshold.passed_at      their sum: threshold0 + 1 up to 3.11
    count.n                  leaky_local() calls with the GC left alone
    count.heap_growth        traced bytes kept after them
    count.gc0_growth         how far they moved the generation-0 count
    count.gc_runs            collections that ran meanwhile
    count.collect_heap_change  what gc.collect() gave back afterwards
    gcrun.requests           leaky_local() requests until the GC ran by
                             itself (measured with a 1 KB payload)
    VARIANT.alive            right after one call of each other variant
    VARIANT.heap_growth      traced bytes kept by that call
    VARIANT.on_cycle         and whether it is on a cycle
    (VARIANT: unbound, del, except_as, handler_copy, self_append, tbexc;
     each is collected after it is measured)

The steps run in the same order as the scenario's, so each figure is
comparable with the matching step (tests/accuracy/check_cycles.py does
the comparison).
"""
import sys
import traceback
import weakref

if __name__ == "__main__":
    # Trace from before the workload exists, as exclab's heap gauge does.
    import tracemalloc
    tracemalloc.start()


PAYLOAD = 5 * 1000 * 1000  # bytes (5 MB, as exclab counts)


class AppError(Exception):
    """Our error. Exception subclasses accept weak references."""


class Payload:
    """What a request holds while it runs: think "the parsed order"."""

    def __init__(self):
        self.data = b"x" * PAYLOAD


# The observable: a weak reference to the newest exception. It does not
# keep the exception alive; last_error() is None once it has been freed.
last_error = None


def remember(exc):
    """Record exc with a weak reference, and hand it back unchanged."""
    global last_error
    last_error = weakref.ref(exc)
    return exc


# Loaders: each holds a payload and raises.

def load_order_bound(order_id):
    payload = Payload()
    exc = AppError(f"order {order_id} not found")
    remember(exc)
    raise exc                   # the frame keeps `exc`: a cycle


def load_order(order_id):
    payload = Payload()
    raise remember(AppError(f"order {order_id} not found"))  # not bound


def load_order_del(order_id):
    payload = Payload()
    exc = AppError(f"order {order_id} not found")
    remember(exc)
    try:
        raise exc
    finally:
        del exc                 # gone before the frame is finished


# Handlers, one request each.

def leaky_local():
    try:
        load_order_bound(7)
    except AppError:
        return "failed"


def fixed_unbound():
    try:
        load_order(7)
    except AppError:
        return "failed"


def fixed_del():
    try:
        load_order_del(7)
    except AppError:
        return "failed"


def safe_except_as():
    try:
        load_order(7)
    except AppError as e:       # Python deletes `e` when the block ends
        return f"failed: {e}"


def leaky_handler_copy():
    err = None
    try:
        load_order(7)
    except AppError as e:
        err = e                 # outlives the block: a cycle
    return "failed" if err else "ok"


class OrderBatch:
    """Runs requests and keeps their errors for a report."""

    def __init__(self):
        self.errors = []

    def run(self):
        try:
            load_order(7)
        except AppError as e:
            self.errors.append(e)   # the frame holds self: a cycle

    def run_fixed(self):
        try:
            load_order(7)
        except AppError as e:
            self.errors.append(
                traceback.TracebackException.from_exception(e))


def leaky_self_append():
    # The batch is reachable only from run()'s frame: garbage after the call.
    OrderBatch().run()


def warm_up_reports():
    """Make one TracebackException and drop it. The first one in a process
    imports what it needs (since 3.13, linecache imports tokenize on first
    use: ~200 KB of code and names); paid here, once, so that fixed_tbexc()
    measures the report it keeps, not the import."""
    try:
        load_order(7)
    except AppError as e:
        traceback.TracebackException.from_exception(e)


# Reports kept for later: what fixed_tbexc() keeps of each error.
kept_reports = []


def fixed_tbexc():
    batch = OrderBatch()
    batch.run_fixed()
    kept_reports.extend(batch.errors)  # outlives the call, on purpose


def observed_local():
    """Seed 002's check, in a handler: the raising frame's local `exc` is
    the exception being handled. Reading f_locals is what changes things:
    on 3.11 it copies the frame's locals into a dict kept on the frame."""
    try:
        load_order_bound(7)
    except AppError as e:
        return e.__traceback__.tb_next.tb_frame.f_locals["exc"] is e


def local_is_exception():
    """The same fact, read without f_locals: is the newest exception among
    the objects the raising frame refers to (its locals, read in place)?"""
    import gc
    exc = last_error()
    frame = exc.__traceback__.tb_next.tb_frame
    found = any(obj is exc for obj in gc.get_referents(frame))
    del exc, frame
    return found


# Empty lists, kept: containers that weigh almost nothing.
kept_lists = []


def grow(n):
    """Make n new empty lists and keep them."""
    for _ in range(n):
        kept_lists.append([])


def drop():
    kept_lists.clear()


def gc_count():
    """The generation-0 count, exactly. gc.get_count() makes a tuple; the
    first call after a collection takes that tuple from no free list, and
    freeing it parks it in one, so the count stays one up. The second call
    reuses it and reads the count as it now is."""
    import gc
    gc.get_count()
    return gc.get_count()[0]


def fresh_count():
    """Drop the lists, collect, and return the count the collection left."""
    import gc
    drop()
    gc.collect()
    return gc_count()


def lists_until_gc(limit=100_000):
    """From a fresh collection, make new empty lists one at a time until
    the collector starts by itself. Returns [the count before the first
    list, lists made, the one whose allocation started it included]."""
    import gc
    started = []

    def note(phase, info):
        if phase == "start":
            started.append(len(kept_lists))

    count = fresh_count()
    gc.callbacks.append(note)   # appending makes no container
    try:
        while not started and len(kept_lists) < limit:
            kept_lists.append([])
    finally:
        gc.callbacks.remove(note)
        drop()
    return [count, started[0] + 1 if started else None]


def requests_until_gc():
    """Make leaky_local() requests until the GC runs on its own; return how
    many it took. The payload is shrunk to 1 KB meanwhile: bytes are not
    containers, so their size does not change the count, and this stays
    cheap on any Python (about 100 requests on 3.11 and 3.12, 300 on 3.13,
    88 on 3.8 to 3.10, where each request counts one container more: the
    Payload's __dict__).
    """
    global PAYLOAD
    import gc
    started = []

    def note(phase, info):
        if phase == "start":
            started.append(info["generation"])

    saved, PAYLOAD = PAYLOAD, 1000
    gc.collect()                # count from zero
    gc.callbacks.append(note)
    try:
        n = 0
        while not started and n < 100_000:  # a request that leaks nothing
            leaky_local()                   # would never start the GC
            n += 1
    finally:
        gc.callbacks.remove(note)
        PAYLOAD = saved
    gc.collect()                # free what the last requests left
    return n


def alive():
    """Does the newest recorded exception still exist?"""
    return last_error is not None and last_error() is not None


def on_cycle():
    """Is the newest exception reachable from itself? Follows exactly what
    gc.get_referents reports, as exclab's graph does. Call it only while
    no frame of this file is running (it would find the running one)."""
    import gc
    exc = last_error() if last_error is not None else None
    if exc is None:
        return False
    seen = set()
    todo = list(gc.get_referents(exc))
    found = False
    while todo and not found:
        obj = todo.pop()
        if obj is exc:
            found = True
        elif id(obj) not in seen and gc.is_tracked(obj) and not isinstance(
                obj, (type, type(sys))) and obj is not globals():
            seen.add(id(obj))
            todo.extend(gc.get_referents(obj))
    del exc, todo, seen
    return found


def _main(n):
    import gc

    def heap():
        return tracemalloc.get_traced_memory()[0]

    def out(key, value):
        print(key, value)

    def once(fn):
        """One call; what the heap kept."""
        before = heap()
        fn()
        return heap() - before

    v = sys.version_info
    out("python.version", f"{v.major}.{v.minor}.{v.micro}")
    out("payload", PAYLOAD)
    out("gc.threshold0", gc.get_threshold()[0])

    # Step: one leaky call. Start from a fresh count, as the scenario does.
    # Called from here, not through once(): the caller's frame, kept by
    # f_back, is then this running one, not one more piece of garbage.
    gc.collect()
    before = heap()
    leaky_local()
    grown = heap() - before
    out("local.alive", alive())
    out("local.on_cycle", on_cycle())
    out("local.heap_growth", grown)

    # Step: collect.
    before = heap()
    found = gc.collect()
    out("collect.unreachable", found)
    out("collect.alive", alive())
    out("collect.heap_change", heap() - before)

    # Step: seed 002's assertion, through f_locals, on a request of its own.
    out("observed.holds", observed_local())
    out("observed.unreachable", gc.collect())

    # Step: empty lists until the collector runs by itself.
    count, made = lists_until_gc()
    out("threshold.count", count)
    out("threshold.lists", made)
    out("threshold.passed_at", count + made)
    gc.collect()

    # Step: N leaky calls, the GC left alone.
    runs = []
    gc.callbacks.append(lambda phase, info: phase == "stop" and runs.append(1))
    before, count = heap(), gc.get_count()[0]
    for _ in range(n):
        leaky_local()
    out("count.n", n)
    out("count.heap_growth", heap() - before)
    out("count.gc0_growth", gc.get_count()[0] - count)
    out("count.gc_runs", len(runs))
    gc.callbacks.pop()
    before = heap()
    gc.collect()
    out("count.collect_heap_change", heap() - before)
    out("gcrun.requests", requests_until_gc())

    # Steps: the fixes at the raise site, then the handler variants.
    warm_up_reports()
    for name, fn in [("unbound", fixed_unbound),
                     ("del", fixed_del),
                     ("except_as", safe_except_as),
                     ("handler_copy", leaky_handler_copy),
                     ("self_append", leaky_self_append),
                     ("tbexc", fixed_tbexc)]:
        grown = once(fn)
        out(f"{name}.alive", alive())
        out(f"{name}.on_cycle", on_cycle())
        out(f"{name}.heap_growth", grown)
        gc.collect()


if __name__ == "__main__":
    _main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
