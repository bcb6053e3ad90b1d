"""An exception that closes a reference cycle through its own traceback.

The demo for the slides (cycle.lua runs it in exclab). With plain python3
it prints the same figures, measured with tracemalloc:

    python3 slides/demos/cycle.py
"""
import gc
import weakref

PAYLOAD = 1000 * 1000  # bytes of working data each job holds (1 MB)


class JobError(Exception):
    pass


# A weak reference to the newest error: it lets the graph find the error
# without keeping it alive.
last_error = None


def run_job():
    data = b"x" * PAYLOAD
    try:
        raise JobError("job failed")
    except JobError as e:
        # Kept past the handler: err -> the exception -> its traceback ->
        # this frame -> err. Only the cyclic collector can free it, and
        # `data` with it.
        err = e
    global last_error
    last_error = weakref.ref(err)
    return "failed"


def run_job_fixed():
    data = b"x" * PAYLOAD
    try:
        raise JobError("job failed")
    except JobError as e:
        summary = str(e)  # keep what the report needs: text, not the exception
    return summary


# Start from a clean slate: what loading this file left for the collector
# goes now, so a collection during the demo means the demo caused it.
gc.collect()


def _main():
    import tracemalloc

    tracemalloc.start()

    def heap():
        return tracemalloc.get_traced_memory()[0]

    before = heap()
    for _ in range(20):
        run_job()
    print("leaky.heap_growth", heap() - before)
    before = heap()
    print("collect.found", gc.collect())
    print("collect.heap_change", heap() - before)
    before = heap()
    for _ in range(20):
        run_job_fixed()
    print("fixed.heap_growth", heap() - before)


if __name__ == "__main__":
    _main()
