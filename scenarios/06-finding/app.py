"""Lesson 6: a small service with two leaks in it, to find them.

An item store answers requests. Two of its paths leak, each in one of
the ways of the earlier lessons:

    GET a missing item   raises one shared instance, NOT_FOUND: its
                         traceback grows by two entries per request and
                         keeps each request's frames (lesson 2)
    POST a bad upload    the handler keeps the exception in a local,
                         `err = e`: a reference cycle through its frame,
                         freed only when the cyclic GC runs (lesson 3)

Each leaky path holds a big local while it fails: GET unpacks a 100 KB
shard index, POST unpacks a 200 KB upload. Good requests leak nothing.

    handle(method, path, body)   one request; returns (status, text)
    serve(kind, n)               n requests of one kind (below); returns
                                 the last (status, text)

exclab's scenario loads this file, then the tools (findleaks.py) and the
lesson's experiments (experiments.py), which drive serve(). Run
experiments.py with plain Python to get the same figures:

    /usr/bin/python3.11 scenarios/06-finding/experiments.py
"""
import zlib

SHARD = 100 * 1000    # bytes: a shard index, unpacked for every GET
UPLOAD = 200 * 1000   # bytes: an upload, unpacked for every POST

# What arrives packed: a shard on disk, and the request bodies the
# experiments send (a good upload is JSON, a bad one is not).
SHARD_PACKED = zlib.compress(b"i" * SHARD)
GOOD_BODY = zlib.compress(b"{" + b" " * (UPLOAD - 2) + b"}")
BAD_BODY = zlib.compress(b"?" * UPLOAD)

ITEMS = {"1": "apple", "2": "pear"}


class ServiceError(Exception):
    status = 500


class NotFound(ServiceError):
    status = 404


class BadRequest(ServiceError):
    status = 400


# Leak 1: one instance, made once, raised for every missing item.
NOT_FOUND = NotFound("no such item")


def handle(method, path, body=b""):
    """One request: returns (status, text)."""
    try:
        if method == "GET":
            return 200, get_item(path)
        if method == "POST":
            return post_item(body)
        return 405, "method not allowed"
    except NotFound as e:
        return e.status, str(e)


def get_item(item_id):
    index = zlib.decompress(SHARD_PACKED)   # GET's payload: 100 KB
    if item_id not in ITEMS:
        raise NOT_FOUND                     # leak 1: the shared instance
    return ITEMS[item_id]


def post_item(body):
    err = None
    try:
        name = validate(body)
    except BadRequest as e:
        err = e                             # leak 2: a cycle via the frame
    if err is not None:
        return err.status, f"bad request: {err}"
    return 201, f"created {name}"


def validate(body):
    data = zlib.decompress(body)            # POST's payload: 200 KB
    if not data.startswith(b"{"):
        raise BadRequest("not JSON")
    return f"{len(data)} bytes"


# The kinds of request the experiments send.
REQUESTS = {
    "get_ok": ("GET", "1", b""),
    "get_missing": ("GET", "99", b""),
    "post_ok": ("POST", "", GOOD_BODY),
    "post_bad": ("POST", "", BAD_BODY),
}


def serve(kind, n=1):
    """n requests of one kind, from one loop; returns the last response."""
    method, path, body = REQUESTS[kind]
    response = None
    for _ in range(n):
        response = handle(method, path, body)
    return response
