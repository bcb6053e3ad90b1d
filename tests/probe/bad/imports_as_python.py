# What the program finds imported, and which importers are cached, when it
# starts: python3's own start-up, nothing of exclab's. Then its first
# collection finds only its own garbage.
import gc
import sys

print(sorted(sys.modules))
print(sorted(sys.path_importer_cache))
print(gc.collect())
