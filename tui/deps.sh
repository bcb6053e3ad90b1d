# shellcheck shell=bash disable=SC2034
# deps.sh — make sure the Debian packages exclab needs are installed.
# Sourced by tui/start.sh, tests/run.sh and bench/run.sh (hence the
# variables they use and this file does not). As root it installs what is
# missing; otherwise it prints the exact command and stops.

# Debian calls the browser chromium; Ubuntu, chromium-browser.
exclab_browser_package() {
	if command -v apt-cache >/dev/null 2>&1 && ! apt-cache show chromium >/dev/null 2>&1 &&
		apt-cache show chromium-browser >/dev/null 2>&1; then
		echo chromium-browser
	else
		echo chromium
	fi
}

EXCLAB_BUILD_PACKAGES="gcc meson ninja-build pkg-config libncurses-dev python3-dev liblua5.4-dev libmd4c-dev libjson-c-dev"
EXCLAB_TEST_PACKAGES="tmux $(exclab_browser_package)"
# bench/graph.py's contender. Not a test package: its smoke test runs without
# them, and Graphviz pulls in a great deal.
EXCLAB_BENCH_PACKAGES="python3-objgraph graphviz"

exclab_need() {
	local missing=() p
	if ! command -v dpkg-query >/dev/null 2>&1; then
		for p in meson ninja pkg-config cc; do
			command -v "$p" >/dev/null 2>&1 || missing+=("$p")
		done
		if [ ${#missing[@]} -gt 0 ]; then
			echo "exclab: not a Debian system, and these are missing: ${missing[*]}" >&2
			echo "exclab: install the equivalents of: $*" >&2
			return 1
		fi
		return 0
	fi
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -eq 0 ]; then
		echo "exclab: installing ${missing[*]}" >&2
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >&2 || {
			echo "exclab: apt-get could not install ${missing[*]}" >&2
			return 1
		}
		return 0
	fi
	echo "exclab: some packages are missing. Install them with:" >&2
	echo "" >&2
	echo "    sudo apt-get install ${missing[*]}" >&2
	echo "" >&2
	return 1
}

# Configure the build directory once; meson regenerates it when needed.
exclab_build() {
	local top=$1 builddir=$1/build
	shift
	if [ ! -f "$builddir/build.ninja" ]; then
		meson setup "$builddir" "$top" "$@" >&2 || return 1
	elif [ $# -gt 0 ]; then
		meson configure "$builddir" "$@" >&2 || return 1
	fi
	meson compile -C "$builddir" >&2
}
