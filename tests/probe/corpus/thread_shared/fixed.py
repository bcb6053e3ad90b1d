"""The rate limiter, fixed: a new exception for every rejection."""
import threading


class RateLimited(Exception):
    pass


class Limiter:
    def acquire(self):
        window = bytearray(4096)
        raise RateLimited("rate limit exceeded")


limiter = Limiter()
rejected = {}


def client(name):
    rejected[name] = 0
    for _ in range(200):
        try:
            limiter.acquire()
        except RateLimited:
            rejected[name] += 1


threads = [threading.Thread(target=client, args=(f"c{n}",)) for n in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sum(rejected.values()), "requests rejected")
