"""A config loader parses files under a lock and keeps the parse errors to
show them all at once. Leak: the list keeps each exception, with its
traceback's frames and their 120 KB file contents. The exception goes
through the with statement (the lock's exit lets it go on) to the except
clause around it."""
import threading

lock = threading.Lock()
errors = []


def parse(name):
    text = bytearray(120_000)
    raise ValueError(f"{name}: line 1: unexpected token")  # probe: raise


def load(name):
    try:
        with lock:
            return parse(name)
    except ValueError as e:  # probe: except
        errors.append(e)


for n in range(25):
    load(f"conf.d/{n}.toml")
print(len(errors), "errors")
