"""The in-memory log handler, fixed: a record is formatted when it comes in,
and keeps the traceback's text instead of exc_info."""
import collections
import logging


class RingHandler(logging.Handler):
    def __init__(self, size):
        super().__init__()
        self.records = collections.deque(maxlen=size)

    def emit(self, record):
        self.format(record)  # fills record.exc_text
        record.exc_info = None
        self.records.append(record)


ring = RingHandler(1000)
log = logging.getLogger("orders")
log.addHandler(ring)
log.propagate = False


def charge(order):
    invoice = bytearray(40_000)
    raise RuntimeError(f"card declined for order {order}")


for order in range(60):
    try:
        charge(order)
    except RuntimeError:
        log.exception("order %d failed", order)
print(f"{len(ring.records)} records buffered")
