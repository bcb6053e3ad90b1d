#!/usr/bin/env bash
# Build exclab (installing what is missing) and start it on the first lesson.
# Arguments go to exclab: tui/start.sh lessons/02-reusing-an-exception.md
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tui/deps.sh"
# shellcheck disable=SC2086
exclab_need $EXCLAB_BUILD_PACKAGES
exclab_build "$top"
cd "$top"
exec "$top/build/tui/exclab" "$@"
