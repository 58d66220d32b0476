#!/usr/bin/env bash
# Usage: test-wheel.sh WHEEL PYTHON [PYTEST_ARGS...]
# Installs WHEEL into a fresh venv of PYTHON next to the pinned test requirements, then
# runs the pytest suite there from a directory outside the repository, so the source
# copium/ (which has no compiled extension) can never shadow the installed package.
# Exits with pytest's verdict, except that "no tests collected" (exit 5) is a failure.
#
# PYTHON is an interpreter path, a minor version ("3.14": find_python's choice), or
# chroot:PATH for an interpreter inside the Debian-sid chroot (provision-pythons.sh). Such
# an interpreter, and every venv made from it, runs only inside the chroot, so this whole
# script then runs again in there (in-chroot.sh), with the repository, the cache, the
# test venvs, the wheel's folder, the summary's folder and the test paths bound at the
# same paths: the venv, the JUnit XML and the summary line end up where they would on
# the host.
#
# COPIUM_TEST_PATHS   what pytest collects, whitespace-separated, absolute  [$REPO_ROOT/tests]
# COPIUM_TEST_SIZE    full or reduced: how much the heavy suites do (tests/suite_size.py) [full]
# COPIUM_RUN_NAME     names the venv, the JUnit XML and the summary line        [the variant]
# COPIUM_TEST_MEMORY_MB  soft address-space cap of every test process on Linux, 0: none [8192]
# COPIUM_SUMMARY_FILE if set, one tab-separated line is appended to it:
#                     python run suites passed failed skipped seconds ok|FAIL note
#                     (suites: full, reduced, or subset when COPIUM_TEST_PATHS is set)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

wheel="${1:-}"
python="${2:-}"
[ -f "$wheel" ] && [ -n "$python" ] || die "usage: test-wheel.sh WHEEL PYTHON [PYTEST_ARGS...]"
shift 2
wheel="$(cd "$(dirname "$wheel")" && pwd)/$(basename "$wheel")"
if [[ "$python" =~ ^3\.[0-9]+$ ]]; then
    python="$(find_python "$python")" || die "no CPython $2 found (provision-pythons.sh $2)"
fi
minor="$(python_minor "$python")" || die "$python is not a usable CPython"
case "$(basename "$wheel")" in
    *-abi3-*) variant=abi3 ;;
    *) variant=fast-paths ;;
esac
read -r -a test_paths <<<"${COPIUM_TEST_PATHS:-$REPO_ROOT/tests}"
run="${COPIUM_RUN_NAME:-$variant}"
case "${COPIUM_TEST_SIZE:-full}" in
    full | reduced) suites="${COPIUM_TEST_SIZE:-full}" ;;
    *) die "COPIUM_TEST_SIZE=$COPIUM_TEST_SIZE: expected full or reduced" ;;
esac
[ -z "${COPIUM_TEST_PATHS:-}" ] || suites=subset
started=$SECONDS

summary_rows() {
    if [ -f "${COPIUM_SUMMARY_FILE:-}" ]; then wc -l <"$COPIUM_SUMMARY_FILE"; else echo 0; fi
}

# summary_row PASSED FAILED SKIPPED ok|FAIL NOTE
summary_row() {
    if [ -n "${COPIUM_SUMMARY_FILE:-}" ]; then
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$minor" "$run" "$suites" "$1" "$2" "$3" \
            "$((SECONDS - started))" "$4" "$5" >>"$COPIUM_SUMMARY_FILE"
    fi
}

if is_chroot_python "$python"; then
    mkdir -p "$TEST_VENVS_DIR"
    binds=("$TEST_VENVS_DIR" "$(dirname "$wheel")")
    [ -z "${COPIUM_SUMMARY_FILE:-}" ] || binds+=("$(dirname "$COPIUM_SUMMARY_FILE")")
    for path in "${test_paths[@]}"; do
        if [ -d "$path" ]; then
            binds+=("$path")
        elif [ -e "$path" ]; then
            binds+=("$(dirname "$path")")
        fi
    done
    rows_before="$(summary_rows)"
    set +e
    COPIUM_TEST_VENVS_DIR="$TEST_VENVS_DIR" in_chroot_with_caches "${binds[@]}" -- \
        bash "$SCRIPTS_DIR/test-wheel.sh" "$wheel" "${python#chroot:}" "$@"
    rc=$?
    set -e
    # A run that died before it could write its own line still gets one.
    if [ "$(summary_rows)" = "$rows_before" ]; then
        log "CPython $minor $run: the run in the chroot ended without a result (exit $rc)"
        summary_row 0 0 0 FAIL "chroot run exit $rc"
    fi
    exit "$rc"
fi

venv="$TEST_VENVS_DIR/$run-$minor"
results="$CACHE_DIR/test-results"
junit="$results/junit-$run-$minor.xml"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
mkdir -p "$results"
rm -f "$junit"

record() {
    local status="$1" note="$2"
    read -r passed failed skipped <<<"$("$python" "$SCRIPTS_DIR/py/junit_counts.py" "$junit")"
    log "CPython $minor $run ($suites): $passed passed, $failed failed, $skipped skipped in $((SECONDS - started)) s: $status${note:+ ($note)}"
    summary_row "$passed" "$failed" "$skipped" "$status" "$note"
}

# Every step says `|| return 1`: set -e does not apply inside a function called by `if`.
setup() {
    log "CPython $minor: fresh venv with the test requirements and $(basename "$wheel")"
    # No pip in the venv: the suite does not use it, and uv installs (without
    # byte-compiling: the venv lives for one run, and compiling every module of numpy,
    # pandas, sympy... costs more than compiling what the suite imports, when it does).
    vpy="$(fresh_venv "$venv" "$python" "$REQUIREMENTS_DIR/test.txt" --without-pip)" || return 1
    uv="$(uv_bin)" || return 1
    # --no-deps plus `uv pip check`: a runtime dependency the wheel declares but the
    # pinned requirements lack is reported instead of being fetched unpinned.
    "$uv" pip install --quiet --python "$vpy" --no-deps "$wheel" >&2 || return 1
    "$uv" pip check --python "$vpy" >&2 || return 1
    (cd "$workdir" && "$vpy" "$SCRIPTS_DIR/py/check_installed.py" "$wheel") >&2 || return 1
}

if ! setup; then
    record FAIL "install failed"
    exit 1
fi

log "CPython $minor: pytest ${test_paths[*]}"
set +e
(
    cd "$workdir"
    # A soft cap on each process's address space (Linux): a test that runs away with
    # memory (Hypothesis printing a huge failing graph, say) fails its run with
    # MemoryError instead of driving the shared machine out of memory. The suite's
    # largest cases need under 2 GiB; tests may lower the cap and restore it.
    if [ "$(uname -s)" = Linux ] && [ "${COPIUM_TEST_MEMORY_MB:-8192}" != 0 ]; then
        ulimit -S -v $((${COPIUM_TEST_MEMORY_MB:-8192} * 1024))
    fi
    PYTHONPATH="$SCRIPTS_DIR/py" "$vpy" -m pytest "${test_paths[@]}" \
        -c "$REPO_ROOT/pyproject.toml" --rootdir "$REPO_ROOT" \
        -p installed_copium_check -p no:cacheprovider --basetemp "$workdir/pytest" \
        --junitxml "$junit" "$@"
)
rc=$?
set -e

case "$rc" in
    0) record ok "" ;;
    5) record FAIL "no tests collected" ;;
    *) record FAIL "pytest exit $rc" ;;
esac
[ "$rc" -eq 0 ]
