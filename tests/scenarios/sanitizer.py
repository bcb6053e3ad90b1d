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
MARKERS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:")


def excused(check):
    """A failed check the sanitizer makes impossible to hold."""
    return SANITIZED and not check["passed"] and "RSS" in check["message"]


def report_in(text):
    """A sanitizer report somewhere in the text."""
    return any(m in text for m in MARKERS)
