"""Lesson 6: finding the leaks in app.py with the tools of findleaks.py.

Each function below is one step of the scenario: it drives app.py's
service with the requests of app.REQUESTS, uses one tool, prints what
the tool shows, and returns the figures the scenario checks.

exclab loads app.py, findleaks.py and this file into one namespace.
Run this file with plain Python to do the same and get the figures as
"key value" lines:

    /usr/bin/python3.11 scenarios/06-finding/experiments.py

    python.version           the interpreter
    measure.KIND.rss         RSS bytes per request of KIND
    measure.KIND.heap        heap bytes kept per request of KIND
    measure.KIND.after_gc    heap bytes per request still kept after
                             gc.collect() (KIND: get_ok, get_missing,
                             post_ok, post_bad)
    garbage.BadRequest ...   objects of each kind gc.collect() found
                             after N bad POSTs and N missing GETs
    garbage.cycle            one cycle, spelled out
    gcwatch.first            the bad POST during which the GC first
                             ran by itself (200 KB uploads)
    gcwatch.first_small      the same with 1 KB uploads
    gcwatch.containers       containers a bad POST adds to the count
    tracemalloc.top1/top2    the two lines that grew most, no collect
    tracemalloc.after_gc     the top line after gc.collect()
    chains.top_before/after  NOT_FOUND's chain before/after N GETs
    chains.grown             live exceptions whose chain grew
    fixed.*                  the same tools after loading fixed.py
    probe.*                  serve.py's requests on a fresh app.py:
                             what exclab probe reports for them
"""
import gc
import linecache
import tracemalloc
import zlib

N = 10   # requests of each kind per step


def payload_line(marker):
    """The line of app.py with this comment, e.g. "GET's payload"."""
    lines = linecache.getlines(get_item.__code__.co_filename)
    return next(i for i, text in enumerate(lines, 1) if marker in text)


def where(marker):
    return f"app.py:{payload_line(marker)}"


# ---- step: measure growth per request -------------------------------------

def step_measure(n=2 * N):
    """RSS per request for each kind of request (tracemalloc off), then
    the heap per request (tracemalloc on), then what gc.collect() gives
    back of that heap."""
    kinds = ("get_ok", "get_missing", "post_ok", "post_bad")
    for kind in kinds:
        serve(kind)                 # warm up: first-call costs are no leak
    out = []
    for kind in kinds:
        gc.collect()
        per_rss = rss_growth(serve, n, kind)
        gc.collect()
        start = heap()
        per_heap = heap_growth(serve, n, kind)
        gc.collect()
        after = (heap() - start) / n
        tracemalloc.stop()
        print(f"{kind:12} RSS {per_rss / 1000:+6.1f} KB/request,"
              f" heap {per_heap / 1000:+6.1f} KB/request,"
              f" after gc.collect() {after / 1000:+6.1f}")
        out += [round(per_rss), round(per_heap), round(after)]
    return out


# ---- step: what the collector finds ---------------------------------------

def step_garbage(n=N):
    """n bad POSTs and n missing GETs, then gc.collect() with
    DEBUG_SAVEALL: count what it found, and spell out one cycle."""
    gc.collect()
    serve("post_bad", n)
    serve("get_missing", n)
    found = saved_garbage()
    counts = count_by_type(found)
    print(f"gc.collect() found {len(found)} objects:",
          ", ".join(f"{k} {v}" for k, v in counts.items()))
    big = sum(1 for o in found if isinstance(o, (bytes, bytearray)))
    exc = next(o for o in found if isinstance(o, BadRequest))
    cycle = spell_cycle(find_cycle(exc))
    print("one of them:", cycle)
    total = len(found)
    del found, exc
    gc.collect()                    # now free them
    return [counts.get("BadRequest", 0), counts.get("NotFound", 0),
            counts.get("traceback", 0), counts.get("frame", 0), big, total, cycle]


# ---- step: when the collector runs ----------------------------------------

SMALL_BAD_BODY = zlib.compress(b"?" * 1000)


def first_collection(body, limit=1000):
    """Bad POSTs until the GC runs by itself; returns (the request during
    which it first ran, what it found, containers per request)."""
    gc.collect()
    handle("POST", "", body)        # the first adds a few one-off objects
    count = gc.get_count()[0]
    for _ in range(10):
        handle("POST", "", body)
    per_request = (gc.get_count()[0] - count) / 10
    gc.collect()
    with GCWatch() as w:
        while not w.runs and w.tick < limit:
            w.tick += 1
            handle("POST", "", body)
    gc.collect()
    tick, generation, collected = w.runs[0]
    return tick, generation, collected, per_request


def step_gcwatch():
    first, gen, found, per = first_collection(BAD_BODY)
    print(f"200 KB uploads: the GC first ran during request {first}"
          f" (generation {gen}, found {found} objects);"
          f" {per:g} containers per request, threshold0 {gc.get_threshold()[0]}")
    print(f"  by then about {first * UPLOAD / 1e6:.0f} MB of uploads were kept")
    first_small, gen, found_small, per_small = first_collection(SMALL_BAD_BODY)
    print(f"1 KB uploads:   the GC first ran during request {first_small}"
          f" (generation {gen}, found {found_small} objects)")
    return [first, found, per, first_small, found_small, gc.get_threshold()[0]]


# ---- step: which line allocated what stays ---------------------------------

def step_tracemalloc(n=N):
    """Snapshots before and after n missing GETs and n bad POSTs; the
    lines that grew, before and after gc.collect()."""
    gc.collect()
    tracemalloc.start()
    old = tracemalloc.take_snapshot()
    serve("get_missing", n)
    serve("post_bad", n)
    new = tracemalloc.take_snapshot()
    gc.collect()
    collected = tracemalloc.take_snapshot()
    tracemalloc.stop()
    print("grown since the first snapshot:")
    top = top_lines(old, new, 3)
    for line, size, count, text in top:
        print(f"  {line}: {size / 1e6:+.2f} MB in {count:+d} blocks | {text}")
    print("after gc.collect():")
    top_gc = top_lines(old, collected, 2)
    for line, size, count, text in top_gc:
        print(f"  {line}: {size / 1e6:+.2f} MB in {count:+d} blocks | {text}")
    return [top[0][0], top[0][1], top[0][2], top[1][0], top[1][1],
            top_gc[0][0], top_gc[0][1], top_gc[0][2], top_gc[1][1],
            where("POST's payload"), where("GET's payload")]


# ---- step: chains of long-lived exceptions --------------------------------

def show_chains(label, chains):
    print(label)
    for length, exc in chains:
        if length == 0:
            continue
        print(f"  {length:5} entries  {type(exc).__name__}({str(exc)!r})")


def step_chains(n=2 * N):
    """The longest chains among live exceptions, before and after n
    missing GETs: which one grows, and by how much."""
    before = {id(e): length for length, e in longest_chains(5)}
    show_chains("longest chains now:", longest_chains(3))
    serve("get_missing", n)
    after = longest_chains(5)
    show_chains(f"after {n} more missing GETs:", after[:3])
    grown = [(length - before.get(id(e), 0), e) for length, e in after
             if length > before.get(id(e), 0)]
    top_growth, top = grown[0] if grown else (0, None)
    if top is not None:
        print(f"grew: {type(top).__name__}({str(top)!r}), +{top_growth} entries,"
              f" {top_growth / n:.0f} per request; is app.NOT_FOUND: {top is NOT_FOUND}")
    return [len(grown), top_growth, top is NOT_FOUND, after[0][0]]


# ---- step: the fixes, measured with the same tools -------------------------

def step_fixed(n=N):
    """After fixed.py is loaded: the same tools, the same requests."""
    responses = [serve(kind) for kind in REQUESTS]
    out = []
    for kind in ("get_missing", "post_bad"):
        gc.collect()
        per_heap = heap_growth(serve, n, kind)
        out.append(round(per_heap))
        print(f"{kind:12} heap {per_heap / 1000:+8.1f} KB/request")
    tracemalloc.stop()
    gc.collect()
    chain = chain_length(NOT_FOUND)
    serve("post_bad", n)
    serve("get_missing", n)
    found = saved_garbage()
    exceptions = sum(1 for o in found if isinstance(o, BaseException))
    print(f"gc.collect() found {len(found)} objects, {exceptions} exceptions;"
          f" NOT_FOUND's chain {chain} -> {chain_length(NOT_FOUND)}")
    out += [len(found), exceptions, chain_length(NOT_FOUND) - chain]
    del found
    return out + [f"{s} {t}" for s, t in responses]


# ---- step: what exclab probe reports on serve.py ---------------------------

def fresh_app():
    """app.py as serve.py imports it: a module of its own, made afresh,
    with the leaky functions whatever fixed.py replaced here."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "app", handle.__code__.co_filename)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def line_of(module, marker):
    """'app.py:N': the line of the module's file with this text."""
    lines = linecache.getlines(module.__file__)
    return f"app.py:{next(i for i, t in enumerate(lines, 1) if marker in t)}"


def step_probe_figures(n=2 * N):
    """serve.py's requests, n missing GETs then n bad POSTs, on a fresh
    app.py, measured with the standard tools: what exclab probe reports
    for them. The chain and the live NotFound instances; what dropping
    the chain frees (tracemalloc); the cycles the collector finds
    (DEBUG_SAVEALL) and what it frees."""
    app = fresh_app()
    gc.collect()
    tracemalloc.start()
    app.serve("get_missing", n)
    chain = chain_length(app.NOT_FOUND)
    instances = sum(isinstance(e, app.NotFound) for e in live_exceptions())
    before = tracemalloc.get_traced_memory()[0]
    app.NOT_FOUND.__traceback__ = None
    gc.collect()
    reused = before - tracemalloc.get_traced_memory()[0]
    gc.disable()                    # no collection during the POSTs
    try:
        app.serve("post_bad", n)
        before = tracemalloc.get_traced_memory()[0]
        found = saved_garbage()
        cycles = sum(isinstance(o, app.BadRequest) for o in found)
        not_found = sum(isinstance(o, app.NotFound) for o in found)
        del found
        gc.collect()                # now free them
    finally:
        gc.enable()
    freed = before - tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(f"{n} missing GETs: {instances} NotFound alive, its chain"
          f" {chain} entries; dropping it frees {reused / 1e6:.2f} MB")
    print(f"{n} bad POSTs: {cycles} BadRequest cycles;"
          f" collecting them frees {freed / 1e6:.2f} MB;"
          f" NotFound among the garbage: {not_found}")
    lines = [line_of(app, "# leak 1"), line_of(app, "NOT_FOUND = "),
             line_of(app, "except BadRequest as e"), line_of(app, "# leak 2")]
    del app
    gc.collect()                    # the fresh module: functions and globals
    return [chain, instances, reused, cycles, freed] + lines + [not_found]


def responses():
    """One response of each kind, as 'status text' lines."""
    return [f"{s} {t}" for s, t in (serve(kind) for kind in REQUESTS)]


def _load(name):
    """Run a file of this folder in this namespace, as exclab does."""
    import os
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    with open(path) as f:
        exec(compile(f.read(), path, "exec"), globals())


def _main():
    import sys
    _load("app.py")
    _load("findleaks.py")
    v = sys.version_info
    print("python.version", f"{v.major}.{v.minor}.{v.micro}")
    kinds = ("get_ok", "get_missing", "post_ok", "post_bad")
    m = step_measure()
    for i, kind in enumerate(kinds):
        print(f"measure.{kind}.rss", m[3 * i])
        print(f"measure.{kind}.heap", m[3 * i + 1])
        print(f"measure.{kind}.after_gc", m[3 * i + 2])
    g = step_garbage()
    for key, value in zip(("BadRequest", "NotFound", "traceback", "frame",
                           "bytes", "total", "cycle"), g):
        print(f"garbage.{key}", value)
    w = step_gcwatch()
    for key, value in zip(("first", "found", "containers", "first_small",
                           "found_small", "threshold0"), w):
        print(f"gcwatch.{key}", value)
    t = step_tracemalloc()
    for key, value in zip(("top1", "top1_size", "top1_blocks", "top2", "top2_size",
                           "after_gc", "after_gc_size", "after_gc_blocks",
                           "after_gc_second_size", "post_line", "get_line"), t):
        print(f"tracemalloc.{key}", value)
    c = step_chains()
    for key, value in zip(("grown", "growth", "is_not_found", "longest"), c):
        print(f"chains.{key}", value)
    _load("fixed.py")
    f = step_fixed()
    for key, value in zip(("get_missing.heap", "post_bad.heap", "garbage",
                           "exceptions", "chain_growth"), f):
        print(f"fixed.{key}", value)
    print("fixed.responses", "|".join(f[5:]))
    p = step_probe_figures()
    for key, value in zip(("chain", "instances", "reused_bytes", "cycles",
                           "cycle_bytes", "raise_at", "made_at",
                           "except_at", "store_at", "not_found_garbage"), p):
        print(f"probe.{key}", value)


if __name__ == "__main__":
    _main()
