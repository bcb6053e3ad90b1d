"""A migration wraps each failure, fixed: it keeps the messages."""


class MigrationError(Exception):
    pass


def migrate(step):
    rows = bytearray(50_000)
    raise OSError(f"step {step}: disk full")


story = []
for step in range(40):
    try:
        try:
            migrate(step)
        except OSError as e:
            raise MigrationError(f"step {step}") from e
    except MigrationError as m:
        story.append(str(m))
print(story[-1])
