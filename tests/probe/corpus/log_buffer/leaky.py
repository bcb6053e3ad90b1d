"""A log handler that keeps the last records in memory for a debug page.
Leak: logger.exception puts exc_info on the record, so each buffered record
keeps the exception, its traceback and the frames' locals (the invoice)."""
import collections
import logging


class RingHandler(logging.Handler):
    def __init__(self, size):
        super().__init__()
        self.records = collections.deque(maxlen=size)

    def emit(self, record):
        self.records.append(record)


ring = RingHandler(1000)
log = logging.getLogger("orders")
log.addHandler(ring)
log.propagate = False


def charge(order):
    invoice = bytearray(40_000)
    raise RuntimeError(f"card declined for order {order}")  # probe: raise


for order in range(60):
    try:
        charge(order)
    except RuntimeError:  # probe: except
        log.exception("order %d failed", order)
print(f"{len(ring.records)} records buffered")
