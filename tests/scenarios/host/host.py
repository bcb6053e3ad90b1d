"""Fixtures for host.lua: what the host must and must not do to Python."""
import gc
import sys


class Errors:
    shared = LookupError("shared")


def raise_shared():
    payload = b"p" * 100_000
    raise Errors.shared


def handler():
    try:
        raise_shared()
    except LookupError:
        return 1


def fail_with_big_local():
    big = b"b" * 5_000_000
    raise RuntimeError("fails on purpose, holding 5 MB")


def frames_have_locals_dict():
    """Has anything materialised a locals dict on the chain's frames? Reading
    f_locals would (on 3.11); the host's probes must not."""
    tb = Errors.shared.__traceback__
    while tb is not None:
        for ref in gc.get_referents(tb.tb_frame):
            if type(ref) is dict and "payload" in ref:
                return True
        tb = tb.tb_next
    return False


def last_exception_kept():
    return any(hasattr(sys, name) for name in ("last_value", "last_traceback", "last_exc"))
