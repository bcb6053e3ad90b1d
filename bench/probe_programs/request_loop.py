"""A request loop: parse a JSON body, route it, build a response; one
request in ten is bad and answered 400 (a fresh exception, caught and
dropped: nothing leaks). usage: request_loop.py [REQUESTS]"""
import json
import sys
import time

ROUTES = {}


def route(path):
    def register(fn):
        ROUTES[path] = fn
        return fn
    return register


class BadRequest(Exception):
    pass


@route("/orders")
def orders(doc):
    if "customer" not in doc:
        raise BadRequest("no customer")
    lines = [{"sku": item["sku"], "total": item["qty"] * item["price"]} for item in doc["items"]]
    return {"customer": doc["customer"], "lines": lines, "total": sum(l["total"] for l in lines)}


def handle(path, body):
    try:
        doc = json.loads(body)
        return 200, json.dumps(ROUTES[path](doc))
    except (BadRequest, KeyError, ValueError) as e:
        return 400, json.dumps({"error": str(e)})


def main(n):
    good = json.dumps({"customer": "c1", "items": [{"sku": f"s{i}", "qty": i, "price": 2.5}
                                                   for i in range(20)]})
    bad = json.dumps({"items": []})
    t0 = time.perf_counter()
    statuses = [handle("/orders", bad if i % 10 == 0 else good)[0] for i in range(n)]
    print(f"seconds {time.perf_counter() - t0:.3f} requests {n} bad {statuses.count(400)}")


main(int(sys.argv[1]) if len(sys.argv) > 1 else 60000)
