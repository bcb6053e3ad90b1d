#!/usr/bin/env bash
# Build exclab (installing what is missing, the benchmarks' contenders too) and
# run every benchmark with the settings bench/README.md quotes, printing what
# each prints. --smoke runs each once in its quick mode, as the test suite's
# bench suite does; --before adds an older exclab to probes.py, first_frame.py
# and stop.py. Ends with the benchmarks that failed, if any.
#
# usage: bench/run.sh [--smoke] [--before OLD_EXCLAB]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tui/deps.sh"

smoke=
before=()
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) smoke=1 ;;
	--before) before=(--before "$(realpath "${2:?--before needs an exclab}")"); shift ;;
	*) echo "usage: bench/run.sh [--smoke] [--before OLD_EXCLAB]" >&2; exit 2 ;;
	esac
	shift
done

# shellcheck disable=SC2086
exclab_need $EXCLAB_BUILD_PACKAGES $EXCLAB_BENCH_PACKAGES
exclab_build "$top"
cd "$top"
# The interpreter exclab embeds, found as meson.build finds it, so that plain
# python3 and exclab run the same CPython.
py=$(pkg-config --variable=exec_prefix python3-embed)/bin/python$(pkg-config --modversion python3-embed)

if [ -n "$smoke" ]; then
	probes=(--smoke) frames=(1) stops=(1) keys=(1) graph=(--smoke) md=(--smoke)
else
	probes=(7) frames=(15) stops=(5) keys=(41) graph=(3 60) md=(11)
fi

failed=()
bench() {
	local name=$1
	shift
	echo
	echo "== $name: $*"
	"$@" || failed+=("$name")
}
bench probes "$py" bench/probes.py build/tui/exclab "$py" build/bench/embed_baseline "${probes[@]}" "${before[@]}"
bench first_frame "$py" bench/first_frame.py build/tui/exclab "$py" "${frames[@]}" "${before[@]}"
bench stop "$py" bench/stop.py build/tui/exclab "${stops[@]}" "${before[@]}"
bench redraw "$py" bench/redraw.py build/tui/exclab "${keys[@]}"
bench graph "$py" bench/graph.py build/bench/graph_bench "${graph[@]}"
bench mdrender build/bench/mdrender_bench "${md[@]}"

if [ ${#failed[@]} -gt 0 ]; then
	echo
	echo "bench/run.sh: failed: ${failed[*]}" >&2
	exit 1
fi
