"""A config loader, fixed: it keeps the errors' text."""
import threading

lock = threading.Lock()
errors = []


def parse(name):
    text = bytearray(120_000)
    raise ValueError(f"{name}: line 1: unexpected token")


def load(name):
    try:
        with lock:
            return parse(name)
    except ValueError as e:
        errors.append(str(e))


for n in range(25):
    load(f"conf.d/{n}.toml")
print(len(errors), "errors")
