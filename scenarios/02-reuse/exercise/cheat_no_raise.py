"""A wrong fix that must fail: no exception is raised any more, so
nothing can keep a traceback. The answers of handle() are unchanged, but
authenticate() and find_user() no longer raise.

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
    return TOKENS.get(token)


def find_user(user_id):
    return USERS.get(user_id)


def handle(token, user_id):
    body = b"x" * BODY  # the parsed request: a big local
    # "Fixed" by not raising at all: the answers are the same, but
    # authenticate() and find_user() no longer report errors.
    if token not in TOKENS:
        return 401, "invalid token"
    if user_id not in USERS:
        return 404, "user not found"
    return 200, f"{TOKENS[token]} looked up {USERS[user_id]}"


if __name__ == "__main__":
    for request in [("t-ada", 1), ("nope", 1), ("t-grace", 9), ("t-grace", 2)]:
        print(*request, "->", *handle(*request))
