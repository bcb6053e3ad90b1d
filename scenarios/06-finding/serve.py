"""Lesson 6's service (app.py, beside this file) run as a program of its
own: 20 missing GETs, then 20 bad POSTs, the two leaks the lesson finds
with the standard tools. For the learner, from the course's folder:

    exclab probe scenarios/06-finding/serve.py

and for tests/probe/test_lesson6.py, which checks what exclab probe
reports here against what tracemalloc measures under plain python3.
"""
import app

print(app.serve("get_missing", 20))
print(app.serve("post_bad", 20))
