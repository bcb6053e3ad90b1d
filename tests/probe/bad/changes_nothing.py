# What the probe must leave as python3 has it: the collector's settings,
# gc.garbage, sys.excepthook, what each collection finds and frees (with
# the finalizers it runs, in order), and a program's own DEBUG_SAVEALL.
# exclab's own set-up allocates, so an automatic collection may come
# earlier or later than under python3: the first collect() below evens
# out the garbage imports leave (3.13's weakref import leaves some).
import gc
import sys
import weakref

gc.collect()


class Node:
    def __init__(self, name):
        self.name = name
        self.other = None


def make_cycles(n, tag):
    for i in range(n):
        a, b = Node(f"{tag}{i}a"), Node(f"{tag}{i}b")
        a.other, b.other = b, a
        weakref.finalize(a, print, "freed", a.name)
    try:
        raise ValueError(tag)
    except ValueError as e:
        err = e  # a cycle through the traceback, as the probe looks for


seen = []
gc.callbacks.append(lambda phase, info: seen.append((phase, info["generation"], info["collected"])))
print(gc.isenabled(), gc.get_debug(), gc.get_threshold(), len(gc.garbage))
print(sys.excepthook is sys.__excepthook__)
make_cycles(3, "x")
print("collected", gc.collect())
print(seen[-2:], len(gc.garbage))
gc.set_debug(gc.DEBUG_SAVEALL)
make_cycles(2, "y")
print("collected", gc.collect(), "saved", len(gc.garbage), sorted(type(o).__name__ for o in gc.garbage))
gc.set_debug(0)
gc.garbage.clear()
print(gc.isenabled(), gc.get_debug(), gc.get_threshold(), len(gc.garbage))
