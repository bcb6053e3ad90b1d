"""Tools to find exceptions that keep memory alive: keep this file.

Copy it next to your program and import it (`from findleaks import *`),
or paste the one you need. Nothing here needs anything beyond the
standard library, and each tool is a few lines you can read.

    rss()                    resident memory of this process, in bytes
    trim()                   give unused C-allocator memory back to the OS
    heap()                   bytes tracemalloc sees (starts it if needed)
    rss_growth(fn, n, *a)    RSS gained per call of fn(*a), over n calls
    heap_growth(fn, n, *a)   heap (tracemalloc) gained per call
    chain_length(exc)        entries in exc.__traceback__ (via tb_next)
    frames_kept(exc)         distinct frames that chain keeps alive
    live_exceptions()        every exception object alive now
    longest_chains(k)        the k live exceptions with the longest chains
    saved_garbage()          what gc.collect() finds, kept to look at
    count_by_type(objs)      {type name: count}, biggest first
    find_cycle(obj)          the shortest way from obj back to itself
    GCWatch                  records every collection (gc.callbacks)
    top_lines(old, new, k)   tracemalloc: the k lines that grew most

Each tool reads what it measures without changing it, with one
exception said where it applies (find_cycle names a frame's locals).
"""
import ctypes
import gc
import linecache
import os
import resource
import sys
import tracemalloc

PAGE = os.sysconf("SC_PAGE_SIZE")


# ---- what to measure ---------------------------------------------------

def rss():
    """Resident memory now: field 2 of /proc/self/statm, in pages."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def trim():
    """Hand back to the OS the memory the C allocator holds but no longer
    uses (glibc's malloc_trim). Freed memory is otherwise reused before
    RSS grows, so a leak can look smaller than it is. Linux with glibc
    only; elsewhere it does nothing."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def peak_rss():
    """The highest RSS so far (getrusage reports KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def heap():
    """Bytes allocated by Python and still alive, as tracemalloc counts
    them. It counts only blocks allocated since it started."""
    if not tracemalloc.is_tracing():
        tracemalloc.start()
    return tracemalloc.get_traced_memory()[0]


def rss_growth(fn, n, *args):
    """RSS gained per call of fn(*args), over n calls. Cheap enough for
    production, but coarse: RSS moves in pages, and the C allocator keeps
    memory it was given back. Call fn once before measuring, so one-time
    costs (caches, imports) are not counted as growth."""
    trim()
    r0 = rss()
    for _ in range(n):
        fn(*args)
    return (rss() - r0) / n


def heap_growth(fn, n, *args):
    """Heap bytes gained per call (tracemalloc): exact, but tracing
    makes Python slower and its own bookkeeping adds to RSS."""
    h0 = heap()
    for _ in range(n):
        fn(*args)
    return (heap() - h0) / n


# ---- traceback chains ----------------------------------------------------

def chain_length(exc):
    """Entries in exc.__traceback__: one per frame it unwound through,
    on every raise. A fresh exception has a few; one raised again and
    again has more each time."""
    n = 0
    tb = exc.__traceback__
    while tb is not None:
        n += 1
        tb = tb.tb_next
    return n


def frames_kept(exc):
    """Distinct frames the chain keeps alive, through tb_frame and
    f_back. Frames still running (the caller's stack) are left out."""
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


def live_exceptions():
    """Every exception object the GC tracks now (they all are)."""
    return [o for o in gc.get_objects() if isinstance(o, BaseException)]


def longest_chains(k=3):
    """[(chain length, exception)] for the k longest chains, longest
    first. Run it twice, some requests apart: a chain that grew belongs
    to an exception that is raised again and again."""
    found = [(chain_length(e), e) for e in live_exceptions()]
    found.sort(key=lambda pair: pair[0], reverse=True)
    return found[:k]


# ---- what the collector finds --------------------------------------------

def saved_garbage():
    """Run gc.collect() with DEBUG_SAVEALL: everything it finds
    unreachable goes to gc.garbage instead of being freed. Return those
    objects and empty gc.garbage. Drop the list when you are done, then
    gc.collect() again to free them."""
    flags = gc.get_debug()
    gc.set_debug(flags | gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        found = list(gc.garbage)
        gc.garbage.clear()
    finally:
        gc.set_debug(flags)
    return found


def count_by_type(objs):
    """{type name: count}, most common first."""
    counts = {}
    for o in objs:
        name = type(o).__name__
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def describe(obj):
    """A short name for an object on a cycle."""
    if type(obj).__name__ == "frame":
        return f"frame {obj.f_code.co_name}"
    return type(obj).__name__


def find_cycle(obj, limit=10000):
    """The shortest path from obj back to obj through gc.get_referents,
    as a list of objects (obj first), or None. Modules, classes and
    functions are not followed: they reach everything.

    To say which local of a frame closes the loop, it reads that frame's
    f_locals, which on 3.11 adds a dict to the frame: use it on garbage
    you are about to throw away, not on a live program you measure."""
    skip = (type, type(sys), type(find_cycle))
    parent = {id(obj): None}
    todo = [obj]
    while todo and len(parent) < limit:
        nxt = []
        for o in todo:
            for r in gc.get_referents(o):
                if r is obj:
                    path = [o]
                    while parent[id(path[-1])] is not None:
                        path.append(parent[id(path[-1])])
                    return path[::-1]
                if id(r) not in parent and gc.is_tracked(r) and not isinstance(r, skip):
                    parent[id(r)] = o
                    nxt.append(r)
        todo = nxt
    return None


def spell_cycle(path):
    """'A -> B -> frame f [local] -> A' for a path from find_cycle."""
    parts = []
    for i, o in enumerate(path):
        label = describe(o)
        if type(o).__name__ == "frame":
            target = path[(i + 1) % len(path)]
            names = [k for k, v in o.f_locals.items() if v is target]
            if names:
                label += f" [{names[0]}]"
        parts.append(label)
    parts.append(describe(path[0]))
    return " -> ".join(parts)


# ---- when the collector runs ---------------------------------------------

class GCWatch:
    """Records every collection while active (through gc.callbacks):
    [(tick, generation, objects found)]. Set .tick to what you count,
    e.g. the request number, to see when each collection came.

        with GCWatch() as w:
            for i in range(n):
                w.tick = i + 1
                handle(...)
        print(w.runs)
    """

    def __init__(self):
        self.tick = 0
        self.runs = []

    def _callback(self, phase, info):
        if phase == "stop":
            self.runs.append((self.tick, info["generation"], info["collected"]))

    def __enter__(self):
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc_info):
        gc.callbacks.remove(self._callback)


# ---- which line allocated what stays ------------------------------------

def top_lines(old, new, k=3):
    """The k source lines whose live memory grew most between two
    tracemalloc snapshots: [(file:line, bytes, blocks, source text)]."""
    ignore = [tracemalloc.Filter(False, tracemalloc.__file__),
              tracemalloc.Filter(False, "<frozen *>")]
    stats = new.filter_traces(ignore).compare_to(old.filter_traces(ignore), "lineno")
    out = []
    for s in stats[:k]:
        frame = s.traceback[0]
        text = linecache.getline(frame.filename, frame.lineno).strip()
        out.append((f"{os.path.basename(frame.filename)}:{frame.lineno}",
                    s.size_diff, s.count_diff, text))
    return out
