#!/usr/bin/env bash
# Usage: test-all.sh [PYTEST_ARGS...]
# The project's test command (README "Testing", .ci/run):
#   0. makes every CPython 3.9-3.15 available (provision-pythons.sh: the host's own, and a
#      Debian-sid chroot for the 3.14 and 3.15 it lacks, made on first use);
#   1. Python lint (ruff check, ruff format --check), then cargo fmt --check, clippy
#      -D warnings for both feature sets and the Rust unit tests (stops on failure);
#   2. builds the abi3 wheel once and audits it (stops on failure);
#   3. builds the fast-paths wheel for the default interpreter (3.11) and audits it;
#   4. installs the abi3 file into a fresh venv of every CPython 3.9-3.15, and the
#      fast-paths wheel into one of 3.11, and runs the pytest suite in each: the heavy
#      suites in full on FULL_SIZE_MINORS, reduced (tests/suite_size.py) on the other
#      versions and the fast-paths build. COPIUM_TEST_JOBS runs go at a time [2], each
#      printing its output whole when it ends;
#   5. builds the sdist and, from it alone, both variants, each smoke-tested
#      (sdist-check.sh), then checks the release workflows and the cibuildwheel selection
#      (check-workflows.sh);
#   6. prints a table with a row per run and per check of step 5 and, as its last line,
#      "N passed, M failed, K skipped" (a failed check counts as one failure).
# Exits non-zero if any step or run failed. With CI=true every one of 3.9-3.15 must be
# found; locally a missing version is a warning. COPIUM_PYTHONS="3.11 3.13" narrows
# the versions for a quicker local loop (and so fails under CI=true); COPIUM_TEST_SIZE
# (full or reduced) makes every run that size; COPIUM_TEST_JOBS=1 runs one at a time.
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
step_started=$started
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

# --- 3. the fast-paths build for the default interpreter ---
default_minor="$(python_minor "$default_py")"
if ! { fast_wheel="$(bash "$SCRIPTS_DIR/build-wheel.sh" fast-paths "$default_py")" &&
    bash "$SCRIPTS_DIR/audit-wheel.sh" "$fast_wheel" fast-paths; }; then
    fast_wheel=""
    printf '%s\tfast-paths\t-\t0\t0\t0\t0\tFAIL\tbuild or audit failed\n' "$default_minor" >>"$summary"
fi
step_done "3. fast-paths build and audit"

# --- 4. the runs: the abi3 file on every interpreter, the fast-paths wheel on 3.11 ---
# In table order; each run appends its summary line to a file of its own, so that lanes
# finishing in any order still give the table in this order.
run_wheels=()
run_pythons=()
run_minors=()
run_sizes=()
for index in ${pythons[@]+"${!pythons[@]}"}; do
    run_wheels+=("$abi3_wheel")
    run_pythons+=("${pythons[$index]}")
    run_minors+=("${minors[$index]}")
    run_sizes+=("$(suite_size "${minors[$index]}")")
done
if [ -n "$fast_wheel" ]; then
    run_wheels+=("$fast_wheel")
    run_pythons+=("$default_py")
    run_minors+=("$default_minor")
    run_sizes+=("$(suite_size "$default_minor" fast-paths)")
fi
# Full runs first: the longest ones start early, so the lanes end close together.
queue_order=()
for size in full reduced; do
    for index in ${run_sizes[@]+"${!run_sizes[@]}"}; do
        [ "${run_sizes[$index]}" = "$size" ] && queue_order+=("$index")
    done
done

lanes="${COPIUM_TEST_JOBS:-2}"
[[ "$lanes" =~ ^[1-9][0-9]*$ ]] || die "COPIUM_TEST_JOBS=$lanes: expected a number of runs at a time"
runs_dir="$CACHE_DIR/test-results/runs"
rm -rf "$runs_dir"
mkdir -p "$runs_dir"
echo 0 >"$runs_dir/next"

# with_lock NAME COMMAND...: one lane at a time (mkdir is atomic everywhere, flock is not
# on macOS).
with_lock() {
    local lock="$runs_dir/$1.lock" status=0
    shift
    until mkdir "$lock" 2>/dev/null; do sleep 0.2; done
    "$@" || status=$?
    rmdir "$lock"
    return "$status"
}

# Prints the index of the next run of the queue and moves the queue on.
take_next() {
    local position
    read -r position <"$runs_dir/next"
    echo $((position + 1)) >"$runs_dir/next"
    [ "$position" -lt "${#queue_order[@]}" ] && printf '%s\n' "${queue_order[$position]}"
}

run_one() {
    local index="$1" log="$runs_dir/$1.log"
    set -- COPIUM_TEST_SIZE="${run_sizes[$index]}" COPIUM_SUMMARY_FILE="$runs_dir/$index.tsv" \
        bash "$SCRIPTS_DIR/test-wheel.sh" "${run_wheels[$index]}" "${run_pythons[$index]}" \
        ${pytest_args[@]+"${pytest_args[@]}"}
    if [ "$lanes" -eq 1 ]; then
        env "$@" || true
    else
        # Runs side by side would interleave their output: each is printed whole when done.
        log "started: $(basename "${run_wheels[$index]}") on CPython ${run_minors[$index]} (${run_sizes[$index]})"
        env "$@" >"$log" 2>&1 || true
        with_lock output cat "$log" >&2 || true
    fi
}

lane() {
    local index
    while index="$(with_lock queue take_next)"; do
        run_one "$index"
    done
}

log "${#queue_order[@]} test runs, $lanes at a time"
lane_pids=()
for ((lane_number = 0; lane_number < lanes; lane_number++)); do
    lane &
    lane_pids+=("$!")
done
# A lane that died leaves runs without a result, which the table reports.
wait "${lane_pids[@]}" || true
for index in ${run_sizes[@]+"${!run_sizes[@]}"}; do
    cat "$runs_dir/$index.tsv" >>"$summary" 2>/dev/null ||
        printf '%s\t%s\t%s\t0\t0\t0\t0\tFAIL\tno result\n' "${run_minors[$index]}" \
            "$(basename "${run_wheels[$index]}")" "${run_sizes[$index]}" >>"$summary"
done
step_done "4. test runs ($lanes at a time)"

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
