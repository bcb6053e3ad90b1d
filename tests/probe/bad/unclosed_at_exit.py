# What python3 does after atexit: modules torn down, finalizers run, a file
# never closed flushed. The probe lets the interpreter finish the same way.
import sys

log = open(sys.argv[1], "w")
log.write("written, never closed\n")


class Noisy:
    def __del__(self):
        print("freed at exit")


keep = Noisy()
print("main done")
