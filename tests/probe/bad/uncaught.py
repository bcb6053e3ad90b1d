# An uncaught exception with a chained cause: printed by sys.excepthook
# exactly as python3 prints it, status 1.
def load(path):
    try:
        open(path)
    except OSError as e:
        raise RuntimeError(f"cannot load {path}") from e


load("/nonexistent/config.toml")
