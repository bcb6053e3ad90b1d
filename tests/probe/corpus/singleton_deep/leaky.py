"""A data layer raises one module-level NotFound instance from deep in the
call stack. Leak: every raise of the same instance adds the four frames it
unwinds through to its traceback, each with the 8 KB page it read."""


class NotFound(Exception):
    pass


NOT_FOUND = NotFound("no such row")


def fetch_row(table, key):
    page = bytearray(8192)
    raise NOT_FOUND  # probe: raise


def find_user(key):
    return fetch_row("users", key)


def load_profile(key):
    return find_user(key)


def handle_request(key):
    try:
        return load_profile(key)
    except NotFound:  # probe: except
        return None


served = [handle_request(key) for key in range(300)]
print(f"{served.count(None)} requests found nothing")
