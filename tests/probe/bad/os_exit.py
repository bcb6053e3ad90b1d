# os._exit ends the process at once: no atexit, no flush of buffered output.
import atexit
import os
import sys

atexit.register(print, "atexit must not run")
print("before os._exit", flush=True)
sys.stdout.write("buffered, lost as under python3")
os._exit(7)
