#!/usr/bin/env bash
# Usage: test-all.sh [PYTEST_ARGS...]
# The project's test command (README "Testing", .ci/run):
#   0. makes every CPython 3.9-3.15 available (provision-pythons.sh: the host's own, and a
#      Debian-sid chroot for the 3.14 and 3.15 it lacks, made on first use);
#   1. Python lint (ruff check, ruff format --check), then cargo fmt --check and clippy
#      -D warnings for both feature sets (stops on failure);
#   2. builds the abi3 wheel once and audits it (stops on failure);
#   3. installs that same file into a fresh venv of every CPython 3.9-3.15 and runs the
#      pytest suite in each: the heavy suites in full on FULL_SIZE_MINORS, reduced
#      (tests/suite_size.py) on the others;
#   4. builds the fast-paths wheel for the default interpreter (3.11) and runs the suite
#      (reduced) on it in a fresh venv;
#   5. builds the sdist and, from it alone, both variants, each smoke-tested
#      (sdist-check.sh), then checks the release workflows and the cibuildwheel selection
#      (check-workflows.sh);
#   6. prints a table with a row per run and per check of step 5 and, as its last line,
#      "N passed, M failed, K skipped" (a failed check counts as one failure).
# Exits non-zero if any step or run failed. With CI=true every one of 3.9-3.15 must be
# found; locally a missing version is a warning. COPIUM_PYTHONS="3.11 3.13" narrows
# the versions for a quicker local loop (and so fails under CI=true); COPIUM_TEST_SIZE
# (full or reduced) makes every run that size.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

started=$SECONDS
pytest_args=("$@")
summary="$CACHE_DIR/test-results/summary.tsv"
mkdir -p "$(dirname "$summary")"
: >"$summary"
export COPIUM_SUMMARY_FILE="$summary"

# The heavy suites run in full on the oldest, the default and the newest CPython; the
# others and the fast-paths build run them reduced (the same cases, fewer rounds).
FULL_SIZE_MINORS=(3.9 3.11 3.15)

# --- 0. which interpreters (checked first: a CI machine missing one fails at once) ---
read -r -a requested <<<"${COPIUM_PYTHONS:-${SUPPORTED_MINORS[*]}}"
for minor in "${requested[@]}"; do
    [[ " ${SUPPORTED_MINORS[*]} " == *" $minor "* ]] ||
        die "COPIUM_PYTHONS: $minor is not one of ${SUPPORTED_MINORS[*]}"
done
# What is still missing afterwards is reported (or fails the run under CI) below.
bash "$SCRIPTS_DIR/provision-pythons.sh" "${requested[@]}" || true
pythons=()
minors=()
tested=" "
for minor in "${requested[@]}"; do
    if py="$(find_python "$minor")"; then
        pythons+=("$py")
        minors+=("$minor")
        tested+="$minor "
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

# suite_size MINOR [VARIANT]: full or reduced, as the plan above says (or COPIUM_TEST_SIZE).
suite_size() {
    if [ -n "${COPIUM_TEST_SIZE:-}" ]; then
        printf '%s\n' "$COPIUM_TEST_SIZE"
    elif [ "${2:-abi3}" = abi3 ] && [[ " ${FULL_SIZE_MINORS[*]} " == *" $1 "* ]]; then
        printf 'full\n'
    else
        printf 'reduced\n'
    fi
}

# How long each step took, printed with the summary.
steps=""
step_started=$SECONDS
step_done() {
    steps+="$(printf '  %-34s %3dm%02ds' "$1" $(((SECONDS - step_started) / 60)) $(((SECONDS - step_started) % 60)))"$'\n'
    step_started=$SECONDS
}
step_done "0. interpreters"

# --- 1-2. lint, build and audit the shipped wheel ---
bash "$SCRIPTS_DIR/lint-python.sh"
bash "$SCRIPTS_DIR/lint-rust.sh"
step_done "1. lint"
abi3_wheel="$(bash "$SCRIPTS_DIR/build-wheel.sh" abi3 "$default_py")"
bash "$SCRIPTS_DIR/audit-wheel.sh" "$abi3_wheel" abi3
step_done "2. abi3 build and audit"

# --- 3. the same abi3 file on every interpreter ---
for index in ${pythons[@]+"${!pythons[@]}"}; do
    COPIUM_TEST_SIZE="$(suite_size "${minors[$index]}")" \
        bash "$SCRIPTS_DIR/test-wheel.sh" "$abi3_wheel" "${pythons[$index]}" \
        ${pytest_args[@]+"${pytest_args[@]}"} || true
    step_done "3. abi3 on CPython ${minors[$index]}"
done

# --- 4. the fast-paths build on the default interpreter ---
default_minor="$(python_minor "$default_py")"
if fast_wheel="$(bash "$SCRIPTS_DIR/build-wheel.sh" fast-paths "$default_py")" &&
    bash "$SCRIPTS_DIR/audit-wheel.sh" "$fast_wheel" fast-paths; then
    COPIUM_TEST_SIZE="$(suite_size "$default_minor" fast-paths)" \
        bash "$SCRIPTS_DIR/test-wheel.sh" "$fast_wheel" "$default_py" ${pytest_args[@]+"${pytest_args[@]}"} || true
else
    printf '%s\tfast-paths\t-\t0\t0\t0\t0\tFAIL\tbuild or audit failed\n' "$default_minor" >>"$summary"
fi
step_done "4. fast-paths build, audit and run"

# --- 5. the sdist and the release machinery: one summary row each, with no test counts ---
check_row() {
    local variant="$1" started_at=$SECONDS status=ok
    shift
    # stdout too goes to the log: sdist-check.sh prints the sdist's path there.
    "$@" >&2 || status=FAIL
    printf '%s\t%s\t-\t0\t0\t0\t%s\t%s\t\n' "$default_minor" "$variant" \
        "$((SECONDS - started_at))" "$status" >>"$summary"
}
check_row sdist bash "$SCRIPTS_DIR/sdist-check.sh"
step_done "5. sdist"
check_row workflows bash "$SCRIPTS_DIR/check-workflows.sh"
step_done "5. workflows"

# --- 6. summary ---
total_passed=0
total_failed=0
total_skipped=0
runs_failed=0
printf '\n%-7s %-16s %-8s %7s %7s %8s %7s  %s\n' python run suites passed failed skipped time result
while IFS=$'\t' read -r minor run suites passed failed skipped seconds status note; do
    printf '%-7s %-16s %-8s %7s %7s %8s %7s  %s\n' "$minor" "$run" "$suites" "$passed" "$failed" \
        "$skipped" "$((seconds / 60))m$(printf '%02d' $((seconds % 60)))s" "$status${note:+ ($note)}"
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
printf '\nsteps:\n%s' "$steps"
printf '\n%d of %d runs failed; took %dm%02ds\n' "$runs_failed" "$runs" \
    $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60))
printf '%d passed, %d failed, %d skipped\n' "$total_passed" "$total_failed" "$total_skipped"
[ "$runs_failed" -eq 0 ]
