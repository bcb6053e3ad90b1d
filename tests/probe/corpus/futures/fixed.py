"""The futures registry, fixed: once a lookup is done only its outcome is
kept, never the future that holds the exception."""
from concurrent.futures import ThreadPoolExecutor

outcome = {}  # request id -> "found" or the error's text


def lookup(user_id):
    record = {"id": user_id, "history": [str(n) for n in range(2000)]}
    if user_id % 5 == 0:
        raise KeyError(f"user {user_id} not found")
    return record["id"]


with ThreadPoolExecutor(max_workers=2) as pool:
    futures = {user_id: pool.submit(lookup, user_id) for user_id in range(100)}
    for user_id, f in futures.items():
        error = f.exception()
        outcome[user_id] = "found" if error is None else repr(error)
    del futures, f, error
found = sum(1 for o in outcome.values() if o == "found")
print(f"{found} users found, {len(outcome) - found} missing")
