"""Exercise (lesson 1), a wrong fix for `exclab check`: it forgets the
error, so status() says "ok" after a batch with bad records.

The exercise:

Importer.run() imports a batch of records. A record it cannot parse is
skipped, and the error is kept so that status() can report it later.

The problem: after run() returns, the importer keeps megabytes alive that
no one needs any more. Find what holds them, and change the code so that
it keeps only what status() needs. run() and status() must return what
they return now.

Check your fix with: exclab verify scenarios/01-traceback/scenario.lua FILE
"""

BLOCK = 4 * 1000 * 1000  # bytes (4 MB): the block a record is decoded into


class Importer:
    def __init__(self):
        self.last_error = None

    def decode(self, record):
        block = record.encode().ljust(BLOCK, b" ")  # padded to 4 MB
        if not block.startswith(b"id="):
            raise ValueError(f"no id in record {record!r}")
        return int(block[3:].split()[0])

    def run(self, records):
        """Import every record; return how many were imported."""
        imported = 0
        for record in records:
            try:
                self.decode(record)
                imported += 1
            except ValueError as e:
                pass
        return imported

    def status(self):
        """One line for a status page."""
        if self.last_error is None:
            return "ok"
        return f"last error: {self.last_error}"


if __name__ == "__main__":
    importer = Importer()
    print(importer.run(["id=1", "id=2", "oops", "id=4"]))
    print(importer.status())
