"""What verify runs against the learner's copy (loaded after it, into the
same namespace): a service, requests, and the measurements.

    warm()           one request of each kind; the responses, one a line
    run(n)           n requests, the GC disabled; the stats
    collect()        gc.collect(), then the GC enabled again
    longest_chain()  the longest traceback chain of any live exception
"""
import gc

KEYS = ("apple", "pear", "plum", "kiwi")   # ok, retried, gave up, missing
service = None


def warm():
    global service
    service = PriceService(Backend())
    return "\n".join(f"{s} {t}" for s, t in (service.handle(k) for k in KEYS))


def run(n):
    """n requests, the four kinds in turn, with the GC disabled: it stays
    off until collect(), so any
    cycle the requests made is still there for that collection to find."""
    start = dict(service.stats)
    gc.disable()
    try:
        for i in range(n):
            service.handle(KEYS[i % len(KEYS)])
    except BaseException:
        gc.enable()
        raise
    return " ".join(f"{k}={service.stats[k] - start[k]}" for k in sorted(start))


def collect():
    """gc.collect() (it runs even while the GC is disabled), then enable
    the GC again. Returns how many unreachable objects it found."""
    try:
        return gc.collect()
    finally:
        gc.enable()


def longest_chain():
    longest = 0
    for o in gc.get_objects():
        if isinstance(o, BaseException):
            n, tb = 0, o.__traceback__
            while tb is not None:
                n, tb = n + 1, tb.tb_next
            longest = max(longest, n)
    return longest
