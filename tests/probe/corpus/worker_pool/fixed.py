"""The worker pool, fixed: a failure is recorded as text, not as the
exception with its traceback."""
import threading
from concurrent.futures import ThreadPoolExecutor

failed = []
failed_lock = threading.Lock()


def render(job):
    canvas = bytearray(200_000)
    if job % 4 == 0:
        raise ValueError(f"job {job}: unsupported format")
    return len(canvas)


def worker(job):
    try:
        return render(job)
    except ValueError as e:
        with failed_lock:
            failed.append((job, str(e)))
        return 0


with ThreadPoolExecutor(max_workers=4) as pool:
    sizes = list(pool.map(worker, range(40)))
print(f"rendered {sum(1 for s in sizes if s)} jobs, {len(failed)} failed")
