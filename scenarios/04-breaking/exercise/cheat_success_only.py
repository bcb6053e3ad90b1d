"""A partial fix: breaks the cycle when an attempt succeeds after a failure,
but not when all attempts fail (must fail verify). socket.create_connection
was like this from bpo-31234 (2017) until bpo-36820 (2019).

connect() tries each address in turn and returns the first connection. When
every address refuses, it raises the last error, so the caller sees why.
This is how socket.create_connection was written until bpo-31234 (2017).

Each call that saw a failure leaves a reference cycle behind: only the
garbage collector frees it, with the 200 KB buffer each failed attempt held.

Fix it so that:
  - connect() still returns the first connection that works,
  - it still raises the last ConnectError, with its message, when all fail,
  - and gc.collect() finds nothing after any number of calls.

Run it:  python3 connect.py     (prints what gc.collect() found after 50 calls)
"""

BUFFER = 200 * 1000     # bytes each attempt holds while it runs


class ConnectError(Exception):
    pass


def attempt(address):
    """Try one address. "up:NAME" answers; any other address refuses."""
    buffer = b"x" * BUFFER      # what a real attempt would hold: a handshake
    if address.startswith("up:"):
        return f"connected to {address[3:]}"
    raise ConnectError(f"{address}: connection refused")


def connect(addresses):
    """Return the first connection that works; raise the last error if none
    does."""
    err = None
    for address in addresses:
        try:
            result = attempt(address)
            err = None
            return result
        except ConnectError as e:
            err = e
    if err is not None:
        raise err
    raise ConnectError("no addresses to try")


if __name__ == "__main__":
    import gc
    gc.collect()
    gc.disable()
    for _ in range(25):
        ok = connect(["db1", "up:db2"])
        try:
            connect(["db1", "db2", "db3"])
        except ConnectError as e:
            failed = str(e)
    gc.enable()
    print("one works:", ok)
    print("all fail: ", failed)
    print("gc.collect() found", gc.collect(), "objects (0 once it is fixed)")
