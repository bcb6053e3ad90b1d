"""What the scenario tests allow under the sanitizer setup (meson test
--setup=asan sets EXCLAB_SANITIZED=1).

A check on RSS cannot hold there: AddressSanitizer's shadow memory and
quarantine move RSS by far more than the figures a lesson measures. Such a
check is shown as excused; every other check must hold. A sanitizer report
fails the test: UBSan is set to halt, ASan halts by itself, so a report in
the lab ends the run with an error, and one in the interface shows here.
"""
import os

SANITIZED = os.environ.get("EXCLAB_SANITIZED") == "1"

# Under the sanitizers every process starts bigger: the instrumented binary's
# pages and the shadow of its globals (the Lua memory bomb's lab peaks near
# 200 MiB there, 76 MiB without). That part grows with exclab's own code, a
# MiB or so per feature, whatever a lesson does; the peak-RSS limits allow it
# this much room there, and stay as they are in the plain build.
PEAK_ALLOWANCE_MIB = 32


def peak_limit_mib(mib):
    """A peak-RSS limit, in MiB, as it applies in this setup."""
    return mib + (PEAK_ALLOWANCE_MIB if SANITIZED else 0)
MARKERS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:")


def excused(check):
    """A failed check the sanitizer makes impossible to hold."""
    return SANITIZED and not check["passed"] and "RSS" in check["message"]


def report_in(text):
    """A sanitizer report somewhere in the text."""
    return any(m in text for m in MARKERS)
