"""Lesson 6's service (scenarios/06-finding/app.py) run as a program of
its own: 20 missing GETs and 20 bad POSTs, the two leaks the lesson finds
with the standard tools. For exclab probe (test_lesson6.py), and for the
learner: exclab probe tests/probe/lesson6/serve.py"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scenarios", "06-finding"))

import app  # noqa: E402

print(app.serve("get_missing", 20))
print(app.serve("post_bad", 20))
