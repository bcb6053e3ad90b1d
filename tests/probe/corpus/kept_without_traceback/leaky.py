"""An API layer wraps each failure in an ApiError and keeps it for the
error page, stripped of its own traceback, as it was told. Leak: the
ApiError's __context__, the error it was raised in handling, still has
its traceback, with the frames and their 70 KB result buffers."""


class ApiError(Exception):
    pass


recent = []


def query(n):
    result = bytearray(70_000)
    raise LookupError(f"row {n} missing")  # probe: raise


def endpoint(n):
    try:
        try:
            query(n)
        except LookupError:  # probe: except
            raise ApiError(f"GET /rows/{n}: 404")
    except ApiError as e:
        recent.append(e.with_traceback(None))


for n in range(30):
    endpoint(n)
print(len(recent))
