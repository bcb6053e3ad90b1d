#!/usr/bin/env bash
# The long fuzz run, one command: tests/fuzz/long.sh [MINUTES]  (default 10)
#
# 1. Builds the C targets for clang's libFuzzer (coverage-guided) with
#    AddressSanitizer and UBSan in build-fuzz/, and runs each for MINUTES,
#    keeping what it learns in build-fuzz/corpus/<target>/.
# 2. Runs generated scenarios for MINUTES against the sanitizer build
#    (build-asan/, made by tests/run.sh), with a fresh seed each round.
# A crash leaves its input in build-fuzz/ (libFuzzer: crash-*; the scenario
# fuzzer prints the scenario). Needs clang; Debian: sudo apt-get install clang
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
minutes=${1:-10}
case $minutes in ''|*[!0-9]*|0) echo "usage: tests/fuzz/long.sh [MINUTES >= 1]" >&2; exit 2 ;; esac
seconds=$((minutes * 60))
status=0

if command -v clang >/dev/null 2>&1; then
	fuzz="$top/build-fuzz"
	if [ ! -f "$fuzz/build.ninja" ]; then
		CC=clang meson setup "$fuzz" "$top" -Dfuzzer=true -Db_sanitize=address,undefined \
			-Db_lundef=false -Dpython_static=disabled >&2 || exit 1
	fi
	meson compile -C "$fuzz" >&2 || exit 1
	for target in fuzz_markdown fuzz_progress fuzz_deck; do
		corpus="$fuzz/corpus/$target"
		mkdir -p "$corpus"
		case $target in
		fuzz_markdown) cp -n "$top"/lessons/*.md "$corpus"/ ;;
		fuzz_progress) cp -n "$top"/tests/fuzz/seeds/*.json "$corpus"/ ;;
		fuzz_deck) cp -n "$top"/slides/*.md "$corpus"/ ;;
		esac
		echo "== $target for $minutes min" >&2
		(cd "$fuzz" && ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			"$fuzz/tests/fuzz/$target" \
			-max_total_time="$seconds" -max_len=200000 "$corpus") || status=1
	done
else
	echo "clang is not installed: skipping the libFuzzer targets (sudo apt-get install clang)" >&2
fi

asan="$top/build-asan"
exe="$asan/tui/exclab"
[ -x "$exe" ] || exe="$top/build/tui/exclab"
echo "== generated scenarios for $minutes min against $exe" >&2
end=$((SECONDS + seconds))
seed=$RANDOM
while [ $SECONDS -lt $end ]; do
	EXCLAB_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
		python3 "$top/tests/fuzz/fuzz_scenarios.py" "$exe" --seed "$seed" --runs 50 || status=1
	seed=$((seed + 1))
done
exit $status
