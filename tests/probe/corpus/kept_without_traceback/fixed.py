"""An API layer keeps its errors for the error page, fixed: stripped of
their traceback and of the error they were raised in handling."""


class ApiError(Exception):
    pass


recent = []


def query(n):
    result = bytearray(70_000)
    raise LookupError(f"row {n} missing")


def endpoint(n):
    try:
        try:
            query(n)
        except LookupError:
            raise ApiError(f"GET /rows/{n}: 404")
    except ApiError as e:
        e.__context__ = None
        recent.append(e.with_traceback(None))


for n in range(30):
    endpoint(n)
print(len(recent))
