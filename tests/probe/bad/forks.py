# os.fork() from a program with a single thread: python3 3.12+ warns that
# forking a multi-threaded process may deadlock, and exclab's own threads
# must not make it warn. The child's output comes first, as it is waited for.
import os
import sys

pid = os.fork()
if pid == 0:
    print("child")
    sys.stdout.flush()
    os._exit(0)
os.waitpid(pid, 0)
print("parent")
