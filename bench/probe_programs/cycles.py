"""Exception cycles made fast, with the collector running as usual: each
request binds its error to a local (a cycle through the traceback) with a
100 KB payload, and builds some containers, so collections come often.

usage: cycles.py [REQUESTS] [--saveall-always | --private-pass]
  --saveall-always  the rejected design A: gc.DEBUG_SAVEALL on for the whole
                    run, gc.garbage looked at and emptied every 100 requests
  --private-pass    the rejected design B: at each collection's start, a
                    pass over every tracked object (gc.get_objects) to find
                    what the collection is about to free
Prints the time and the peak RSS."""
import gc
import resource
import sys
import time


def parse(n):
    payload = bytearray(100_000)
    doc = [{"n": i} for i in range(50)]
    raise ValueError(f"request {n} is bad")


def handle(n):
    error = None
    try:
        parse(n)
    except ValueError as e:
        error = e
    return error is None


def private_pass(phase, info):
    """What the collector does, again: every tracked object's references
    from other tracked objects, to tell what only cycles hold."""
    if phase == "start":
        objs = gc.get_objects()
        inner = dict.fromkeys(map(id, objs), 0)
        for o in objs:
            for r in gc.get_referents(o):
                if id(r) in inner:
                    inner[id(r)] += 1


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 3000
    saveall = "--saveall-always" in sys.argv
    if saveall:
        gc.set_debug(gc.DEBUG_SAVEALL)
    if "--private-pass" in sys.argv:
        gc.callbacks.append(private_pass)
    t0 = time.perf_counter()
    for i in range(n):
        handle(i)
        if saveall and i % 100 == 99:
            gc.garbage.clear()
            gc.collect()   # what was saved is garbage again: freed by the next one
            gc.garbage.clear()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"seconds {time.perf_counter() - t0:.3f} peak_rss_mb {peak:.0f} collections "
          f"{sum(s['collections'] for s in gc.get_stats())}")


main()
