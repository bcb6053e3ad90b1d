# A program's gc callback that empties gc.callbacks when a collection
# starts: exclab's entry, first in the list, has already asked that
# collection to save its garbage (DEBUG_SAVEALL), and its "stop" never
# comes. The collector must still free it, the flags stay the program's.
import gc


def forget_all(phase, info):
    if phase == "start":
        gc.callbacks.clear()


class Node:
    pass


gc.callbacks.append(forget_all)
for round in range(2):
    for i in range(3):
        a = Node()
        a.a = a
    del a
    print(gc.collect(), gc.get_debug(), len(gc.garbage), gc.callbacks)
