"""Works cleanly for a second, then starts keeping every failed request's
exception; prints the wall-clock time the leak starts. For the latency of
a finding. usage: leak_latency.py"""
import time

kept = []


def handle(n, keep):
    body = bytearray(20_000)
    try:
        raise ConnectionError(f"request {n} reset")
    except ConnectionError as e:
        if keep:
            kept.append(e)


t0 = time.monotonic()
n = 0
while time.monotonic() - t0 < 1.0:
    handle(n, False)
    n += 1
    time.sleep(0.001)
print(f"leak starts {time.time():.3f}", flush=True)
while time.monotonic() - t0 < 3.0:
    handle(n, True)
    n += 1
    time.sleep(0.01)
