#!/usr/bin/env bash
# Usage: tools/bench/measure-readme.sh [BENCH_ARGS...]
# Measures the README "Performance" tables: `python -m copium bench` with the abi3 wheel
# on each CPython in $COPIUM_BENCH_PYTHONS (default: every supported version), and, on the
# versions copium 0.1.0 was released for, the published 0.1.0 (pinned in
# baseline-0.1.0.txt) as the alternating baseline. Versions the host lacks run inside the
# Debian-sid chroot of provision-pythons.sh, with the same wheel file.
# Writes, per version, the Markdown tables, the JSON record and the SVG chart into
# $COPIUM_BENCH_RESULTS (default tools/bench/results/), plus what was measured.
#
#   COPIUM_WHEEL          an already built abi3 wheel to measure, instead of building one
#   COPIUM_BENCH_PYTHONS  minor versions to measure, e.g. "3.11 3.14"
#   COPIUM_BENCH_RESULTS  where the results go
#   COPIUM_BENCH_VARIANT  "fast-paths": for each of those versions (host interpreters only),
#                         a fast-paths build of this checkout against the abi3 wheel as the
#                         alternating baseline (results named bench-MINOR-fast-paths-vs-abi3.*)
# Extra arguments go to every bench run (e.g. --repeats 15 --memory --statistic median).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../wheelhouse-scripts/common.sh"

bench_dir="$REPO_ROOT/tools/bench"
results="${COPIUM_BENCH_RESULTS:-$bench_dir/results}"
variant="${COPIUM_BENCH_VARIANT:-abi3}"
case "$variant" in
    abi3) suffix="" ;;
    fast-paths) suffix="-fast-paths-vs-abi3" ;;
    *) die "COPIUM_BENCH_VARIANT must be abi3 or fast-paths, not $variant" ;;
esac
wheel="${COPIUM_WHEEL:-$(bash "$SCRIPTS_DIR/build-wheel.sh" abi3)}"
[ -f "$wheel" ] || die "no wheel at $wheel"
wheel="$(cd "$(dirname "$wheel")" && pwd)/$(basename "$wheel")"
mkdir -p "$results"
results="$(cd "$results" && pwd)"
# Read on the host: the chroot has no git.
revision="${COPIUM_BENCH_REVISION:-$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)}"

# 0.1.0 has releases for CPython 3.10 to 3.14 only.
has_baseline_release() {
    [ "$(printf '%s\n' "$1" 3.10 | sort -V | head -n1)" = 3.10 ] &&
        [ "$(printf '%s\n' "$1" 3.14 | sort -V | tail -n1)" = 3.14 ]
}

# Runs this script again inside the chroot for one version, seeing the same checkout,
# caches, wheel and results folder.
measure_in_chroot() {
    local minor="$1"
    shift
    [ "$variant" = abi3 ] || die "CPython $minor is in the chroot, which cannot build a fast-paths wheel"
    COPIUM_WHEEL="$wheel" COPIUM_BENCH_PYTHONS="$minor" COPIUM_BENCH_RESULTS="$results" \
        COPIUM_BENCH_REVISION="$revision" \
        in_chroot_with_caches "$results" "$(dirname "$wheel")" -- \
        bash "$bench_dir/measure-readme.sh" "$@"
}

for minor in ${COPIUM_BENCH_PYTHONS:-${SUPPORTED_MINORS[*]}}; do
    python="$(find_python "$minor")" || die "no CPython $minor found"
    if is_chroot_python "$python"; then
        measure_in_chroot "$minor" "$@"
        continue
    fi
    log "CPython $minor: copium from $(basename "$wheel") with the bench extra"
    abi3_python="$(fresh_venv "$CACHE_DIR/bench-venvs/copium-$minor" "$python" "$REQUIREMENTS_DIR/bench.txt")"
    "$abi3_python" -m pip install --quiet --no-deps "$wheel"
    if [ "$variant" = fast-paths ]; then
        measured="$(bash "$SCRIPTS_DIR/build-wheel.sh" fast-paths "$python")"
        vpy="$(fresh_venv "$CACHE_DIR/bench-venvs/copium-$minor-fast-paths" "$python" "$REQUIREMENTS_DIR/bench.txt")"
        "$vpy" -m pip install --quiet --no-deps "$measured"
        baseline_args=(--baseline "$abi3_python")
        against="the abi3 wheel $(basename "$wheel")"
    else
        measured="$wheel"
        vpy="$abi3_python"
        baseline_args=()
        against="the stdlib only"
        if has_baseline_release "$minor"; then
            baseline_args=(--baseline "$(cached_venv "copium-0.1.0-$minor" "$python" "$bench_dir/baseline-0.1.0.txt")")
            against="copium 0.1.0 (its own venv)"
        fi
    fi
    printf '%s%s: wheel %s against %s, checkout %s, CPython %s, arguments: %s\n' "$minor" "$suffix" \
        "$(basename "$measured")" "$against" "$revision" \
        "$("$vpy" -c 'import platform; print(platform.python_version())')" "${*:-(defaults)}" \
        >"$results/measured-$minor$suffix.txt"
    log "CPython $minor: python -m copium bench ${baseline_args[*]} $*"
    # From outside the checkout, so the source copium/ cannot shadow the installed one.
    (cd "${TMPDIR:-/tmp}" && "$vpy" -m copium bench --markdown --no-progress \
        --json "$results/bench-$minor$suffix.json" --chart "$results/speedup-$minor$suffix.svg" \
        ${baseline_args[@]+"${baseline_args[@]}"} "$@") | tee "$results/bench-$minor$suffix.md"
done
log "results in $results"
