"""meson install puts the program, the course and the manual where a user
finds them: into a staging folder (--destdir), then the installed course is
checked as a teacher would check it (exclab check, with the course found
through $EXCLAB_LESSONS), and the manual page renders without a warning.

usage: test_install.py BUILD_DIR EXCLAB
"""
import os
import shutil
import subprocess
import sys
import tempfile

failures = 0


def expect(cond, msg, detail=""):
    global failures
    print("ok  " if cond else "FAIL", msg)
    if not cond:
        failures += 1
        if detail:
            print(detail)


def main():
    build, exclab = sys.argv[1], sys.argv[2]
    stage = tempfile.mkdtemp(prefix="exclab-install-")
    try:
        proc = subprocess.run(["meson", "install", "-C", build, "--destdir", stage, "--quiet",
                               "--no-rebuild"], capture_output=True, text=True, timeout=120)
        expect(proc.returncode == 0, "meson install --destdir succeeds", proc.stdout + proc.stderr)
        found = {}
        for root, _, files in os.walk(stage):
            for f in files:
                found.setdefault(f, os.path.join(root, f))
        installed = found.get("exclab")
        expect(installed is not None and os.access(installed, os.X_OK), "the program is installed")
        page = found.get("exclab.1")
        expect(page is not None, "the manual page is installed")
        lessons = [os.path.dirname(p) for n, p in found.items()
                   if n == "02-reusing-an-exception.md"]
        expect(bool(lessons), "the lessons are installed")
        if lessons:
            scenarios = os.path.join(os.path.dirname(lessons[0]), "scenarios")
            expect(os.path.isfile(os.path.join(scenarios, "02-reuse", "scenario.lua")),
                   "the scenarios are installed beside the lessons")
            env = dict(os.environ, EXCLAB_LESSONS=lessons[0])
            proc = subprocess.run([installed or exclab, "check"], capture_output=True, text=True,
                                  env=env, timeout=300, cwd=stage)
            last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
            expect(proc.returncode == 0 and last.endswith("0 problems"),
                   f"the installed course passes exclab check ({last})", proc.stdout[-3000:])
        if page and shutil.which("groff"):
            proc = subprocess.run(["groff", "-z", "-ww", "-man", page], capture_output=True,
                                  text=True, timeout=30)
            expect(proc.returncode == 0 and not proc.stderr.strip(),
                   "the manual page renders without a warning", proc.stderr)
        elif page:
            print("skip: groff is not installed, the manual page was not rendered")
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    print(f"{failures} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
