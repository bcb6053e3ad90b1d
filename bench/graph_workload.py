"""The graph benchmark's object graph: one exception instance raised again
and again (lesson 1's leak), until its traceback chain and the frames and
locals it keeps add up to about 10,000 objects (RAISES=125 in the
environment gives about 1,000).

    python3 bench/graph_workload.py            # builds it and prints its size
"""
import gc
import os


class CustomError(Exception):
    pass


class Errors:
    user_not_found = CustomError("user not found")


def lookup_user(user_id):
    record = {"id": user_id, "tags": [user_id, str(user_id)]}
    raise Errors.user_not_found


def handle_request(user_id):
    try:
        lookup_user(user_id)
    except CustomError:
        return None


for i in range(int(os.environ.get("RAISES", "1250"))):
    handle_request(i)

root = Errors.user_not_found


def reachable(obj):
    """Objects reachable from obj the way exclab walks (module dicts, classes,
    modules and code objects not followed), for the benchmark's record."""
    seen = {id(obj)}
    todo = [obj]
    while todo:
        o = todo.pop()
        if isinstance(o, (type, type(gc), type(reachable.__code__))):
            continue
        if isinstance(o, dict) and "__name__" in o and ("__builtins__" in o or "__spec__" in o):
            continue
        for r in gc.get_referents(o):
            if id(r) not in seen:
                seen.add(id(r))
                todo.append(r)
    return len(seen)


if __name__ == "__main__":
    print("objects", reachable(root))
