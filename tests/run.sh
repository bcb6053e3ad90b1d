#!/usr/bin/env bash
# Build exclab (installing what is missing) and run every test, then the unit
# and scenario tests again in a build with AddressSanitizer and
# UndefinedBehaviorSanitizer, then the tests of VERSION_TESTS against each
# other CPython found. Ends with one line "N passed, N failed", counting
# every test run. Warnings are errors when CI is set. Arguments go to the
# first meson test (for example --suite unit); EXCLAB_NO_SANITIZERS=1 skips
# the second run, EXCLAB_NO_VERSIONS=1 the other CPythons.
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
		meson test -C "$asan" --setup=asan --print-errorlogs --suite unit --suite scenario --suite fuzz --suite probe ||
			status=1
		logs+=("$asan/meson-logs/testlog-asan.json")
	else
		echo "exclab: the sanitizer build failed" >&2
		status=1
		logs+=("$asan/the-build-failed")   # counted as a failure below
	fi
fi

# The other CPythons: each one pyintrospect.c knows (meson.build's
# python_known) besides the one build/ embeds, found by its embed pkg-config
# file, in build-py3.X/ of its own. These builds link the shared libpython,
# so that its rpath is tested too (build/ links the static one).
VERSION_PYTHONS=(3.11 3.12 3.13)
# What runs there: the unit suite, then these tests: every lesson's checks
# and exclab check hold on each version, and exclab probe finds the same
# leaks (and changes nothing) on each.
VERSION_TESTS=(host graph-referents accuracy versions accuracy-cycles lesson-figures
	lesson-01-traceback lesson-02-reuse lesson-03-cycles lesson-04-breaking
	lesson-05-cases lesson-06-finding check
	probe-run probe-report probe-corpus probe-lesson6 probe-realworld)

# The lib/pkgconfig folder holding python-$1-embed.pc: pyenv's or uv's
# newest, else "" when pkg-config finds one on its own path; 1 when none.
embed_pc_dir() {
	local pcs
	pcs=$(compgen -G "$HOME/.pyenv/versions/$1.*/lib/pkgconfig/python-$1-embed.pc";
	      compgen -G "$HOME/.local/share/uv/python/cpython-$1.*/lib/pkgconfig/python-$1-embed.pc")
	if [ -n "$pcs" ]; then
		dirname "$(sort -V <<<"$pcs" | tail -n 1)"
	elif pkg-config --exists "python-$1-embed"; then
		echo ""
	else
		return 1
	fi
}

# Configure (once) and build build-py$1 against CPython $1 found in $2.
build_version() {
	local dir=$top/build-py$1
	local opts=("-Dwerror=$werror" "-Dpython=$1" -Dpython_static=disabled)
	[ -n "$2" ] && opts+=("-Dpkg_config_path=$2")
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" "${opts[@]}" >&2 || return 1
	else
		meson setup "$dir" "$top" "${opts[@]}" >&2 || return 1
	fi
	meson compile -C "$dir" >&2
}

if [ -n "${EXCLAB_NO_VERSIONS:-}" ]; then
	echo "skip: other CPythons (EXCLAB_NO_VERSIONS is set)"
else
	embedded=$("$top/build/tui/exclab" --version | sed -n 's/.*embeds Python \([0-9]*\.[0-9]*\).*/\1/p')
	for v in "${VERSION_PYTHONS[@]}"; do
		dir=$top/build-py$v
		if [ "$v" = "$embedded" ]; then
			echo "CPython $v: build/ embeds it, tested above"
			continue
		fi
		if ! pc=$(embed_pc_dir "$v"); then
			echo "skip: CPython $v: no python-$v-embed.pc (pyenv, uv or pkg-config's path)"
			continue
		fi
		if ! build_version "$v" "$pc"; then
			echo "exclab: the build against CPython $v failed" >&2
			status=1
			logs+=("$dir/the-build-failed")   # counted as a failure below
			continue
		fi
		meson test -C "$dir" --print-errorlogs --logbase unit --suite unit || status=1
		meson test -C "$dir" --print-errorlogs --logbase versions "${VERSION_TESTS[@]}" || status=1
		logs+=("$dir/meson-logs/unit.json" "$dir/meson-logs/versions.json")
	done
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
