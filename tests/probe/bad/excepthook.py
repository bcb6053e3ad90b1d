# The program's own sys.excepthook prints the uncaught exception.
import sys


def hook(kind, value, tb):
    print(f"custom hook: {kind.__name__}: {value}", file=sys.stderr)


sys.excepthook = hook
raise LookupError("no such key")
