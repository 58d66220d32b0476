#!/usr/bin/env bash
# Usage: valgrind.sh [PYTHON] [WHEEL]
# Runs a representative subset of the test suite under valgrind's memcheck against an
# installed copium wheel, and fails on invalid reads or writes, on definite leaks, or if
# the interpreter dies. Linux only (valgrind); takes several minutes.
#
#   PYTHON  the interpreter to test with                 [the default CPython, 3.11]
#   WHEEL   the wheel to install                         [builds the abi3 wheel]
#
# The subset, each part in its own valgrind process with its own log:
#   * every quick hostile case (tests/hostile_*.py), one module at a time, in order, in
#     one interpreter (a new one after a crash): mutation during copies, protocol abuse,
#     interrupts, re-entry and finalizers, stolen memo proxies;
#   * pytest on the property-based parity tests (COPIUM_PROPERTY_EXAMPLES examples per
#     test, 25 by default) and on the suites that copy in-process (containers, reduce,
#     errors, memo proxy, caller memo, refcounts, shallow copies, atoms, config).
#
# Memcheck runs with PYTHONMALLOC=malloc, so every Python object is a heap block it
# watches, and with --undef-value-errors=no: CPython 3.11 reads an uninitialised digit
# when it makes small ints from bytes or strings (maybe_small_long), and valgrind then
# flags every later use of that int anywhere, in CPython and in extensions alike, so
# undefined-value reports cannot be told apart. Invalid reads and writes (use after
# free, out of bounds) and definite leaks are reported. wheelhouse-scripts/
# valgrind-python.supp lists what CPython and the module's start-up keep for the life
# of the process.
#
# Case results are printed too: a case that fails its own assertions under valgrind is
# reported, but only memory errors and crashes fail this script (the pytest suite is
# the judge of behaviour).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

command -v valgrind >/dev/null 2>&1 || die "valgrind is not installed (apt-get install valgrind)"
python="${1:-$(default_python)}"
wheel="${2:-}"
minor="$(python_minor "$python")" || die "$python is not a usable CPython"
if [ -z "$wheel" ]; then
    wheel="$(bash "$SCRIPTS_DIR/build-wheel.sh" abi3 "$python")"
fi
[ -f "$wheel" ] || die "no wheel at $wheel"
wheel="$(cd "$(dirname "$wheel")" && pwd)/$(basename "$wheel")"

logs="$CACHE_DIR/valgrind-$minor"
rm -rf "$logs"
mkdir -p "$logs"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

log "CPython $minor: fresh venv with the test requirements and $(basename "$wheel")"
vpy="$(fresh_venv "$TEST_VENVS_DIR/valgrind-$minor" "$python" "$REQUIREMENTS_DIR/test.txt")"
"$vpy" -m pip install --quiet --no-deps "$wheel" >&2

memcheck=(
    valgrind --tool=memcheck
    --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
    --undef-value-errors=no
    --suppressions="$SCRIPTS_DIR/valgrind-python.supp"
    --num-callers=40 --error-exitcode=99
)

# Runs "$@" under memcheck from an empty directory, so nothing there shadows the
# installed package; logs to $logs/NAME.log. Prints a status line; returns non-zero if
# valgrind found errors or the program died.
run_memcheck() {
    local name="$1" rc
    shift
    log "valgrind: $name"
    set +e
    (cd "$workdir" && PYTHONMALLOC=malloc "${memcheck[@]}" --log-file="$logs/$name.log" "$@" >"$logs/$name.out" 2>&1)
    rc=$?
    set -e
    local errors
    errors="$(grep -Eo 'ERROR SUMMARY: [0-9]+' "$logs/$name.log" | tail -1 | grep -Eo '[0-9]+$' || echo "?")"
    printf '%s\tvalgrind errors: %s\texit: %s\n' "$name" "$errors" "$rc" >>"$logs/summary.tsv"
    if [ "$errors" != "0" ]; then
        warn "$name: valgrind found $errors errors; see $logs/$name.log"
        grep -E -A12 'Invalid (read|write|free)|definitely lost in' "$logs/$name.log" | head -60 >&2 || true
        return 1
    fi
    # Test failures exit 1; a signal (a crash valgrind did not attribute) exits 128+.
    if [ "$rc" -ge 128 ]; then
        warn "$name: the program died (exit $rc); see $logs/$name.log and $logs/$name.out"
        return 1
    fi
    return 0
}

# Runs the quick hostile cases of one module under memcheck, in order, in one
# interpreter. If a case kills the interpreter, the rest run in a new one, so one crash
# does not hide what the other cases would show.
run_hostile_module() {
    local module="$1" part=0 result=0
    local pending="$logs/$module.pending.json"
    # From the empty directory: python - puts the current directory first on sys.path.
    (cd "$workdir" && "$vpy" - "$REPO_ROOT/tests" "$module") >"$pending" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import hostile_cases
cases = hostile_cases.load_all()
print(json.dumps([
    name for name, entry in cases.items()
    if (entry.make if isinstance(entry, hostile_cases.Case) else entry.run).__module__ == sys.argv[2]
    and not getattr(entry, "slow", False)
]))
PY
    while [ "$(cat "$pending")" != "[]" ]; do
        part=$((part + 1))
        run_memcheck "$module.$part" "$vpy" -c "
import json, sys
sys.path.insert(0, '$REPO_ROOT/tests')
import hostile_cases
hostile_cases.main_batch(json.load(open('$pending')))
" || result=1
        # What is left: the cases after the last one that reported, less the one that
        # was running when the interpreter died.
        "$vpy" - "$pending" "$logs/$module.$part.out" <<'PY' >&2
import json, sys
pending = json.load(open(sys.argv[1]))
results = [json.loads(line.split(": ", 1)[1]) for line in open(sys.argv[2]) if line.startswith("hostile-case-result: ")]
failed = [r["name"] for r in results if not r["ok"]]
print(f"{len(results)} cases ran, {len(results) - len(failed)} ok, {len(failed)} failed their own checks")
for name in failed:
    print(f"  failed: {name}")
rest = pending[len(results):]
if rest:
    print(f"  the interpreter died during: {rest[0]}")
    rest = rest[1:]
json.dump(rest, open(sys.argv[1], "w"))
PY
    done
    return "$result"
}

status=0
: >"$logs/summary.tsv"
for module in hostile_mutation hostile_protocols hostile_interrupts hostile_reentry hostile_memo_proxy; do
    run_hostile_module "$module" || status=1
done

# (Variables set in front of the function reach the program; `env VAR=... python` would
# make valgrind check env, not python.)
PYTHONPATH="$SCRIPTS_DIR/py" COPIUM_PROPERTY_EXAMPLES="${COPIUM_PROPERTY_EXAMPLES:-25}" \
    run_memcheck pytest-subset "$vpy" -m pytest -q -p installed_copium_check -p no:cacheprovider \
    -c "$REPO_ROOT/pyproject.toml" --rootdir "$REPO_ROOT" \
    "$REPO_ROOT/tests/test_property_parity.py" "$REPO_ROOT/tests/test_containers.py" \
    "$REPO_ROOT/tests/test_reduce.py" "$REPO_ROOT/tests/test_errors.py" \
    "$REPO_ROOT/tests/test_memo_proxy.py" "$REPO_ROOT/tests/test_user_memo.py" \
    "$REPO_ROOT/tests/test_refcounts.py" "$REPO_ROOT/tests/test_shallow.py" \
    "$REPO_ROOT/tests/test_atomic.py" "$REPO_ROOT/tests/test_config.py" || status=1
tail -3 "$logs/pytest-subset.out" | sed 's/^/pytest-subset: /' >&2

log "summary (logs in $logs)"
cat "$logs/summary.tsv" >&2
if [ "$status" -ne 0 ]; then
    die "valgrind found memory errors or a run died"
fi
log "no invalid reads or writes, no definite leaks"
