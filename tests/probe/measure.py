"""Measure a program's leak with tracemalloc, under plain python3.

usage: python3 measure.py PROGRAM.py 'release' STATEMENT | 'gc'

Runs the program as __main__ (its output thrown away), with its folder
first on sys.path as python3 PROGRAM.py has it, and tracemalloc on from
the start, and prints one number, in bytes:
  release: what the statement frees, run in the program's globals after
           the program ended (a collection before and after);
  gc:      what the cyclic garbage collector freed while the program ran,
           and at a last collection after it: the traced memory at each
           collection's start less that at its stop, added up.
"""
import contextlib
import gc
import io
import os
import runpy
import sys
import tracemalloc

path, mode = sys.argv[1], sys.argv[2]
freed = 0
at_start = 0


def on_collection(phase, info):
    global freed, at_start
    now = tracemalloc.get_traced_memory()[0]
    if phase == "start":
        at_start = now
    else:
        freed += at_start - now


path = os.path.abspath(path)
os.chdir(os.path.dirname(path))
sys.path.insert(0, os.path.dirname(path))
tracemalloc.start()
gc.callbacks.append(on_collection)
with contextlib.redirect_stdout(io.StringIO()):
    program = runpy.run_path(path, run_name="__main__")
gc.collect()
if mode == "gc":
    print(freed)
else:
    gc.callbacks.remove(on_collection)
    before = tracemalloc.get_traced_memory()[0]
    exec(sys.argv[3], program)
    gc.collect()
    print(before - tracemalloc.get_traced_memory()[0])
