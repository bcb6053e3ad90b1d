"""Objects of every type the graph names edges for, for referents.lua."""
import weakref


class AppError(Exception):
    pass


class Plain:
    def __init__(self):
        self.name = "plain"
        self.items = [1, 2]


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self):
        self.a = [1]
        self.b = {"k": "v"}


class Report(list):
    pass


def make_closure():
    counter = [0]

    def bump(step=1, *, scale=2):
        counter[0] += step * scale
        return counter[0]
    return bump


def fail():
    payload = bytearray(1000)
    helper = Plain()
    raise AppError("fixture")


try:
    try:
        raise KeyError("first")
    except KeyError as first:
        try:
            fail()
        except AppError as e:
            e.add_note("a note")
            raise ValueError("second") from e
except ValueError as caught:
    chained = caught

inner = chained.__cause__
traceback = inner.__traceback__
frame = traceback.tb_next.tb_frame        # fail()'s frame, finished
closure = make_closure()
cell = closure.__closure__[0]
plain = Plain()
with_dict = Plain()
with_dict.__dict__                         # 3.11, 3.12: switches it to a real dict
own_dict = Plain()
own_dict.__dict__ = {"items": [3]}         # a dict of its own, on every version
slotted = Slotted()
method = plain.__init__
a_dict = {"x": plain, 1: [2], ("t",): "y"}
a_list = [plain, plain, "s", 3]
a_tuple = (plain, a_list)
a_set = {1, "two", (3,)}
report = Report(["text", Slotted()])
report.title = "a list subclass with attributes"
builtin = a_list.append
self_list = []
self_list.append(self_list)
ref = weakref.ref(inner)
