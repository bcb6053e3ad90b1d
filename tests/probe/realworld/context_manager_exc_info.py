# expect: kept
import sys
class Recorder:
    def __init__(self): self.errors = []
    def __enter__(self): return self
    def __exit__(self, kind, value, tb):
        if kind:
            self.errors.append((kind, value, tb))
        return True
rec = Recorder()
def step(i):
    chunk = bytearray(30_000)
    raise RuntimeError(i)
for i in range(25):
    with rec:
        step(i)
print(len(rec.errors))
