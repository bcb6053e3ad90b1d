# expect: kept
tbs = []
def step(i):
    chunk = bytearray(30_000)
    raise RuntimeError(i)
for i in range(25):
    try:
        step(i)
    except RuntimeError as e:
        tbs.append(e.__traceback__)
print(len(tbs))
