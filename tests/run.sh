#!/usr/bin/env bash
# Build exclab (installing what is missing) and run every test, then the unit
# and scenario tests again in a build with AddressSanitizer and
# UndefinedBehaviorSanitizer. Ends with one line "N passed, N failed".
# Warnings are errors when CI is set. Arguments go to the first meson test
# (for example --suite unit); EXCLAB_NO_SANITIZERS=1 skips the second run.
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
logs=("$top/build/meson-logs/testlog.json")

if [ -z "${EXCLAB_NO_SANITIZERS:-}" ]; then
	# The sanitizers need the shared libpython; warnings are not errors here
	# (gcc warns falsely under -fsanitize).
	asan="$top/build-asan"
	if [ ! -f "$asan/build.ninja" ]; then
		meson setup "$asan" "$top" -Db_sanitize=address,undefined -Db_lundef=false \
			-Dpython_static=disabled >&2 || { echo "0 passed, 1 failed"; exit 1; }
	fi
	if meson compile -C "$asan" >&2; then
		meson test -C "$asan" --setup=asan --print-errorlogs --suite unit --suite scenario --suite fuzz --suite probe
		[ $? -ne 0 ] && status=1
		logs+=("$asan/meson-logs/testlog-asan.json")
	else
		echo "exclab: the sanitizer build failed" >&2
		status=1
		logs+=("$asan/the-build-failed")   # counted as a failure below
	fi
fi

python3 - "${logs[@]}" <<'PY'
import json, sys
passed = failed = 0
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            for line in f:
                r = json.loads(line)
                if r.get("result") in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif r.get("result") != "SKIP":
                    failed += 1
    except OSError:
        failed += 1
print(f"{passed} passed, {failed} failed")
PY
exit $status
