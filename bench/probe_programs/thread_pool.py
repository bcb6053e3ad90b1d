"""A thread pool: workers parse and checksum records; a record in eight is
corrupt and its exception is logged as text. usage: thread_pool.py [JOBS]"""
import hashlib
import sys
import time
from concurrent.futures import ThreadPoolExecutor

errors = []


def process(job):
    record = {"id": job, "fields": [str(job * k) for k in range(40)]}
    if job % 8 == 0:
        raise ValueError(f"record {job} is corrupt")
    return hashlib.sha1(",".join(record["fields"]).encode()).hexdigest()


def worker(job):
    try:
        return process(job)
    except ValueError as e:
        errors.append(f"{job}: {e}")
        return None


def main(n):
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        digests = list(pool.map(worker, range(n), chunksize=64))
    print(f"seconds {time.perf_counter() - t0:.3f} jobs {len(digests)} errors {len(errors)}")


main(int(sys.argv[1]) if len(sys.argv) > 1 else 60000)
