"""A batch importer, fixed: the warnings and the batch errors are kept as text."""

warnings = []
failed_batches = []


class Invalid(ValueError):
    pass


def validate(n):
    raise Invalid(f"batch {n}: row 7 has no id")


def import_batch(n):
    buf = bytearray(500_000)
    try:
        validate(n)
    except Invalid as w:
        warnings.append(str(w))
    raise RuntimeError(f"batch {n} aborted")


for n in range(8):
    try:
        import_batch(n)
    except RuntimeError as e:
        failed_batches.append(str(e))
print(len(warnings), len(failed_batches))
