"""Lesson 5: case studies. Four patterns from real programs, each with its
leak and its fix (the fifth, a negative cache, is the exercise:
exercise/negcache.py).

    Case 1, a retry loop:
      retry_keep_last()   keeps the last error in a local: a cycle
      retry_in_handler()  retries inside the except block: every try's
                          error hangs on the next one's __context__
      retry_flat()        the fix: retry after the block, keep nothing
    Case 2, a worker that stores the exception in a future:
      work()              fut.set_exception(e) with fut in the frame: a cycle
      work_fixed()        drops fut after storing, as CPython's own
                          concurrent.futures worker does (self = None)
    Case 3, a future re-raising its stored exception:
      read_job()          job.result(): the stored chain grows per call
      read_job_from()     raise a new exception `from` the stored one
      read_job_copy()     raise a copy that carries the stored traceback
      read_aio()          asyncio.Future.result(), for comparison
    Case 5, a log buffer:
      ring                keeps the last RING LogRecords, exc_info and all
      text_ring           keeps the last RING formatted messages
      queue_ring          LogRecords passed through QueueHandler.prepare()

exclab's scenario (scenario.lua) calls these and measures them. Run this
file with plain Python to get the same figures from tracemalloc:

    /usr/bin/python3.11 scenarios/05-cases/cases.py

It prints one "key value" pair per line, in the order of the scenario's
steps:

    python.version            the interpreter
    payload, request          bytes of the big local (cases 1, 2, 5) and
                              of each reader's local (case 3)
    keep_last.alive           after one retry_keep_last(): is the last
                              FetchError alive? (weak reference)
    keep_last.on_cycle        is it on a reference cycle?
    keep_last.heap_growth     traced bytes kept by that one call
    keep_last.collect_change  what gc.collect() then gave back (negative)
    in_handler.context_depth  __context__ links behind last_failure
    in_handler.payloads       payloads kept by last_failure
    in_handler.chain          last_failure's own traceback entries
    in_handler.during_handling  "During handling" lines in its printout
    flat.context_depth        the same three, retry_flat()
    flat.payloads
    flat.chain
    flat.alive                after retry_flat() under status_check():
    flat.heap_growth          anything kept?
    work.alive, work.on_cycle, work.heap_growth
    work_fixed.alive, work_fixed.heap_growth
    job.chain_before          the stored exception's entries before reads
    job.chain_after_N         after N read_job() calls
    job.frames_after_N        frames that chain keeps alive
    job.names                 the newest 3 entries' functions
    job.heap_growth_N         traced bytes kept by those N reads
    job.collect_unreachable   what gc.collect() then found
    job.collect_heap_change   and gave back
    job.chain_after_collect   the stored chain after it
    from.chain_after_N        job2's stored chain after N read_job_from()
    from.heap_growth_N
    copy.chain_after_N        job3's stored chain after N read_job_copy()
    copy.heap_growth_N
    aio.chain_first           asyncio.Future: the chain after one result()
    aio.chain_second          after two
    aio.chain_after_N         and after N
    ring.records, ring.orders, ring.frames, ring.heap_growth
    text_ring.frames, text_ring.heap_growth
    queue_ring.frames, queue_ring.heap_growth, queue_ring.has_traceback

Payloads are counted by a weak reference per payload: a payload is "kept"
while its weak reference still answers.
"""
import copy
import logging
import logging.handlers
import sys
import weakref
from collections import deque
from concurrent.futures import Future

if __name__ == "__main__":
    # Trace from before the workload exists, as exclab's heap gauge does.
    import tracemalloc
    tracemalloc.start()


PAYLOAD = 1000 * 1000   # bytes (1 MB, as exclab counts): a request's data
REQUEST = 100 * 1000    # bytes (100 KB): what each reader holds in case 3
TRIES = 5               # case 1: attempts before giving up
RING = 20               # case 5: records the log buffer keeps
N = 100                 # case 3: reads per batch


class Payload:
    """A request's data. Counted while alive, through a weak reference."""

    def __init__(self):
        self.data = b"x" * PAYLOAD
        _payloads.add(self)


# Every Payload ever made, weakly: it keeps none of them alive.
_payloads = weakref.WeakSet()


def payloads_kept_by(name):
    """How many payloads the global `name` keeps alive: the Payloads
    reachable from it, following what gc.get_referents reports (as
    exclab's graph does; module namespaces and classes are not followed)."""
    import gc
    root = globals()[name]
    mine = {id(p) for p in _payloads}
    seen, todo, found = set(), [root], 0
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if id(obj) in mine:
            found += 1
        if isinstance(obj, (type, type(sys))) or obj is globals():
            continue
        todo.extend(gc.get_referents(obj))
    del root, todo, seen
    return found


# The newest exception, through a weak reference (keeps nothing alive).
last_error = None


def remember(exc):
    global last_error
    last_error = weakref.ref(exc)
    return exc


def alive():
    return last_error is not None and last_error() is not None


# ---------------------------------------------------------------------
# Case 1: a retry loop.

class FetchError(Exception):
    pass


class GaveUp(Exception):
    pass


def fetch(key):
    reply = Payload()            # the half-read reply
    raise remember(FetchError(f"{key}: connection reset"))


def retry_keep_last(key):
    last_error = None
    for attempt in range(TRIES):
        try:
            return fetch(key)
        except FetchError as e:
            last_error = e           # outlives the block: a cycle
    raise GaveUp(f"{key}: {TRIES} tries") from last_error


def retry_in_handler(key, n=TRIES):
    try:
        return fetch(key)
    except FetchError:
        if n == 1:
            raise
        return retry_in_handler(key, n - 1)  # inside the handler


def retry_flat(key):
    for attempt in range(1, TRIES + 1):
        try:
            return fetch(key)
        except FetchError:
            if attempt == TRIES:
                raise
        # the next try starts here, after the block


def status_check(retry):
    """A health check: is the backend up? Keeps nothing."""
    try:
        retry("orders")
        return "up"
    except (FetchError, GaveUp):
        return "down"


last_failure = None   # shown on a status page


def status_page(retry):
    """The same check, keeping the last failure for a status page."""
    global last_failure
    try:
        retry("orders")
        return "up"
    except FetchError as e:
        last_failure = e
        return "down"


# The scenario's entry points: one request each.

def check_keep_last():
    return status_check(retry_keep_last)


def check_flat():
    return status_check(retry_flat)


def page_in_handler():
    return status_page(retry_in_handler)


def page_flat():
    return status_page(retry_flat)


def during_handling(exc):
    """How often exc's printed traceback says "During handling of the
    above exception": once per __context__ link."""
    import traceback
    text = "".join(traceback.format_exception(
        type(exc), exc, exc.__traceback__))
    return text.count("During handling of the above exception")


def context_depth(exc):
    """__context__ links behind exc."""
    n = 0
    while exc is not None and exc.__context__ is not None:
        n += 1
        exc = exc.__context__
    return n


# ---------------------------------------------------------------------
# Case 2: a worker that stores the exception in a future.

class JobError(Exception):
    pass


def process(job):
    rows = Payload()             # the job's input
    raise remember(JobError(f"job {job} failed"))


def work(job, fut):
    try:
        fut.set_result(process(job))
    except JobError as e:
        fut.set_exception(e)     # fut is a local of this frame: a cycle


def work_fixed(job, fut):
    try:
        fut.set_result(process(job))
    except JobError as e:
        fut.set_exception(e)
        fut = None               # as concurrent.futures' _WorkItem.run


def submit_and_forget(worker):
    """The caller stops waiting (a timeout, say) and drops the future."""
    worker(7, Future())


def forget_work():
    submit_and_forget(work)


def forget_work_fixed():
    submit_and_forget(work_fixed)


# ---------------------------------------------------------------------
# Case 3: a future re-raising its stored exception.

class JobFailed(Exception):
    pass


def failed_job(job):
    """A finished future holding the JobError its job raised."""
    fut = Future()
    work_fixed(job, fut)
    return fut


job = failed_job(1)    # read by read_job()
job2 = failed_job(2)   # read by read_job_from()
job3 = failed_job(3)   # read by read_job_copy()


def read_job():
    page = b"x" * REQUEST        # the reading request's own data
    try:
        return job.result()
    except JobError as e:
        return f"failed: {e}"


def job_result_from(fut):
    """fut.result(), raising a new exception from the stored one."""
    exc = fut.exception()
    if exc is not None:
        raise JobFailed(str(exc)) from exc
    return fut.result()


def read_job_from():
    page = b"x" * REQUEST
    try:
        return job_result_from(job2)
    except JobFailed as e:
        return f"failed: {e}"


def job_result_copy(fut):
    """fut.result(), raising a copy that carries the stored traceback."""
    exc = fut.exception()
    if exc is not None:
        raise copy.copy(exc).with_traceback(exc.__traceback__)
    return fut.result()


def read_job_copy():
    page = b"x" * REQUEST
    try:
        return job_result_copy(job3)
    except JobError as e:
        return f"failed: {e}"


# asyncio's Future, for comparison. It needs a loop only to be made.
aio_job = None


def make_aio_job():
    global aio_job
    import asyncio
    loop = asyncio.new_event_loop()
    aio_job = asyncio.Future(loop=loop)
    loop.close()                 # never run: result() needs no loop
    try:
        process(4)
    except JobError as e:
        aio_job.set_exception(e)


def read_aio():
    page = b"x" * REQUEST
    try:
        return aio_job.result()
    except JobError as e:
        return f"failed: {e}"


# ---------------------------------------------------------------------
# Case 5: a log buffer.

class RingHandler(logging.Handler):
    """Keeps the newest `size` records, for a debug page."""

    def __init__(self, size):
        super().__init__()
        self.records = deque(maxlen=size)

    def emit(self, record):
        self.records.append(record)  # exc_info and all


class TextRingHandler(RingHandler):
    def emit(self, record):
        self.records.append(self.format(record))  # text only


class Ring(deque):
    """A bounded queue for QueueHandler: put_nowait() appends."""
    put_nowait = deque.append


ring = RingHandler(RING)
text_ring = TextRingHandler(RING)
queue_ring = logging.handlers.QueueHandler(Ring(maxlen=RING))

log = logging.getLogger("exclab.orders")
log.propagate = False            # only our handlers see the records
log.setLevel(logging.INFO)


def use_handler(name):
    """Send the log to one of the three buffers."""
    for h in list(log.handlers):
        log.removeHandler(h)
    log.addHandler(globals()[name])


def load_order(n):
    order = Payload()            # the parsed order
    raise FetchError(f"order {n}: connection reset")


def handle_order(n):
    try:
        return load_order(n)
    except FetchError:
        log.exception("order %d failed", n)  # record.exc_info = (type, e, tb)
        return "503"


def warm_logging():
    """Format one traceback first: 3.11 imports what caret lines need
    the first time (about 250 KB), which would blur the first reading."""
    try:
        load_order(0)
    except FetchError:
        logging.Formatter().format(logging.LogRecord(
            "w", logging.ERROR, __file__, 0, "w", None, sys.exc_info()))


def ring_frames(handler):
    """Frames the buffer's records keep alive, through exc_info."""
    seen = set()
    for r in handler.records if hasattr(handler, "records") else handler.queue:
        info = getattr(r, "exc_info", None)
        tb = info[2] if info else None
        while tb is not None:
            seen.add(id(tb.tb_frame))
            tb = tb.tb_next
    return len(seen)


# ---------------------------------------------------------------------
# Helpers that read a chain without touching any frame's locals.

def chain_length(exc):
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
    and f_back (frames still running are left out)."""
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


def on_cycle():
    """Is the newest exception reachable from itself, following what
    gc.get_referents reports? Call it while no frame of this file that
    the exception's traceback holds is running."""
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


def _main():
    import gc

    def heap():
        return tracemalloc.get_traced_memory()[0]

    def out(key, value):
        print(key, value)

    v = sys.version_info
    out("python.version", f"{v.major}.{v.minor}.{v.micro}")
    out("payload", PAYLOAD)
    out("request", REQUEST)
    gc.collect()

    # Case 1.
    before = heap()
    status_check(retry_keep_last)
    out("keep_last.alive", alive())
    out("keep_last.on_cycle", on_cycle())
    out("keep_last.heap_growth", heap() - before)
    before = heap()
    gc.collect()
    out("keep_last.collect_change", heap() - before)

    status_page(retry_in_handler)
    out("in_handler.context_depth", context_depth(last_failure))
    out("in_handler.payloads", payloads_kept_by("last_failure"))
    out("in_handler.chain", chain_length(last_failure))
    out("in_handler.during_handling", during_handling(last_failure))

    status_page(retry_flat)
    out("flat.context_depth", context_depth(last_failure))
    out("flat.payloads", payloads_kept_by("last_failure"))
    out("flat.chain", chain_length(last_failure))
    before = heap()
    status_check(retry_flat)
    out("flat.alive", alive())
    out("flat.heap_growth", heap() - before)

    # Case 2.
    for name, worker in [("work", work), ("work_fixed", work_fixed)]:
        before = heap()
        submit_and_forget(worker)
        out(f"{name}.alive", alive())
        if name == "work":
            out(f"{name}.on_cycle", on_cycle())
        out(f"{name}.heap_growth", heap() - before)
        gc.collect()

    # Case 3. The loops are written out, so that the frame calling the
    # readers is still running when frames_kept() looks.
    out("job.chain_before", chain_length(job.exception()))
    before = heap()
    for _ in range(N):
        read_job()
    growth = heap() - before
    out(f"job.chain_after_{N}", chain_length(job.exception()))
    out(f"job.frames_after_{N}", frames_kept(job.exception()))
    out("job.names", ",".join(chain_names(job.exception(), 3)))
    out(f"job.heap_growth_{N}", growth)
    before = heap()
    out("job.collect_unreachable", gc.collect())
    out("job.collect_heap_change", heap() - before)
    out("job.chain_after_collect", chain_length(job.exception()))
    before = heap()
    for _ in range(N):
        read_job_from()
    out(f"from.chain_after_{N}", chain_length(job2.exception()))
    out(f"from.heap_growth_{N}", heap() - before)
    before = heap()
    for _ in range(N):
        read_job_copy()
    out(f"copy.chain_after_{N}", chain_length(job3.exception()))
    out(f"copy.heap_growth_{N}", heap() - before)
    make_aio_job()
    read_aio()
    out("aio.chain_first", chain_length(aio_job.exception()))
    read_aio()
    out("aio.chain_second", chain_length(aio_job.exception()))
    for _ in range(N - 2):
        read_aio()
    out(f"aio.chain_after_{N}", chain_length(aio_job.exception()))

    # Case 5.
    warm_logging()
    gc.collect()
    for name in ("ring", "text_ring", "queue_ring"):
        handler = globals()[name]
        use_handler(name)
        before = heap()
        for n in range(RING + 10):
            handle_order(n)
        if name == "ring":
            out("ring.records", len(handler.records))
            out("ring.orders", payloads_kept_by("ring"))
        out(f"{name}.frames", ring_frames(handler))
        out(f"{name}.heap_growth", heap() - before)
        if name == "queue_ring":
            out("queue_ring.has_traceback",
                "Traceback (most recent call last)" in handler.queue[-1].msg)
    use_handler("ring")
    ring.records.clear()


if __name__ == "__main__":
    _main()
