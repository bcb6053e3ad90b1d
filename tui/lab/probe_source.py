"""exclab probe's reading of a program's own source: static hints.

Embedded in the lab (probe_source.c turns this file into a C string at
build time) and run in a private namespace. Only the program's own files
are read, never the standard library's. Everything here allocates Python
objects, so the lab calls it with the collector held off (probe_source.c).

read(path) -> (hints, stores, clauses), or None when the file cannot be parsed
    hints: [(kind, line, other_line, text)]
      kind "store": an `except ... as e:` whose body stores e without
          dropping its traceback; other_line is the line of the store.
      kind "instance": an exception instance made once at module or class
          level and raised later; other_line is the first raise.
    stores: [(except_line, store_line, text)] for every handler that
        stores its exception.
    clauses: [(first_line, line, names)] for every except clause of every
        try statement, in order; first_line is its try's first clause's.
        A finally is (its first statement's line, 0, ""): it catches
        nothing, the exception goes on once it has run. A with statement
        is (its line, its line, "with"): its exit may let the exception go
        on, or swallow it.
        names: the classes it catches, space separated, as the classes'
        own names (IOError is OSError); '*' for a bare except; '?NAME' for
        a name this file cannot tell (imported, an alias, a tuple in a
        variable), '?' for an expression.
Nothing is kept between calls: what the lab keeps, it keeps in C.
"""
import ast
import builtins
import tokenize

# Methods that keep their argument: containers, queues, futures.
_KEEPING = {"append", "add", "extend", "insert", "appendleft", "put", "put_nowait",
            "set_exception", "setdefault", "update", "push", "set_result"}
_EXC_WORDS = ("Error", "Exception", "Exit", "Interrupt", "Timeout", "Failure", "Fault", "Warning")


def _tree(path):
    try:
        with tokenize.open(path) as f:
            return ast.parse(f.read(), path)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None


def _holds(expr, name):
    """expr is the exception itself, or a display (tuple, list, dict) holding it."""
    if isinstance(expr, ast.Name):
        return expr.id == name
    if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
        return any(_holds(e, name) for e in expr.elts)
    if isinstance(expr, ast.Dict):
        return any(v is not None and _holds(v, name) for v in expr.values)
    if isinstance(expr, ast.Starred):
        return _holds(expr.value, name)
    return False


def _drops_traceback(node, name):
    """`e.__traceback__ = None`, `e.with_traceback(None)`, traceback.clear_frames."""
    for n in ast.walk(node):
        if isinstance(n, ast.Assign) and any(
                isinstance(t, ast.Attribute) and t.attr == "__traceback__" for t in n.targets):
            return True
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            if n.func.attr == "with_traceback" and n.args and \
                    isinstance(n.args[0], ast.Constant) and n.args[0].value is None:
                return True
            if n.func.attr == "clear_frames":
                return True
    return False


def _let_go(stmts, names):
    """`del name` or `name = None` among the statements."""
    for s in stmts:
        for n in ast.walk(s):
            if isinstance(n, ast.Delete) and any(
                    isinstance(t, ast.Name) and t.id in names for t in n.targets):
                return True
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and \
                    n.value.value is None and any(
                        isinstance(t, ast.Name) and t.id in names for t in n.targets):
                return True
    return False


def _store_in(handler, finals):
    """The first statement of the handler that stores the exception, as
    (line, words), unless the handler (or a finally around it) lets it go.
    finals: the finally blocks of the try statements around the handler."""
    name = handler.name
    if not name:
        return None
    body = ast.Module(body=handler.body, type_ignores=[])
    if _drops_traceback(body, name):
        return None
    for n in ast.walk(body):
        if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None and \
                _holds(n.value, name):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            locals_only = [t.id for t in targets if isinstance(t, ast.Name)]
            if locals_only and len(locals_only) == len(targets) and \
                    _let_go(handler.body + list(finals), locals_only):
                continue
            return n.lineno, ast.unparse(targets[0]) + " = " + ast.unparse(n.value)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                n.func.attr in _KEEPING and any(_holds(a, name) for a in n.args):
            # errors.append(e) into a local list a finally lets go once
            # it is done with it (errors = None), as asyncio's TaskGroup
            # does with the errors it gives to an ExceptionGroup.
            holder = n.func.value
            if isinstance(holder, ast.Name) and _let_go(handler.body + list(finals), [holder.id]):
                continue
            return n.lineno, ast.unparse(n)
    return None


def _handlers(tree, finals=()):
    """Every except handler, with the finally blocks of the try statements
    around it (its own try's, and enclosing ones, within its function)."""
    for node in ast.iter_child_nodes(tree):
        inner = finals
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            inner = ()
        if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            inner = finals + tuple(node.finalbody)
            for h in node.handlers:
                yield h, inner
        yield from _handlers(node, inner)


def _exception_classes(tree):
    """Names of exception classes: builtins', and this file's own classes
    whose bases are (by name, transitively)."""
    known = {n for n in dir(builtins)
             if isinstance(getattr(builtins, n), type) and issubclass(getattr(builtins, n), BaseException)}
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    grew = True
    while grew:
        grew = False
        for c in classes:
            if c.name in known:
                continue
            for b in c.bases:
                base = b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "")
                if base in known or base.endswith(_EXC_WORDS):
                    known.add(c.name)
                    grew = True
                    break
    return known


def _clause_names(expr, known):
    """What an except clause names, for _clauses."""
    if expr is None:
        return ["*"]
    if isinstance(expr, ast.Tuple):
        return [n for e in expr.elts for n in _clause_names(e, known)]
    if isinstance(expr, ast.Name) and expr.id in known:
        return [known[expr.id]]
    if isinstance(expr, ast.Name):
        return ["?" + expr.id]
    if isinstance(expr, ast.Attribute):
        return ["?" + expr.attr]
    return ["?"]


def _clauses(tree, classes):
    """Each try statement's except clauses (not except*'s: one may catch
    part of a group, another the rest), for the lab to tell which clause
    caught an exception: the code only says where the try's handler
    begins, at its first clause."""
    known = {n: n for n in classes}
    known.update((n, getattr(builtins, n).__name__) for n in classes if hasattr(builtins, n))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and node.handlers:
            first = node.handlers[0].lineno
            for h in node.handlers:
                out.append((first, h.lineno, " ".join(_clause_names(h.type, known))))
        if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))) and node.finalbody:
            out.append((node.finalbody[0].lineno, 0, ""))
        if isinstance(node, (ast.With, ast.AsyncWith)):
            out.append((node.lineno, node.lineno, "with"))
    return out


def _callee(call):
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")


def read(path):
    tree = _tree(path)
    if tree is None:
        return None
    out, stores = [], []
    for h, t in _handlers(tree):
        store = _store_in(h, t)
        if store:
            stores.append((h.lineno, store[0], store[1]))
            kind = ast.unparse(h.type) if h.type else "BaseException"
            out.append(("store", h.lineno, store[0],
                        f"except {kind} as {h.name}: stores {h.name} ({store[1]}) with its "
                        f"traceback: every frame from the raise to here, and their locals, "
                        f"stay alive as long as it does. Keep str({h.name}) or "
                        f"traceback.TracebackException.from_exception({h.name}) instead, or "
                        f"drop the frames: {h.name}.with_traceback(None) (its __context__ and "
                        f"__cause__ keep theirs: set them to None too)"))
    classes = _exception_classes(tree)
    made = {}
    scopes = [tree] + [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    for scope in scopes:
        for stmt in scope.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                callee = _callee(stmt.value)
                if callee in classes or callee.endswith(_EXC_WORDS):
                    for target in stmt.targets:
                        if isinstance(target, ast.Name):
                            made.setdefault(target.id, (stmt.lineno, callee))
    raised = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.Raise) and n.exc is not None:
            e = n.exc
            name = e.id if isinstance(e, ast.Name) else e.attr if isinstance(e, ast.Attribute) else None
            if name in made:
                raised.setdefault(name, n.lineno)
    for name, line in sorted(raised.items(), key=lambda kv: made[kv[0]][0]):
        made_at, callee = made[name]
        out.append(("instance", made_at, line,
                    f"{name} = {callee}(...) is one instance, raised at line {line}: each raise "
                    f"adds the frames it passes through to its __traceback__, which keeps them "
                    f"and their locals alive. Raise a new instance each time: raise {callee}(...)"))
    return out, stores, _clauses(tree, classes)
