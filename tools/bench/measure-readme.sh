#!/usr/bin/env bash
# Usage: tools/bench/measure-readme.sh [BENCH_ARGS...]
# Measures the README "Performance" tables: `python -m copium bench` with the abi3 wheel
# on each CPython in $COPIUM_BENCH_PYTHONS (default "3.9 3.11 3.13"), and, on 3.10+,
# the published copium 0.1.0 (pinned in baseline-0.1.0.txt) as the alternating baseline.
# Writes, per version, the Markdown tables, the JSON record and the SVG chart into
# $COPIUM_BENCH_RESULTS (default tools/bench/results/), plus what was measured.
#
#   COPIUM_WHEEL          an already built abi3 wheel to measure, instead of building one
#   COPIUM_BENCH_PYTHONS  minor versions to measure, e.g. "3.11"
#   COPIUM_BENCH_RESULTS  where the results go
#   COPIUM_BENCH_VARIANT  "fast-paths": measure a fast-paths build made for each of those
#                         versions instead (results named bench-MINOR-fast-paths.*)
# Extra arguments go to every bench run (e.g. --repeats 15 --memory).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../wheelhouse-scripts/common.sh"

bench_dir="$REPO_ROOT/tools/bench"
results="${COPIUM_BENCH_RESULTS:-$bench_dir/results}"
variant="${COPIUM_BENCH_VARIANT:-abi3}"
case "$variant" in
    abi3)
        wheel="${COPIUM_WHEEL:-$(bash "$SCRIPTS_DIR/build-wheel.sh" abi3)}"
        [ -f "$wheel" ] || die "no wheel at $wheel"
        suffix=""
        ;;
    fast-paths) suffix="-fast-paths" ;;
    *) die "COPIUM_BENCH_VARIANT must be abi3 or fast-paths, not $variant" ;;
esac
mkdir -p "$results"

revision="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
for minor in ${COPIUM_BENCH_PYTHONS:-3.9 3.11 3.13}; do
    python="$(find_python "$minor")" || die "no CPython $minor found"
    if [ "$variant" = fast-paths ]; then
        wheel="$(bash "$SCRIPTS_DIR/build-wheel.sh" fast-paths "$python")"
    fi
    printf '%s%s: wheel %s, checkout %s, arguments: %s\n' "$minor" "$suffix" \
        "$(basename "$wheel")" "$revision" "${*:-(defaults)}" >"$results/measured-$minor$suffix.txt"
    log "CPython $minor: copium from $(basename "$wheel") with the bench extra"
    vpy="$(fresh_venv "$CACHE_DIR/bench-venvs/copium-$minor$suffix" "$python" "$REQUIREMENTS_DIR/bench.txt")"
    "$vpy" -m pip install --quiet --no-deps "$wheel"
    baseline_args=()
    # copium 0.1.0 supports Python 3.10 and later only.
    if [ "$(printf '%s\n' "$minor" 3.10 | sort -V | head -n1)" = 3.10 ]; then
        baseline="$(cached_venv "copium-0.1.0-$minor" "$python" "$bench_dir/baseline-0.1.0.txt")"
        baseline_args=(--baseline "$baseline")
    fi
    log "CPython $minor: python -m copium bench ${baseline_args[*]} $*"
    # From outside the checkout, so the source copium/ cannot shadow the installed one.
    (cd "${TMPDIR:-/tmp}" && "$vpy" -m copium bench --markdown --no-progress \
        --json "$results/bench-$minor$suffix.json" --chart "$results/speedup-$minor$suffix.svg" \
        "${baseline_args[@]}" "$@") | tee "$results/bench-$minor$suffix.md"
done
log "results in $results"
