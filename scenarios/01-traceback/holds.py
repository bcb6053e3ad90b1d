"""Lesson 1: what a traceback holds.

A job reads a record; parsing it fails. Three functions, one calling the
next, each with its part:

    run_job()   the caller: holds `history`, 2 MB, then calls handle()
    handle()    the handler: try: parse() / except ValueError as e:
    parse()     the raiser: holds `buffer`, 5 MB, then raises ValueError

The exception's traceback has two entries, handle() then parse(). Each
keeps its frame, with every local of that call, and a frame keeps its
caller's frame through f_back: handle()'s frame keeps run_job()'s, with
`history`.

Entry points, in the order the scenario runs them:

    run_job()           the handler uses e and lets it go
    run_job(True)       the handler keeps it: saved = e (a global)
    clear_saved_frames()   traceback.clear_frames(saved.__traceback__)
    drop_traceback()    saved.__traceback__ = None
    run_job_wrapped()   the handler raises RuntimeError; the caller keeps
                        that one, and the ValueError is its __context__
    drop_chain()        drop the traceback of every exception in the chain,
                        following both __cause__ and __context__

Weak references, buffer_ref and history_ref, tell whether the two big
locals still exist without keeping them alive (buffer_ref() is None once
the buffer has been freed). Nothing here reads frame.f_locals: on 3.11
and 3.12 that makes a dict on the frame and changes what is kept.

exclab's scenario (scenario.lua) calls these and watches `saved`. Run this
file with plain Python to get the same figures from tracemalloc:

    /usr/bin/python3.11 scenarios/01-traceback/holds.py

It prints one "key value" pair per line:

    python.version            the interpreter
    buffer, history           bytes of parse()'s and run_job()'s big locals
    forget.alive_in_handler   was the buffer alive while the handler ran?
    forget.e_after_block      what `e` was after the except block
    forget.buffer_alive       after run_job(): is the buffer still alive?
    forget.heap_growth        traced bytes kept after run_job()
    keep.buffer_alive         after run_job(True)
    keep.history_alive
    keep.heap_growth          traced bytes kept (both big locals)
    keep.chain                entries in saved.__traceback__
    keep.frames               frames that chain keeps alive
    keep.collect_heap_change  what gc.collect() gave back
    clear.buffer_alive        after clear_frames()
    clear.history_alive
    clear.heap_change         traced bytes it gave back (negative)
    clear.chain               the chain is still there
    clear.lines               and still names its functions
    drop.history_alive        after saved.__traceback__ = None
    drop.heap_above_start     traced bytes above the reading before keep
    drop.message              the message is still there
    context.heap_growth       run_job_wrapped() kept this much
    context.context           the type of saved.__context__
    context.drop_heap_change  saved.__traceback__ = None gave back this
    context.buffer_alive      ... and the buffer is
    chain.heap_above_start    after drop_chain(): above the reading
                              before run_job_wrapped()
    chain.buffer_alive
    chain.history_alive
    chain.shortcut_misses     a loop over `__cause__ or __context__` left
                              a __context__'s traceback in place
    chain.both_links_clear    following both links cleared it

The steps run in the same order as the scenario's, so each figure is
comparable with the matching step.
"""
import sys
import traceback
import weakref

if __name__ == "__main__":
    # Trace from before the workload exists, as exclab's heap gauge does.
    import tracemalloc
    tracemalloc.start()


BUFFER = 5 * 1000 * 1000   # bytes (5 MB, as exclab counts): parse()'s local
HISTORY = 2 * 1000 * 1000  # bytes (2 MB): run_job()'s local


class Big:
    """A big local that accepts weak references (bytes does not)."""

    def __init__(self, size):
        self.data = b"x" * size   # really allocated and touched


# Observers: weak references keep nothing alive.
buffer_ref = None
history_ref = None


def buffer_alive():
    return buffer_ref is not None and buffer_ref() is not None


def history_alive():
    return history_ref is not None and history_ref() is not None


# The exception kept after its handler, and what the handler saw.
saved = None
alive_in_handler = None   # was parse()'s buffer alive inside the handler?
e_after_block = None      # "deleted" once the except block has ended


def parse(record):
    global buffer_ref
    buffer = Big(BUFFER)              # think: the decoded record
    buffer_ref = weakref.ref(buffer)
    raise ValueError(f"bad record {record!r}")


def handle(record, keep=False):
    global saved, alive_in_handler, e_after_block
    try:
        parse(record)
    except ValueError as e:
        # parse() has ended, but its frame is on e's traceback.
        alive_in_handler = buffer_alive()
        message = str(e)
        if keep:
            saved = e                 # outlives the block
    # Python deleted `e` as the block ended (PEP 3110).
    try:
        e
        e_after_block = "still bound"
    except UnboundLocalError:
        e_after_block = "deleted"
    return message


def run_job(keep=False):
    global history_ref
    history = Big(HISTORY)            # think: records read so far
    history_ref = weakref.ref(history)
    return handle("r1", keep)


def clear_saved_frames():
    """Clear the locals of every frame in saved's tb_next chain."""
    traceback.clear_frames(saved.__traceback__)


def drop_traceback():
    """Forget saved's traceback; keep the exception and its message."""
    saved.__traceback__ = None        # same as saved.with_traceback(None)


# An exception kept implicitly: as the __context__ of a later one.

def handle_wrapped(record):
    try:
        parse(record)
    except ValueError:
        raise RuntimeError(f"job failed on {record!r}")


def run_job_wrapped():
    global saved, history_ref
    history = Big(HISTORY)
    history_ref = weakref.ref(history)
    try:
        handle_wrapped("r2")
    except RuntimeError as e:
        saved = e
        return str(e)


def drop_tracebacks(exc):
    """Drop the traceback of exc and of every exception chained to it,
    through both links: an exception can have a __cause__ and a
    different __context__, and each keeps its own traceback."""
    todo, seen = [exc], set()
    while todo:
        exc = todo.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        exc.__traceback__ = None
        todo += [exc.__cause__,
                 exc.__context__]


def drop_chain():
    """Drop the traceback of saved and of every exception chained to it."""
    drop_tracebacks(saved)


# Why both links: a shortcut that follows `__cause__ or __context__`
# stops at the cause and never sees a different context.

def drop_tracebacks_shortcut(exc):
    while exc is not None:
        exc.__traceback__ = None
        exc = exc.__cause__ or exc.__context__


def cause_and_context():
    """A RuntimeError raised `from` a KeyError inside the handler of a
    ValueError: its __cause__ is the KeyError, its __context__ the
    ValueError, which has a traceback of its own."""
    try:
        try:
            raise ValueError("while parsing")
        except ValueError:
            raise RuntimeError("job failed") from KeyError("r3")
    except RuntimeError as e:
        return e


def shortcut_misses():
    """[the shortcut left the __context__'s traceback, drop_tracebacks
    cleared it]"""
    e = cause_and_context()
    drop_tracebacks_shortcut(e)
    missed = e.__context__.__traceback__ is not None
    drop_tracebacks(e)
    cleared = e.__context__.__traceback__ is None
    return [missed, cleared]


# Helpers that read the chain without touching any frame's locals.

def chain_length(exc):
    n = 0
    tb = exc.__traceback__ if exc is not None else None
    while tb is not None:
        n += 1
        tb = tb.tb_next
    return n


def chain_names(exc):
    """Function names of the entries, newest first."""
    names = []
    tb = exc.__traceback__
    while tb is not None:
        names.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    return ",".join(names)


def saved_lines():
    """The last entry of saved's printed traceback: 'in parse' is there even
    after clear_frames (file, line and name need no locals)."""
    text = "".join(traceback.format_tb(saved.__traceback__))
    return "in parse" in text and "in handle" in text


def _warm_up():
    """Format one traceback now, at load time. The first formatting reads
    this file into linecache and (3.11+) imports what it needs to place
    the carets: several hundred KB that stay cached. Done here, it is part
    of the baseline, and later figures show only what exceptions keep."""
    try:
        raise ValueError("warm-up")
    except ValueError as e:
        traceback.format_tb(e.__traceback__)


_warm_up()


def frames_kept(exc):
    """Distinct finished frames the chain keeps alive, through tb_frame
    and f_back. Frames still running are left out: exclab samples when no
    Python code is running."""
    running = set()
    f = sys._getframe()
    while f is not None:
        running.add(id(f))
        f = f.f_back
    seen = set()
    tb = exc.__traceback__ if exc is not None else None
    while tb is not None:
        f = tb.tb_frame
        while f is not None and id(f) not in seen and id(f) not in running:
            seen.add(id(f))
            f = f.f_back
        tb = tb.tb_next
    return len(seen)


def _main():
    global saved
    import gc

    def heap():
        return tracemalloc.get_traced_memory()[0]

    def out(key, value):
        print(key, value)

    v = sys.version_info
    out("python.version", f"{v.major}.{v.minor}.{v.micro}")
    out("buffer", BUFFER)
    out("history", HISTORY)

    # Step: use e, let it go.
    before = heap()
    run_job()
    out("forget.alive_in_handler", alive_in_handler)
    out("forget.e_after_block", e_after_block)
    out("forget.buffer_alive", buffer_alive())
    out("forget.heap_growth", heap() - before)

    # Step: keep it. The call is written out here, so that run_job()'s
    # caller is this running frame (frames_kept leaves it out).
    start = heap()
    run_job(True)
    out("keep.buffer_alive", buffer_alive())
    out("keep.history_alive", history_alive())
    out("keep.heap_growth", heap() - start)
    out("keep.chain", chain_length(saved))
    out("keep.names", chain_names(saved))
    out("keep.frames", frames_kept(saved))
    before = heap()
    gc.collect()
    out("keep.collect_heap_change", heap() - before)

    # Step: clear_frames.
    before = heap()
    clear_saved_frames()
    out("clear.buffer_alive", buffer_alive())
    out("clear.history_alive", history_alive())
    out("clear.heap_change", heap() - before)
    out("clear.chain", chain_length(saved))
    out("clear.lines", saved_lines())

    # Step: drop the traceback.
    drop_traceback()
    out("drop.history_alive", history_alive())
    out("drop.heap_above_start", heap() - start)
    out("drop.chain", chain_length(saved))
    out("drop.message", str(saved).replace(" ", "_"))

    # Step: kept as __context__.
    saved = None
    start = heap()
    run_job_wrapped()
    out("context.heap_growth", heap() - start)
    out("context.context", type(saved.__context__).__name__)
    out("context.chain", chain_length(saved))
    out("context.context_chain", chain_length(saved.__context__))
    before = heap()
    drop_traceback()
    out("context.drop_heap_change", heap() - before)
    out("context.buffer_alive", buffer_alive())
    out("context.history_alive", history_alive())

    # Step: drop every traceback in the chain.
    drop_chain()
    out("chain.heap_above_start", heap() - start)
    out("chain.buffer_alive", buffer_alive())
    out("chain.history_alive", history_alive())
    missed, cleared = shortcut_misses()
    out("chain.shortcut_misses", missed)
    out("chain.both_links_clear", cleared)


if __name__ == "__main__":
    _main()
