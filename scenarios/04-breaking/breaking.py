"""Lesson 4: breaking exception reference cycles.

Lesson 3 found the loops; this file takes them apart, one way per entry
point, and measures each way.

    request(variant)   outer() holds a Giant whose __del__ appends to
                       `events`; inner() raises LoadError. Variants:
                       "bound"   exc = LoadError(); raise exc   (a cycle)
                       "del"     try: raise exc / finally: del exc
                       "none"    try: raise exc / finally: exc = None
                       "unbound" raise LoadError(...)
    first_ok_del()     a retry loop with `finally: del err` whose first
                       attempt succeeds (del of an unbound name)
    Client(keep)       keeps a list of failures: the exceptions, their
                       TracebackExceptions, or formatted text
    keep_error(...)    keeps one exception in the global `kept`, for
                       traceback.clear_frames (with and without a read of
                       frame.f_locals first, as a debugger does)
    clear_in_handler() calls clear_frames inside its own except block
    refused(n)         n calls of socket.create_connection to a port that
                       refuses (loopback only)
    future_*()         concurrent.futures.Future.result() on a failed future,
                       and a copy of its __get_result without `self = None`

Every big object is a Payload (5 MB) or a Giant; `payloads` maps names to
weak references, so alive(name) tells whether one still exists without
keeping it.

exclab's scenario (scenario.lua) calls these. Run this file with plain
Python to get the same figures from tracemalloc:

    /usr/bin/python3.11 scenarios/04-breaking/breaking.py

It prints one "key value" pair per line:

    python.version               the interpreter
    VARIANT.events_before_gc     what happened by the time outer() returned
    VARIANT.collected            what gc.collect() found then
    VARIANT.events               all events, in order, after gc.collect()
    VARIANT.heap_growth          traced bytes kept right after the request
    first_ok_del.raises          what the retry loop with `del err` raised
    keep.KIND.heap_growth        traced bytes kept by 20 failures
    keep.KIND.bytes_each         the same, per failure
    keep.KIND.frames             frames reachable from the kept failures
    keep.KIND.collected          gc.collect() after dropping the client
    clear.plain.alive            payload alive after clear_frames?
    clear.plain.printable        does the traceback still name load_payload?
    clear.f_locals.alive         the same, after reading f_locals first
    clear.capture_locals.alive   the same, after TracebackException(...,
                                 capture_locals=True) first
    clear.handler.buffer_alive   the handler's own local after clear_frames
                                 inside the handler
    clear.handler.payload_alive  the raising frame's local, same moment
    clear.after.buffer_alive     the handler's local after clear_frames,
                                 called once the handler has returned
    socket.refused               ConnectionRefusedError count (of 50)
    socket.collected             what gc.collect() found after them
    future.stdlib.collected      after 50 failed Future.result() calls
    future.naive.collected       the same, without `self = None`
    future.local.collected       stdlib Future, held in the caller's local
    future.local_fixed.collected the same, with finally: fut = None
"""
import gc
import sys
import traceback
import weakref

if __name__ == "__main__":
    # Trace from before the workload exists, as exclab's heap gauge does.
    import tracemalloc
    tracemalloc.start()


PAYLOAD = 5 * 1000 * 1000  # bytes (5 MB, as exclab counts)


class LoadError(Exception):
    """Our error. Exception subclasses accept weak references."""


# Weak references to every big object, by name: they keep nothing alive.
payloads = {}


def alive(name):
    """Does the big object registered under `name` still exist?"""
    ref = payloads.get(name)
    return ref is not None and ref() is not None


class Payload:
    """A big local: think "the response body"."""

    def __init__(self, name, size=PAYLOAD):
        self.data = b"x" * size
        payloads[name] = weakref.ref(self)


# --- The seed's demo: a Giant with a __del__ ------------------------------

events = []     # what happened, in order: __del__ appends here


class Giant:
    """Holds 5 MB and says when it is finalised."""

    def __init__(self):
        self.data = b"x" * PAYLOAD
        payloads["giant"] = weakref.ref(self)

    def __del__(self):
        events.append("Giant.__del__")


last_error = None  # a weak reference to the newest exception of request()


def remember(exc):
    """Record exc with a weak reference (keeps nothing alive); return it."""
    global last_error
    last_error = weakref.ref(exc)
    return exc


def inner_bound():
    exc = remember(LoadError("not found"))
    raise exc                   # the frame keeps `exc`: a cycle


def inner_del():
    exc = remember(LoadError("not found"))
    try:
        raise exc
    finally:
        del exc                 # gone before the frame is finished


def inner_none():
    exc = remember(LoadError("not found"))
    try:
        raise exc
    finally:
        exc = None              # the same, and safe if exc was never set


def inner_unbound():
    raise remember(LoadError("not found"))  # no name, no cycle


INNER = {"bound": inner_bound, "del": inner_del,
         "none": inner_none, "unbound": inner_unbound}


def outer(variant):
    giant = Giant()             # kept by this frame, on the traceback
    try:
        INNER[variant]()
    except LoadError:
        pass


def request(variant):
    """One call of outer(); `events` says what happened, in order."""
    events.clear()
    outer(variant)
    events.append("outer() returned")


def first_ok_del():
    """A retry loop whose first attempt succeeds, with `finally: del err`.
    Returns what came out: the value, or the exception's type name."""
    def retry():
        try:
            for attempt in range(3):
                try:
                    return f"connected on attempt {attempt + 1}"
                except OSError as e:
                    err = e
            raise err
        finally:
            del err             # err was never bound: UnboundLocalError

    try:
        return retry()
    except Exception as e:
        return type(e).__name__


# --- Keeping errors: the exception, a report, or text ---------------------

def download(i):
    body = Payload(f"body{i}", 1000 * 1000)    # 1 MB per attempt
    raise LoadError(f"attempt {i}: connection reset")


def keep_exception(e):
    return e


def keep_report(e):
    return traceback.TracebackException.from_exception(e)


def keep_text(e):
    return "".join(traceback.format_exception(type(e), e, e.__traceback__))


KEEP = {"exception": keep_exception, "report": keep_report, "text": keep_text}


class Client:
    """Makes attempts and keeps each failure for a report later."""

    def __init__(self, kind):
        self.keep = KEEP[kind]
        self.failures = []

    def fetch(self, n):
        for i in range(n):
            try:
                download(i)
            except LoadError as e:
                self.failures.append(self.keep(e))
        return len(self.failures)


client = None   # the scenario's client, reachable from here


def kept_frames(obj):
    """Frames reachable from obj, following gc.get_referents (what exclab's
    graph follows); modules, classes and this module's dict are not followed."""
    seen, frames, todo = set(), 0, [obj]
    skip = (type, type(sys))
    while todo:
        o = todo.pop()
        if id(o) in seen or isinstance(o, skip) or o is globals():
            continue
        seen.add(id(o))
        if type(o).__name__ == "frame":
            frames += 1
        todo.extend(gc.get_referents(o))
    return frames


def warm_up():
    """Formatting a traceback the first time reads the source file into
    linecache and imports what formatting needs: do it before measuring."""
    c = Client("text")
    c.fetch(1)
    keep_report(LoadError("warm"))
    del c
    gc.collect()


# --- traceback.clear_frames ------------------------------------------------

kept = None     # one exception kept on purpose (a "last error" attribute)


def load_payload():
    payload = Payload("payload")    # the raising frame's 5 MB local
    raise LoadError("not found")


def keep_error():
    """Keep the exception in a global: no cycle, just a reference."""
    global kept
    try:
        load_payload()
    except LoadError as e:
        kept = e


def read_locals():
    """What a debugger or error reporter does: read each frame's f_locals.
    Returns the names it saw in the raising frame."""
    tb = kept.__traceback__
    names = []
    while tb is not None:
        names = sorted(tb.tb_frame.f_locals)
        tb = tb.tb_next
    return names


def capture_locals():
    """What TracebackException(capture_locals=True) does: it reads every
    frame's f_locals (keeping their reprs). Returns the raising frame's."""
    report = traceback.TracebackException.from_exception(kept, capture_locals=True)
    return sorted(report.stack[-1].locals)


def kept_printed():
    """The kept exception's traceback, as it would be printed."""
    return "".join(traceback.format_exception(type(kept), kept, kept.__traceback__))


def clear_kept():
    traceback.clear_frames(kept.__traceback__)


def clear_in_handler():
    """Call clear_frames inside the except block, then keep the exception."""
    global kept
    buffer = Payload("buffer")      # the handler's own 5 MB local
    try:
        load_payload()
    except LoadError as e:
        traceback.clear_frames(e.__traceback__)
        kept = e


def drop_kept():
    global kept
    kept = None


# --- The standard library --------------------------------------------------

# Imported up front: importing socket leaves garbage of its own (classes
# made while building its enums), which would count in what follows.
import socket
from concurrent.futures import Future

def refused(n):
    """n calls of socket.create_connection to a loopback port that refuses
    (bound, not listening). Returns how many raised ConnectionRefusedError."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))       # bound, never listening: refuses
    address = closed.getsockname()
    count = 0
    try:
        for _ in range(n):
            try:
                socket.create_connection(address, timeout=1).close()
            except ConnectionRefusedError:
                count += 1
    finally:
        closed.close()
    return count


def _failed_future():
    fut = Future()
    fut.set_exception(LoadError("worker failed"))
    return fut


class NaiveFuture:
    """Future.result() as it would be without `self = None`."""

    def __init__(self):
        self._exception = LoadError("worker failed")

    def result(self):
        return self.__get_result()

    def __get_result(self):
        if self._exception:
            raise self._exception   # this frame holds self: a cycle


futures = {}    # where the callers below find their future


def _use(key):
    try:
        futures[key].result()       # no local holds the future
    except LoadError:
        pass


def future_stdlib(n):
    for _ in range(n):
        futures["f"] = _failed_future()
        _use("f")
        del futures["f"]


def future_naive(n):
    for _ in range(n):
        futures["f"] = NaiveFuture()
        _use("f")
        del futures["f"]


def _use_local():
    fut = _failed_future()          # this frame is on the traceback
    try:
        fut.result()
    except LoadError:
        pass


def future_local(n):
    for _ in range(n):
        _use_local()


def _use_local_fixed():
    fut = _failed_future()
    try:
        fut.result()
    except LoadError:
        pass
    finally:
        fut = None                  # the caller's own frame, cleaned


def future_local_fixed(n):
    for _ in range(n):
        _use_local_fixed()


def collected_after(fn, *args):
    """Run fn with the GC off, as the scenario does; return fn's result and
    what gc.collect() found afterwards."""
    gc.collect()
    gc.disable()
    try:
        result = fn(*args)
    finally:
        gc.enable()
    return result, gc.collect()


def _main():
    def heap():
        return tracemalloc.get_traced_memory()[0]

    def out(key, value):
        print(key, value)

    v = sys.version_info
    out("python.version", f"{v.major}.{v.minor}.{v.micro}")
    out("payload", PAYLOAD)

    for variant in ("bound", "del", "none", "unbound"):
        gc.collect()
        before = heap()
        request(variant)
        out(f"{variant}.heap_growth", heap() - before)
        out(f"{variant}.events_before_gc", "|".join(events))
        events.append("gc.collect()")
        out(f"{variant}.collected", gc.collect())
        out(f"{variant}.events", "|".join(events))

    out("first_ok_del.raises", first_ok_del())

    global client
    warm_up()
    for kind in ("exception", "report", "text"):
        gc.collect()
        before = heap()
        client = Client(kind)
        client.fetch(20)
        grown = heap() - before
        out(f"keep.{kind}.heap_growth", grown)
        out(f"keep.{kind}.bytes_each", grown // 20)
        out(f"keep.{kind}.frames", kept_frames(client.failures))
        client = None
        out(f"keep.{kind}.collected", gc.collect())

    keep_error()
    clear_kept()
    out("clear.plain.alive", alive("payload"))
    out("clear.plain.printable", "in load_payload" in kept_printed())
    drop_kept()
    gc.collect()

    keep_error()
    out("clear.f_locals.names", ",".join(read_locals()))
    clear_kept()
    out("clear.f_locals.alive", alive("payload"))
    drop_kept()
    gc.collect()

    keep_error()
    out("clear.capture_locals.names", ",".join(capture_locals()))
    clear_kept()
    out("clear.capture_locals.alive", alive("payload"))
    drop_kept()
    gc.collect()

    clear_in_handler()
    out("clear.handler.buffer_alive", alive("buffer"))
    out("clear.handler.payload_alive", alive("payload"))
    clear_kept()
    out("clear.after.buffer_alive", alive("buffer"))
    drop_kept()
    gc.collect()

    count, found = collected_after(refused, 50)
    out("socket.refused", count)
    out("socket.collected", found)
    for name, fn in [("stdlib", future_stdlib), ("naive", future_naive),
                     ("local", future_local),
                     ("local_fixed", future_local_fixed)]:
        out(f"future.{name}.collected", collected_after(fn, 50)[1])


if __name__ == "__main__":
    _main()
