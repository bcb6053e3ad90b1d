"""The negative cache, fixed: it keeps the error's text, and each miss
raises a fresh exception."""

_negative = {}  # host -> why its lookup failed


def query_dns(host):
    packet = bytearray(32 * 1024)
    raise OSError(f"{host}: name or service not known")


def resolve(host):
    if host in _negative:
        raise LookupError(f"{host}: {_negative[host]}")
    try:
        return query_dns(host)
    except OSError as e:
        _negative[host] = str(e)
    raise LookupError(f"{host}: {_negative[host]}")


misses = 0
for round_ in range(3):
    for n in range(100):
        try:
            resolve(f"host{n}.invalid")
        except LookupError:
            misses += 1
print(f"{misses} misses, {len(_negative)} hosts cached")
