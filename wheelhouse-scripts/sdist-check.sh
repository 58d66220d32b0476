#!/usr/bin/env bash
# Usage: sdist-check.sh [OUT_DIR]
# Builds the sdist with `maturin sdist` into OUT_DIR (default $COPIUM_CACHE_DIR/sdist),
# checks what it holds (sdist-contents.py), then proves it builds both variants on its
# own, the way a user's install builds it:
#   abi3        pip install copium-*.tar.gz
#   fast-paths  MATURIN_PEP517_ARGS="--no-default-features --features fast-paths" \
#                   pip install copium-*.tar.gz
# Each goes into a fresh venv of the default interpreter, in two steps so the build can
# be inspected: pip builds the wheel from the sdist (as pip install does), that wheel
# must pass wheel-contents.py for its variant, then it is installed; the package must
# report that variant in copium._copium.BUILD and pass a smoke test run from outside
# the repository. Then test-wheel.sh runs a subset of the suite on that wheel
# (SMOKE_SUITES: build info, CPython's own test_copy, containers, reduce, the patch and
# its .pth) and adds its row to the summary table: the wheels test-all.sh runs the whole
# suite on are built from the same sources by build-wheel.sh, so this proves the sdist
# builds what works, not the engine again. Prints the sdist's path (the only thing on
# stdout).
#
# COPIUM_RELEASE_TAG  if set (a release build), it must be v<Cargo.toml version>.
# COPIUM_SDIST_SUITE  0 skips the test-wheel.sh runs (a quick release check).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

out="${1:-$CACHE_DIR/sdist}"
tools="$(tools_python)"
python="$(default_python)"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

rm -rf "$out"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
log "maturin sdist"
(cd "$REPO_ROOT" && "$tools" -m maturin sdist --out "$out" >&2)
sdists=("$out"/copium-*.tar.gz)
[ "${#sdists[@]}" -eq 1 ] && [ -f "${sdists[0]}" ] ||
    die "expected exactly one sdist in $out, found: ${sdists[*]}"
sdist="${sdists[0]}"
"$tools" "$SCRIPTS_DIR/sdist-contents.py" "$sdist"

if [ -n "${COPIUM_RELEASE_TAG:-}" ]; then
    version="$(basename "$sdist" .tar.gz)"
    version="${version#copium-}"
    [ "$COPIUM_RELEASE_TAG" = "v$version" ] ||
        die "release tag $COPIUM_RELEASE_TAG does not match the package version $version"
fi

# The installed copium reports VARIANT, matches the metadata version, and deep-copies.
smoke_test() {
    "$1" - "$2" <<'PY'
import copy
import sys
from importlib.metadata import version

import copium
import copium._copium

variant = sys.argv[1]
build = copium._copium.BUILD
assert build["variant"] == variant, f"BUILD says {build['variant']!r}, expected {variant!r}"
assert build["version"] == version("copium"), (build["version"], version("copium"))
assert copium.Error is copy.Error

original = {"list": [1, 2.5, "three", {4}], "tuple": (5, [6])}
original["self"] = original
duplicate = copium.deepcopy(original)
assert duplicate is not original and duplicate["self"] is duplicate
assert duplicate["list"] == original["list"] and duplicate["list"] is not original["list"]
assert duplicate["tuple"][1] is not original["tuple"][1]
print(f"copium {build['version']} ({variant}, built for {build['python']}) works")
PY
}

SMOKE_SUITES=(test_about.py test_stdlib_test_copy.py test_containers.py test_reduce.py
    test_patch.py test_autopatch.py)
smoke_paths=""
for suite in "${SMOKE_SUITES[@]}"; do smoke_paths+="$REPO_ROOT/tests/$suite "; done

# maturin itself comes from the pinned build requirements (--no-build-isolation), so a
# new maturin release cannot change what this check builds with.
maturin_pin="$(grep -E '^maturin==' "$REQUIREMENTS_DIR/build.txt")" ||
    die "no maturin pin in requirements/build.txt"

for variant in abi3 fast-paths; do
    case "$variant" in
        abi3) pep517_args="" ;;
        fast-paths) pep517_args="--no-default-features --features fast-paths" ;;
    esac
    log "$variant from the sdist: fresh venv of $("$python" -c 'import sys; print(sys.version.split()[0])')"
    venv="$CACHE_DIR/sdist-venvs/$variant"
    rm -rf "$venv"
    "$python" -m venv "$venv" >&2
    vpy="$(venv_python "$venv")"
    "$vpy" -m pip install --quiet "${maturin_pin%% *}" >&2
    # The crate itself is always compiled from the sdist, because each build unpacks it to
    # a new folder; the crates.io dependencies (the same ones: Cargo.lock is in the sdist)
    # are reused from the checkout's target folder, where build-wheel.sh has just compiled
    # them (on a fresh clone that halves this check's CPU time). maturin's build backend
    # runs the `maturin` command, so the venv's bin goes on PATH first.
    PATH="$(dirname "$vpy"):$PATH" CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}" \
        MATURIN_PEP517_ARGS="$pep517_args" \
        "$vpy" -m pip wheel --quiet --no-deps --no-build-isolation \
        --wheel-dir "$workdir/$variant" "$sdist" >&2
    wheels=("$workdir/$variant"/copium-*.whl)
    [ "${#wheels[@]}" -eq 1 ] && [ -f "${wheels[0]}" ] ||
        die "pip built no single wheel from the sdist for $variant"
    "$tools" "$SCRIPTS_DIR/wheel-contents.py" "${wheels[0]}" "$variant"
    "$vpy" -m pip install --quiet --no-deps "${wheels[0]}" >&2
    (cd "$workdir" && smoke_test "$vpy" "$variant") >&2 ||
        die "the $variant build from the sdist failed its smoke test"
    if [ "${COPIUM_SDIST_SUITE:-1}" != 0 ]; then
        built="$CACHE_DIR/sdist-wheels/$variant"
        rm -rf "$built" && mkdir -p "$built"
        cp "${wheels[0]}" "$built/"
        COPIUM_RUN_NAME="$variant-sdist" \
            COPIUM_TEST_PATHS="$smoke_paths" \
            bash "$SCRIPTS_DIR/test-wheel.sh" "$built/$(basename "${wheels[0]}")" "$python" >&2 ||
            die "the $variant build from the sdist failed its test subset"
    fi
done

log "$(basename "$sdist") builds and works as abi3 and as fast-paths"
printf '%s\n' "$sdist"
