"""What an exception kept after its handler holds: its traceback, the
frames it passed through, and their locals.

The Python of the workshop deck's first live slide (its Lua is inline in
slides/workshop.md). With plain python3 it prints the same figures:

    python3 slides/demos/holds.py
"""
PAYLOAD = 1000 * 1000  # bytes of the file load() has read (1 MB)

saved = None  # the last error, kept "for the report"


def parse(data):
    raise ValueError("bad record")


def load():
    data = b"x" * PAYLOAD  # a local of load(): the file's contents
    parse(data)


def run():
    global saved
    try:
        load()
    except ValueError as e:
        saved = e  # outlives the handler, and with it load()'s frame and data


def forget():
    global saved
    saved = None


def chain_length(exc):
    n, tb = 0, exc.__traceback__
    while tb is not None:
        n, tb = n + 1, tb.tb_next
    return n


if __name__ == "__main__":
    import tracemalloc

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    run()
    print("kept.chain", chain_length(saved))
    print("kept.heap_growth", tracemalloc.get_traced_memory()[0] - before)
    forget()
    print("forgotten.heap_change", tracemalloc.get_traced_memory()[0] - before)
