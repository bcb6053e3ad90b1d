"""A migration wraps each failure in a MigrationError raised from the
previous one, so the last error tells the whole story. Leak: the __cause__
chain grows with every failure, each link keeping its traceback's frames
and 50 KB rows."""


class MigrationError(Exception):
    pass


def migrate(step):
    rows = bytearray(50_000)
    raise OSError(f"step {step}: disk full")


last = None
for step in range(40):
    try:
        try:
            migrate(step)
        except OSError as e:
            raise MigrationError(f"step {step}") from (last or e)  # probe: raise
    except MigrationError as m:  # probe: except
        last = m
print(last)
