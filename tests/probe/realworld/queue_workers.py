# expect: none
import threading, queue
q = queue.Queue()
def work():
    while True:
        item = q.get()
        if item is None: break
        try:
            if item % 5 == 0: raise ValueError(item)
        except ValueError:
            pass
ts = [threading.Thread(target=work) for _ in range(4)]
for t in ts: t.start()
for i in range(20000): q.put(i)
for t in ts: q.put(None)
for t in ts: t.join()
print("done")
