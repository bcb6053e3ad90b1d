#!/usr/bin/env bash
# Build exclab (installing what is missing) and run every test. Ends with one
# line "N passed, N failed". Warnings are errors when CI is set.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tui/deps.sh"
# shellcheck disable=SC2086
exclab_need $EXCLAB_BUILD_PACKAGES $EXCLAB_TEST_PACKAGES || exit 1
werror=false
[ -n "${CI:-}" ] && werror=true
exclab_build "$top" -Dwerror=$werror || { echo "0 passed, 1 failed"; exit 1; }
meson test -C "$top/build" --print-errorlogs "$@"
status=$?
python3 - "$top/build/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = 0
try:
    with open(sys.argv[1]) as f:
        for line in f:
            r = json.loads(line)
            if r.get("result") in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r.get("result") != "SKIP":
                failed += 1
except OSError:
    failed = 1
print(f"{passed} passed, {failed} failed")
PY
exit $status
