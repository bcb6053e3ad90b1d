"""A half fix that must fail: the instances stay shared, reset before
each raise. The chain no longer grows, but each instance still keeps
its last raise's frames, and that request's body, alive.

The exercise it fails:

handle(token, user_id) answers one request with (status, message). Its
errors are made once, in the Errors class, and raised on every failed
request. Run it a few hundred times and the process grows: find out why
(lesson 2), then fix it so that

  - every request still gets the same (status, message) answer,
  - authenticate() and find_user() still raise Unauthorized / NotFound
    with the same messages,
  - and memory stays flat however many requests fail.

exclab verifies your fix by measurement:

    exclab verify scenarios/02-reuse/scenario.lua this_file.py
"""

BODY = 100 * 1000  # bytes of request body each request parses


class ApiError(Exception):
    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


class Unauthorized(ApiError):
    pass


class NotFound(ApiError):
    pass


class Errors:
    bad_token = Unauthorized("invalid token", 401)
    user_not_found = NotFound("user not found", 404)


TOKENS = {"t-ada": "ada", "t-grace": "grace"}
USERS = {1: "Ada Lovelace", 2: "Grace Hopper"}


def authenticate(token):
    if token not in TOKENS:
        raise Errors.bad_token.with_traceback(None)
    return TOKENS[token]


def find_user(user_id):
    if user_id not in USERS:
        raise Errors.user_not_found.with_traceback(None)
    return USERS[user_id]


def handle(token, user_id):
    body = b"x" * BODY  # the parsed request: a big local
    try:
        caller = authenticate(token)
        name = find_user(user_id)
        return 200, f"{caller} looked up {name}"
    except ApiError as e:
        return e.status, str(e)


if __name__ == "__main__":
    for request in [("t-ada", 1), ("nope", 1), ("t-grace", 9), ("t-grace", 2)]:
        print(*request, "->", *handle(*request))
