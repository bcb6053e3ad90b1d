"""A resolver with a negative cache: a failed lookup is remembered, so the
next one for that host fails at once. Leak: the cache keeps the exception
itself, and so its traceback and the 32 KB query buffer of its frame."""

_negative = {}  # host -> the error of its failed lookup


def query_dns(host):
    packet = bytearray(32 * 1024)
    raise OSError(f"{host}: name or service not known")  # probe: raise


def resolve(host):
    if host in _negative:
        raise LookupError(host) from _negative[host]
    try:
        return query_dns(host)
    except OSError as e:  # probe: except
        _negative[host] = e
        raise LookupError(host) from e


misses = 0
for round_ in range(3):
    for n in range(100):
        try:
            resolve(f"host{n}.invalid")
        except LookupError:
            misses += 1
print(f"{misses} misses, {len(_negative)} hosts cached")
