"""A wrong fix that must fail: the errors are not kept at all, so the
summaries lose their failures and messages.

The exercise it fails:

run_batch(records) parses each record and returns a summary: how many
records were done, how many failed, of which kinds, and the messages.
Each parse holds a 200 KB parsed form while it runs. The service runs
with the garbage collector disabled (gc.disable(), as latency-sensitive
servers do), and its memory grows with every batch that has a bad
record: find out why (lesson 3), then fix it so that

  - run_batch() returns exactly the same summaries,
  - and a batch leaves nothing behind for the garbage collector.

exclab verifies your fix by measurement:

    exclab verify scenarios/03-cycles/scenario.lua this_file.py
"""

RECORD = 200 * 1000  # bytes of each record's parsed form


class RecordError(Exception):
    pass


class BadRecord(RecordError):
    pass


class Duplicate(RecordError):
    pass


def parse(record, seen):
    parsed = b"x" * RECORD  # the parsed form: a big local
    if record.startswith("bad"):
        raise BadRecord(f"cannot parse {record!r}")
    if record in seen:
        raise Duplicate(f"{record!r} seen twice")
    seen.add(record)
    return len(parsed)


class BatchProcessor:
    def __init__(self):
        self.errors = []

    def process(self, records):
        seen = set()
        done = 0
        for record in records:
            try:
                parse(record, seen)
                done += 1
            except RecordError:
                pass                    # "fixed": errors are no longer kept
        return done

    def summary(self, done):
        kinds = {}
        for error in self.errors:
            name = type(error).__name__
            kinds[name] = kinds.get(name, 0) + 1
        counts = " ".join(f"{k}={v}" for k, v in sorted(kinds.items()))
        messages = "; ".join(str(error) for error in self.errors)
        return f"done={done} failed={len(self.errors)} {counts} | {messages}"


def run_batch(records):
    processor = BatchProcessor()
    done = processor.process(records)
    return processor.summary(done)


if __name__ == "__main__":
    print(run_batch(["r1", "bad-2", "r3", "r1", "r4"]))
