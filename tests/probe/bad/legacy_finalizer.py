# An object with a legacy finalizer (tp_del) in a cycle: the collector
# leaves it, and what it reaches, alive in gc.garbage; the rest of the
# same collection's garbage it frees. The probe must keep to that rule.
import gc
import weakref

import _testcapi


class Legacy:
    def __init__(self):
        self.me = self
        self.payload = [bytearray(1000)]


Legacy = _testcapi.with_tp_del(Legacy)


class Plain:
    def __init__(self):
        self.me = self


gc.disable()
legacy, plain = Legacy(), Plain()
weakref.finalize(plain, print, "plain freed")
del legacy, plain
print("found", gc.collect())
print(sorted(type(o).__name__ for o in gc.garbage))
print(len(gc.garbage[0].payload[0]))
