"""A sync client, imported by leaky.py: a missing file is skipped, a busy
server retried later. Leak: `pending` is a local of the frame the error's
traceback holds, so every deferred file leaves a reference cycle with its
60 KB block for the collector. The cycle is made by the second except
clause of the try, in a module the program imports."""


class ServerBusy(Exception):
    pass


def upload(n):
    block = bytearray(60_000)
    if n % 2:
        raise FileNotFoundError(f"file {n}")
    raise ServerBusy(f"server busy for file {n}")  # probe: raise


def sync(n):
    pending = None
    try:
        upload(n)
    except FileNotFoundError:
        return "skipped"
    except ServerBusy as e:  # probe: except
        pending = e
    return "deferred" if pending else "done"
