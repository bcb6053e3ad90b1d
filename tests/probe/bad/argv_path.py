# What python3 gives a script: sys.argv, sys.path[0], __main__'s globals.
import os
import sys

print(sys.argv)
print(sys.path[0] == os.path.dirname(os.path.realpath(__file__)))
print(__name__, os.path.isabs(__file__), sorted(k for k in globals() if k.startswith("__")))
print(sys.flags.isolated, sys.flags.no_site)
print(sys.orig_argv[1:])
