# Starts threads that outlive the main module: python3 waits for the
# non-daemon one, runs atexit after it, and drops the daemon one.
import atexit
import threading
import time

atexit.register(lambda: print("atexit after the worker"))


def worker():
    time.sleep(0.3)
    print("worker done")


def daemon():
    while True:
        time.sleep(0.05)


threading.Thread(target=daemon, daemon=True).start()
threading.Thread(target=worker).start()
print("main done")
