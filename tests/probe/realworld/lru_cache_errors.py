# expect: kept
import functools
@functools.lru_cache(maxsize=None)
def lookup(key):
    data = bytearray(40_000)
    try:
        raise KeyError(key)
    except KeyError as e:
        return e
for k in range(30):
    lookup(k)
print("ok")
