#!/usr/bin/env bash
# Usage: test-wheel.sh WHEEL PYTHON [PYTEST_ARGS...]
# Installs WHEEL into a fresh venv of PYTHON next to the pinned test requirements, then
# runs the pytest suite there from a directory outside the repository, so the source
# copium/ (which has no compiled extension) can never shadow the installed package.
# Exits with pytest's verdict, except that "no tests collected" (exit 5) is a failure.
#
# COPIUM_TEST_PATHS   what pytest collects, whitespace-separated  [$REPO_ROOT/tests]
# COPIUM_SUMMARY_FILE if set, one tab-separated line is appended to it:
#                     python variant passed failed skipped ok|FAIL note
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

wheel="${1:-}"
python="${2:-}"
[ -f "$wheel" ] && [ -n "$python" ] || die "usage: test-wheel.sh WHEEL PYTHON [PYTEST_ARGS...]"
shift 2
wheel="$(cd "$(dirname "$wheel")" && pwd)/$(basename "$wheel")"
minor="$(python_minor "$python")" || die "$python is not a usable CPython"
case "$(basename "$wheel")" in
    *-abi3-*) variant=abi3 ;;
    *) variant=fast-paths ;;
esac
read -r -a test_paths <<<"${COPIUM_TEST_PATHS:-$REPO_ROOT/tests}"

venv="$TEST_VENVS_DIR/$variant-$minor"
results="$CACHE_DIR/test-results"
junit="$results/junit-$variant-$minor.xml"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
mkdir -p "$results"
rm -f "$junit"

record() {
    local status="$1" note="$2"
    read -r passed failed skipped <<<"$("$python" "$SCRIPTS_DIR/py/junit_counts.py" "$junit")"
    log "CPython $minor $variant: $passed passed, $failed failed, $skipped skipped: $status${note:+ ($note)}"
    if [ -n "${COPIUM_SUMMARY_FILE:-}" ]; then
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$minor" "$variant" "$passed" "$failed" "$skipped" \
            "$status" "$note" >>"$COPIUM_SUMMARY_FILE"
    fi
}

# Every step says `|| return 1`: set -e does not apply inside a function called by `if`.
setup() {
    log "CPython $minor: fresh venv with the test requirements and $(basename "$wheel")"
    # --no-compile: the venv lives for one run, and byte-compiling every module of the
    # test requirements (numpy, pandas, sympy...) at install costs more than compiling
    # just the modules the suite imports, once, when it imports them.
    vpy="$(fresh_venv "$venv" "$python" "$REQUIREMENTS_DIR/test.txt" --no-compile)" || return 1
    # --no-deps plus `pip check`: a runtime dependency the wheel declares but the pinned
    # requirements lack is reported instead of being fetched unpinned.
    "$vpy" -m pip install --quiet --no-deps "$wheel" >&2 || return 1
    "$vpy" -m pip check >&2 || return 1
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
    PYTHONPATH="$SCRIPTS_DIR/py" "$vpy" -m pytest "${test_paths[@]}" \
        -c "$REPO_ROOT/pyproject.toml" --rootdir "$REPO_ROOT" \
        -p installed_copium_check -p no:cacheprovider --junitxml "$junit" "$@"
)
rc=$?
set -e

case "$rc" in
    0) record ok "" ;;
    5) record FAIL "no tests collected" ;;
    *) record FAIL "pytest exit $rc" ;;
esac
[ "$rc" -eq 0 ]
