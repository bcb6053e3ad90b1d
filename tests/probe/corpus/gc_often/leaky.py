"""A request handler that parses JSON bodies: each request allocates enough
containers that the collector runs every few requests. Leak: the handler
binds the parse error to a local, a cycle through its own traceback, and
each cycle keeps the parsed document until the next collection."""
import json


def parse(body):
    document = json.loads(body)
    if "id" not in document:
        raise ValueError("request has no id")  # probe: raise
    return document


def handle(body):
    error = None
    try:
        parse(body)
    except ValueError as e:  # probe: except
        error = e
    return 400 if error is not None else 200


body = json.dumps({"items": [{"n": n, "tags": ["a", "b"]} for n in range(300)]})
statuses = [handle(body) for _ in range(400)]
print(f"{statuses.count(400)} bad requests")
