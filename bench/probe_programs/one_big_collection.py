"""One collection that finds 20,000 exception cycles at once (the collector
held off until then): how long exclab probe's look at a collection's
garbage takes when it is large. Prints what gc.collect() found and how
long it took.

    exclab probe --headless bench/probe_programs/one_big_collection.py
    python3 bench/probe_programs/one_big_collection.py
"""
import gc
import time


def handle():
    try:
        raise ValueError("bad request")
    except ValueError as e:
        err = e  # noqa: F841  (the cycle: frame -> err -> traceback -> frame)


gc.disable()
for _ in range(20000):
    handle()
t0 = time.perf_counter()
found = gc.collect()
print(found, f"{time.perf_counter() - t0:.3f} s")
