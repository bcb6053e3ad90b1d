"""Run a program under python3 with objgraph's growth tracking: a thread
calls objgraph.growth() every second while it runs, as one watches a
program for leaks with objgraph. usage: objgraph_growth.py PROGRAM [ARGS]"""
import runpy
import sys
import threading

import objgraph

stop = threading.Event()


def watch():
    while not stop.wait(1.0):
        objgraph.growth(limit=10)


threading.Thread(target=watch, daemon=True).start()
sys.argv = sys.argv[1:]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    stop.set()
