# expect: none
import json, re
def parse(lines):
    for line in lines:
        try:
            yield json.loads(line)
        except json.JSONDecodeError:
            continue
def stage(g):
    for x in g:
        try:
            yield int(x["n"])
        except (KeyError, ValueError, TypeError):
            pass
lines = ['{"n": 1}', 'bad', '{"n": "x"}', '{"m": 2}'] * 5000
print(sum(stage(parse(lines))))
def g():
    while True:
        try:
            yield
        except RuntimeError as e:
            pass
it = g(); next(it)
for i in range(1000):
    it.throw(RuntimeError(str(i)))
for i in range(2000):
    try:
        re.compile("(")
    except re.error:
        pass
    try:
        try:
            {}["k"]
        except KeyError as e:
            raise e
    except KeyError:
        pass
print("ok")
