# Runs until stopped. Catches the first KeyboardInterrupt to shut down
# cleanly, as a server does; a second one (or a time limit) must still end it.
import time

try:
    print("serving", flush=True)
    while True:
        time.sleep(0.05)
except KeyboardInterrupt:
    print("shutting down", flush=True)
    while True:
        time.sleep(0.05)
