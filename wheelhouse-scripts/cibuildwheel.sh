#!/usr/bin/env bash
# Usage: cibuildwheel.sh [CIBUILDWHEEL_ARGS...]
#   e.g. cibuildwheel.sh --platform linux --archs aarch64 --output-dir wheelhouse
#        cibuildwheel.sh --print-build-identifiers --platform windows
# Runs the pinned cibuildwheel (requirements/release.txt) from the repository root with
# pyproject.toml's [tool.cibuildwheel] settings, widened so that the one cp39-abi3 wheel
# of each platform/arch is also tested on every later CPython.
#
# pyproject.toml selects one build per platform/arch (cp39; cp311 on Windows ARM64),
# which is what plain `cibuildwheel --print-build-identifiers` lists. Selecting the
# later interpreters as well is how cibuildwheel tests an abi3 wheel on them: it builds
# the first identifier only, then finds that wheel compatible with each later one,
# skips the build and installs and tests the same file there. pyproject.toml's `skip`
# still applies (no free-threaded interpreters, no unofficial Windows ARM64 3.9/3.10).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Every CPython cibuildwheel offers that the abi3 wheel is tested on.
TEST_PYTHONS=(cp39 cp310 cp311 cp312 cp313 cp314 cp315)

CIBW_BUILD="$(printf '%s-* ' "${TEST_PYTHONS[@]}")"
export CIBW_BUILD="${CIBW_BUILD% }"

tools="$(cached_venv release "$(default_python)" "$REQUIREMENTS_DIR/release.txt")"
cd "$REPO_ROOT"
exec "$tools" -m cibuildwheel "$@"
