# expect: none
import logging, io
stream = io.StringIO()
logging.basicConfig(stream=stream, level=logging.INFO)
log = logging.getLogger("app")
for i in range(500):
    try:
        1 / 0
    except ZeroDivisionError:
        log.exception("failed %d", i)
print(len(stream.getvalue()) > 0)
