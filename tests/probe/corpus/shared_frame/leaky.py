"""A batch importer records each validation warning, then fails the batch;
the caller keeps the batch's error. Leak: both exceptions' tracebacks hold
the same import frame, with its 500 KB batch buffer."""

warnings = []
failed_batches = []


class Invalid(ValueError):
    pass


def validate(n):
    raise Invalid(f"batch {n}: row 7 has no id")  # probe: raise


def import_batch(n):
    buf = bytearray(500_000)
    try:
        validate(n)
    except Invalid as w:  # probe: except
        warnings.append(w)
    raise RuntimeError(f"batch {n} aborted")  # probe: raise


for n in range(8):
    try:
        import_batch(n)
    except RuntimeError as e:  # probe: except
        failed_batches.append(e)
print(len(warnings), len(failed_batches))
