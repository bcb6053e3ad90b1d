"""The JSON handler, fixed: the error is not bound to a local."""
import json


def parse(body):
    document = json.loads(body)
    if "id" not in document:
        raise ValueError("request has no id")
    return document


def handle(body):
    try:
        parse(body)
    except ValueError:
        return 400
    return 200


body = json.dumps({"items": [{"n": n, "tags": ["a", "b"]} for n in range(300)]})
statuses = [handle(body) for _ in range(400)]
print(f"{statuses.count(400)} bad requests")
