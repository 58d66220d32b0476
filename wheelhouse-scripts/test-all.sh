#!/usr/bin/env bash
# Usage: test-all.sh [PYTEST_ARGS...]
# The project's test command (README "Testing", .ci/run):
#   1. Python lint (ruff check, ruff format --check), then cargo fmt --check and clippy
#      -D warnings for both feature sets (stops on failure);
#   2. builds the abi3 wheel once and audits it (stops on failure);
#   3. installs that same file into a fresh venv of every CPython 3.9-3.13 and runs the
#      pytest suite in each;
#   4. builds the fast-paths wheel for the default interpreter (3.11) and runs the suite
#      on it in a fresh venv;
#   5. builds the sdist and, from it alone, both variants (sdist-check.sh), then checks
#      the release workflows and the cibuildwheel selection (check-workflows.sh);
#   6. prints a table with a row per run and per check of step 5 and, as its last line,
#      "N passed, M failed, K skipped" (a failed check counts as one failure).
# Exits non-zero if any step or run failed. With CI=true every one of 3.9-3.13 must be
# found; locally a missing version is a warning. COPIUM_PYTHONS="3.11 3.13" narrows
# the versions for a quicker local loop (and so fails under CI=true).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

started=$SECONDS
pytest_args=("$@")
summary="$CACHE_DIR/test-results/summary.tsv"
mkdir -p "$(dirname "$summary")"
: >"$summary"
export COPIUM_SUMMARY_FILE="$summary"

# --- which interpreters (checked first: a CI machine missing one fails at once) ---
pythons=()
tested=" "
for minor in ${COPIUM_PYTHONS:-${SUPPORTED_MINORS[*]}}; do
    [[ " ${SUPPORTED_MINORS[*]} " == *" $minor "* ]] ||
        die "COPIUM_PYTHONS: $minor is not one of ${SUPPORTED_MINORS[*]}"
    if py="$(find_python "$minor")"; then
        pythons+=("$py")
        tested+="$minor "
        log "CPython $minor: $py"
    fi
done
untested=""
for minor in "${SUPPORTED_MINORS[@]}"; do
    [[ "$tested" == *" $minor "* ]] || untested+=" $minor"
done
if [ -n "$untested" ]; then
    why="not found, or left out by COPIUM_PYTHONS=${COPIUM_PYTHONS:-(unset)}"
    is_ci && die "CI must test every CPython ${SUPPORTED_MINORS[*]}; untested:$untested ($why)"
    warn "untested:$untested ($why)"
fi
default_py="$(default_python)"

# --- 1-2. lint, build and audit the shipped wheel ---
bash "$SCRIPTS_DIR/lint-python.sh"
bash "$SCRIPTS_DIR/lint-rust.sh"
abi3_wheel="$(bash "$SCRIPTS_DIR/build-wheel.sh" abi3 "$default_py")"
bash "$SCRIPTS_DIR/audit-wheel.sh" "$abi3_wheel" abi3

# --- 3. the same abi3 file on every interpreter ---
for py in ${pythons[@]+"${pythons[@]}"}; do
    bash "$SCRIPTS_DIR/test-wheel.sh" "$abi3_wheel" "$py" ${pytest_args[@]+"${pytest_args[@]}"} || true
done

# --- 4. the fast-paths build on the default interpreter ---
default_minor="$(python_minor "$default_py")"
if fast_wheel="$(bash "$SCRIPTS_DIR/build-wheel.sh" fast-paths "$default_py")" &&
    bash "$SCRIPTS_DIR/audit-wheel.sh" "$fast_wheel" fast-paths; then
    bash "$SCRIPTS_DIR/test-wheel.sh" "$fast_wheel" "$default_py" ${pytest_args[@]+"${pytest_args[@]}"} || true
else
    printf '%s\tfast-paths\t0\t0\t0\tFAIL\tbuild or audit failed\n' "$default_minor" >>"$summary"
fi

# --- 5. the sdist and the release machinery: one summary row each, with no test counts ---
check_row() {
    local variant="$1" started_at=$SECONDS status=ok
    shift
    # stdout too goes to the log: sdist-check.sh prints the sdist's path there.
    "$@" >&2 || status=FAIL
    printf '%s\t%s\t0\t0\t0\t%s\t%s\n' "$default_minor" "$variant" "$status" \
        "$((SECONDS - started_at))s" >>"$summary"
}
check_row sdist bash "$SCRIPTS_DIR/sdist-check.sh"
check_row workflows bash "$SCRIPTS_DIR/check-workflows.sh"

# --- 6. summary ---
total_passed=0
total_failed=0
total_skipped=0
runs_failed=0
printf '\n%-8s %-11s %7s %7s %8s  %s\n' python variant passed failed skipped result
while IFS=$'\t' read -r minor variant passed failed skipped status note; do
    printf '%-8s %-11s %7s %7s %8s  %s\n' "$minor" "$variant" "$passed" "$failed" "$skipped" \
        "$status${note:+ ($note)}"
    total_passed=$((total_passed + passed))
    total_skipped=$((total_skipped + skipped))
    # A run that failed without a failing test (no tests, install error) still counts
    # as one failure, so the closing line can never look green for a red run.
    if [ "$status" != ok ]; then
        runs_failed=$((runs_failed + 1))
        [ "$failed" -gt 0 ] || failed=1
    fi
    total_failed=$((total_failed + failed))
done <"$summary"
runs=$(($(wc -l <"$summary")))
[ "$runs" -gt 0 ] || die "no test run was recorded"
printf '\n%d of %d runs failed; took %dm%02ds\n' "$runs_failed" "$runs" \
    $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60))
printf '%d passed, %d failed, %d skipped\n' "$total_passed" "$total_failed" "$total_skipped"
[ "$runs_failed" -eq 0 ]
