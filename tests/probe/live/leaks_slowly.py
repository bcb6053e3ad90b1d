# A server that keeps every failed request's exception, one every 50 ms,
# and shuts down cleanly on the first Ctrl-C (a second one ends it).
import time

failures = []


def handle(n):
    body = bytearray(100_000)
    raise ConnectionError(f"request {n}: upstream reset")


print("serving", flush=True)
print("leak starts", time.monotonic(), flush=True)
try:
    n = 0
    while True:
        try:
            handle(n)
        except ConnectionError as e:
            failures.append(e)
        n += 1
        time.sleep(0.05)
except KeyboardInterrupt:
    print("shutting down", flush=True)
    while True:
        time.sleep(0.05)
