"""Lesson 6, first step: the minimal loop of the article that started
this course, measured.

The article raises one exception instance 10,000 times in a loop and
prints the process's RSS now and then. What that loop really shows: the
instance's traceback gains one entry per raise, and every entry keeps a
traceback object (56 bytes) alive. Raise and handler are in the same
frame, so every entry points at that one frame: the RSS grows by about
one small object per raise, not by "a traceback with its context".

Move the raise into a function that holds a big local, and every raise
keeps that function's frame, and the big local with it.

    seed_loop(n, every)   the article's loop: n raises, RSS every `every`
    from_function(n)      n raises from a function with a 500 KB local
    reset()               drop the instance's chain (frees what it kept)

Runs on its own, printing "key value" lines:

    /usr/bin/python3.11 scenarios/06-finding/seed_loop.py
"""
import ctypes
import gc
import os

PAGE = os.sysconf("SC_PAGE_SIZE")
BIG = 500 * 1000  # bytes: the local of from_function's raiser


def trim():
    """Give back to the OS what the C allocator holds but does not use
    (glibc's malloc_trim): else memory freed earlier is reused first,
    and RSS grows by less than what is kept."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def rss():
    """Resident memory: field 2 of /proc/self/statm, in pages. The
    article collects first; that changes nothing here (no cycles)."""
    gc.collect()
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


class MyException(Exception):
    pass


exc = MyException()   # one instance, raised every time


def seed_loop(n=10000, every=2000):
    """The article's loop. Returns (RSS growth, chain length)."""
    trim()
    start = rss()
    for i in range(n):
        try:
            raise exc
        except MyException:
            pass
        if every and i % every == 0:
            print(f"raise {i}: RSS {rss() / 1e6:.2f} MB")
    return rss() - start, chain_length(exc)


def raiser():
    big = b"x" * BIG     # a big local, as a request's data would be
    raise exc


def from_function(n=100):
    """The same instance raised from raiser(). Returns (RSS growth,
    chain length)."""
    trim()
    start = rss()
    for _ in range(n):
        try:
            raiser()
        except MyException:
            pass
    return rss() - start, chain_length(exc)


def reset():
    exc.__traceback__ = None


def chain_length(e):
    n = 0
    tb = e.__traceback__
    while tb is not None:
        n += 1
        tb = tb.tb_next
    return n


if __name__ == "__main__":
    import sys
    v = sys.version_info
    print("python.version", f"{v.major}.{v.minor}.{v.micro}")
    grown, chain = seed_loop(10000, 0)
    print("seed.raises", 10000)
    print("seed.chain", chain)
    print("seed.rss_growth", grown)
    print("seed.rss_per_raise", round(grown / 10000, 1))
    reset()
    grown, chain = from_function(100)
    print("function.raises", 100)
    print("function.chain", chain)
    print("function.rss_growth", grown)
    print("function.rss_per_raise", round(grown / 100))
