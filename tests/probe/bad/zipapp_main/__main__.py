# A zip application's __main__ (test_probe_run.py zips this folder): it
# runs from the zip, which is sys.path[0].
import sys

print(__name__, __file__, sys.argv, sys.path[0], type(__loader__).__name__)
