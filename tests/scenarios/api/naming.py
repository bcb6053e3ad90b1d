"""The names python3 gives a script's classes, in its tracebacks.
`python3 naming.py` prints what the scenario prints (test_api.py compares
them), and then that its main block ran, which under exclab it must not."""
import sys
import traceback


class CustomError(Exception):
    pass


def fail():
    raise CustomError("bad record")


def show_traceback():
    try:
        fail()
    except CustomError:
        traceback.print_exc(file=sys.stdout)
    print("module:", CustomError.__module__, fail.__module__)


if __name__ == "__main__":
    show_traceback()
    main_block_ran = True
    print("main block ran")
else:
    main_else_ran = True

if __name__ != "__main__":
    not_main_ran = True
