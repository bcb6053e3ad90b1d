"""The benchmark workload: a request handler that raises and catches an
exception on every call, with a small local, as a web service's error path
does. Runs the same under plain python3, under tracemalloc, and inside exclab
(bench/workload.lua). Prints `seconds <t>` for the timed loop only.
REQUESTS in the environment sets the number of requests, in exclab too
(bench/probes.py --smoke runs a thousand).

usage: python3 workload.py [--tracemalloc]
"""
import os
import sys
import time

N = int(os.environ.get("REQUESTS", "1000000"))


class NotFound(Exception):
    pass


def lookup(key):
    row = [key] * 8          # a little work and a small local per request
    raise NotFound(key)


def handle(key):
    try:
        lookup(key)
    except NotFound as e:
        return len(e.args)


def run(n=N):
    t0 = time.perf_counter()
    for i in range(n):
        handle(i)
    took = time.perf_counter() - t0
    print(f"seconds {took:.6f}")
    return took


if __name__ == "__main__":
    if "--tracemalloc" in sys.argv:
        import tracemalloc
        tracemalloc.start()
    run()
