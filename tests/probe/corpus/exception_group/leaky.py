"""A batch runner collects each item's failure into an ExceptionGroup and
keeps every batch's group for a report. Leak: the groups keep all their
exceptions and their frames with 30 KB items."""

batches = []


def process(item):
    data = bytearray(30_000)
    raise ValueError(f"item {item}")


def run_batch(b):
    errors = []
    for item in range(b * 5, b * 5 + 5):
        try:
            process(item)
        except ValueError as e:
            errors.append(e)
    raise ExceptionGroup(f"batch {b}", errors)  # probe: raise


for b in range(10):
    try:
        run_batch(b)
    except* ValueError as eg:  # probe: except
        batches.append(eg)
print(len(batches))
