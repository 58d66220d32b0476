#!/usr/bin/env bash
# Usage: build-wheel.sh abi3|fast-paths [PYTHON]
# Builds one release wheel from the working tree into a freshly emptied
# $COPIUM_CACHE_DIR/wheels/VARIANT/ and prints its path (the only thing on stdout).
#   abi3        the shipped wheel: limited API of 3.9, one file for every CPython >= 3.9.
#   fast-paths  non-limited build for the one interpreter PYTHON (default: CPython 3.11).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

variant="${1:-}"
python="${2:-$(default_python)}"
case "$variant" in
    abi3) features=() ;;
    fast-paths) features=(--no-default-features --features fast-paths) ;;
    *) die "usage: build-wheel.sh abi3|fast-paths [PYTHON]" ;;
esac

tools="$(tools_python)"
out="$CACHE_DIR/wheels/$variant"
rm -rf "$out"
mkdir -p "$out"

log "building the $variant wheel with $("$python" -c 'import sys; print(sys.version.split()[0])')"
# --locked: a Cargo.lock that no longer matches Cargo.toml is an error, not silently updated.
# The interpreter is passed even for abi3 so pyo3's build script sees the same Python
# as cargo clippy does.
(cd "$REPO_ROOT" && "$tools" -m maturin build --release --locked --out "$out" \
    --interpreter "$python" "${features[@]}" >&2)

wheels=("$out"/*.whl)
[ "${#wheels[@]}" -eq 1 ] && [ -f "${wheels[0]}" ] ||
    die "expected exactly one wheel in $out, found: ${wheels[*]}"
printf '%s\n' "${wheels[0]}"
