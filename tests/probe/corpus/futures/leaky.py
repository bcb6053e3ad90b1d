"""Lookups run as futures, kept by request id for a status page. Leak: a
failed future keeps its exception and its traceback, with the lookup's
frame and the record it was building, for as long as the registry lives."""
from concurrent.futures import ThreadPoolExecutor

pending = {}  # request id -> Future: never pruned


def lookup(user_id):
    record = {"id": user_id, "history": [str(n) for n in range(2000)]}
    if user_id % 5 == 0:
        raise KeyError(f"user {user_id} not found")  # probe: raise
    return record["id"]


with ThreadPoolExecutor(max_workers=2) as pool:
    for user_id in range(100):
        pending[user_id] = pool.submit(lookup, user_id)
    found = sum(1 for f in pending.values() if f.exception() is None)
print(f"{found} users found, {len(pending) - found} missing")
