"""A rate limiter shared by client threads raises one class-level instance.
Leak: the instance's traceback grows with every raise, from every thread,
keeping each acquire frame and its 4 KB window alive."""
import threading


class RateLimited(Exception):
    pass


class Limiter:
    REJECTED = RateLimited("rate limit exceeded")

    def acquire(self):
        window = bytearray(4096)
        raise self.REJECTED  # probe: raise


limiter = Limiter()
rejected = {}


def client(name):
    rejected[name] = 0
    for _ in range(200):
        try:
            limiter.acquire()
        except RateLimited:  # probe: except
            rejected[name] += 1


threads = [threading.Thread(target=client, args=(f"c{n}",)) for n in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sum(rejected.values()), "requests rejected")
