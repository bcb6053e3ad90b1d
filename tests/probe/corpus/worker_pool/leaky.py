"""A pool of worker threads renders jobs and records the ones that failed.
Leak: the failures keep their exceptions, whose tracebacks keep the render
frames, and so every 200 KB canvas, alive until the program ends."""
import threading
from concurrent.futures import ThreadPoolExecutor

failed = []
failed_lock = threading.Lock()


def render(job):
    canvas = bytearray(200_000)
    if job % 4 == 0:
        raise ValueError(f"job {job}: unsupported format")  # probe: raise
    return len(canvas)


def worker(job):
    try:
        return render(job)
    except ValueError as e:  # probe: except
        with failed_lock:
            failed.append((job, e))
        return 0


with ThreadPoolExecutor(max_workers=4) as pool:
    sizes = list(pool.map(worker, range(40)))
print(f"rendered {sum(1 for s in sizes if s)} jobs, {len(failed)} failed")
