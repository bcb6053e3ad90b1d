"""The data layer, fixed: a new NotFound for every raise."""


class NotFound(Exception):
    pass


def fetch_row(table, key):
    page = bytearray(8192)
    raise NotFound("no such row")


def find_user(key):
    return fetch_row("users", key)


def load_profile(key):
    return find_user(key)


def handle_request(key):
    try:
        return load_profile(key)
    except NotFound:
        return None


served = [handle_request(key) for key in range(300)]
print(f"{served.count(None)} requests found nothing")
