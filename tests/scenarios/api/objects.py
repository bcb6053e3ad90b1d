"""Fixtures for the api/ scenarios: the objects a lesson author names."""
import gc
import weakref


class CustomError(Exception):
    pass


class Job:
    def __init__(self):
        self.result = None   # an attribute that exists and is None
        self._exc = None


class Node:
    pass


saved = None        # parse()'s error, once keep() has run
last = None         # a weak reference to the newest Job, once remember() has run
jobs = []           # what keeps those jobs alive
box = Job()
box_ref = weakref.ref(box)


def parse():
    buffer = bytearray(100_000)
    raise CustomError("bad record")


def keep():
    """saved: the error, and through its traceback parse()'s frame and buffer."""
    global saved
    try:
        parse()
    except CustomError as e:
        saved = e


def remember():
    """A job that stores its error, kept in jobs; last: a weak reference to it."""
    global last
    job = Job()
    try:
        parse()
    except CustomError as e:
        job._exc = e
    jobs.append(job)
    last = weakref.ref(job)


def make_garbage():
    """An error whose traceback holds this frame, which holds the error in
    `err`: a cycle that nothing else keeps once this returns. The ids of the
    error and of the frame: numbers, which keep nothing alive."""
    gc.disable()   # until the scenario collects: no automatic collection takes it first
    try:
        parse()
    except CustomError as e:
        err = e
    return [id(err), id(err.__traceback__.tb_frame)]


def make_groups():
    """ring: one group of objects that reach each other, holding two loops
    (a -> b -> a, and a -> a). pair: two groups, one loop each."""
    global ring, pair
    a, b = Node(), Node()
    a.next, b.next, a.me = b, a, a
    ring = a
    x, y = [], []
    x.append(x)
    y.append(y)
    pair = [x, y]


def frame_has_locals_dict():
    """Has anything made a locals dict on parse()'s frame? Reading f_locals
    would (on 3.11); naming a local with local:NAME must not."""
    frame = saved.__traceback__.tb_next.tb_frame
    return any(type(r) is dict and "buffer" in r for r in gc.get_referents(frame))
