"""A batch runner with an ExceptionGroup, fixed: it keeps the messages, and
drops its list of errors once the group has them (as asyncio's TaskGroup
does), so the errors' tracebacks, which hold this frame, make no cycle."""

batches = []


def process(item):
    data = bytearray(30_000)
    raise ValueError(f"item {item}")


def run_batch(b):
    errors = []
    try:
        for item in range(b * 5, b * 5 + 5):
            try:
                process(item)
            except ValueError as e:
                errors.append(e)
        raise ExceptionGroup(f"batch {b}", errors)
    finally:
        errors = None


for b in range(10):
    try:
        run_batch(b)
    except* ValueError as eg:
        batches.append([str(x) for x in eg.exceptions])
print(len(batches))
