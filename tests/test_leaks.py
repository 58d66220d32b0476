"""No leaks: every hostile case, its success and error paths interleaved with successful
copies of containers, run hundreds of thousands of times (see ``leak_loops.py``).

After warm-up, nothing may grow with the number of calls: not the objects the garbage
collector tracks, not the C heap where the engine allocates, not the RSS, not what
tracemalloc sees; the refcounts of every container and object in inputs copied over and
over end where they started; and the copy made by an earlier call is freed as soon as it
is dropped, whatever later calls do. The loops run in a child interpreter, so the pytest
process's own allocations stay out of the figures (and a crash fails this test only).
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import tempfile
from typing import Any

import pytest
from isolated import describe

TESTS_DIR = str(pathlib.Path(__file__).resolve().parent)

ROUNDS = 300  # about 690 calls each: 207,000 measured calls
TRACED_ROUNDS = 20  # under tracemalloc, which slows every allocation down
WARMUP_ROUNDS = 5

# What the loops may grow by without a leak: caches and allocator noise of a few
# hundred bytes, independent of the number of rounds. A leak of one object, or of
# a few bytes, per call exceeds these by far after 200,000 calls. (On CPython 3.14 the
# collector tracks about 200 more objects at the end than at the start, the same after
# 100, 300 or 600 rounds: a one-off, which 1,000 leaves room for.)
LIMITS = {
    "gc_objects_growth": 1000,
    "malloc_heap_bytes_growth": 256 * 1024,
    "traced_bytes_growth": 64 * 1024,
    "rss_kib_growth": 8 * 1024,
    "max_rss_kib_growth": 8 * 1024,
}

RUN_LOOPS = """
import sys
sys.path.insert(0, {tests_dir!r})
import leak_loops
leak_loops.main({rounds}, {traced_rounds}, {warmup})
"""


@pytest.fixture(scope="module")
def measured() -> dict[str, Any]:
    source = RUN_LOOPS.format(
        tests_dir=TESTS_DIR, rounds=ROUNDS, traced_rounds=TRACED_ROUNDS, warmup=WARMUP_ROUNDS
    )
    process = subprocess.run(
        [sys.executable, "-I", "-X", "faulthandler", "-c", source],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tempfile.gettempdir(),
    )
    assert process.returncode == 0, describe(process)
    return json.loads(process.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_the_loops_ran_every_case_many_times(measured: dict[str, Any], figures) -> None:
    for name in (
        "cases",
        "calls",
        "calls_per_round",
        "rounds",
        "traced_rounds",
        "seconds",
        "tracked_input_objects",
    ):
        figures(name, measured[name])
    assert measured["cases"] >= 200 and measured["calls"] >= 150_000, measured


@pytest.mark.slow
@pytest.mark.parametrize("measure", list(LIMITS))
def test_nothing_grows_with_the_number_of_calls(
    measured: dict[str, Any], measure: str, figures
) -> None:
    growth = measured[measure]
    figures(measure, growth)
    if growth is None:
        pytest.skip(f"{measure} cannot be measured on this platform")
    assert growth <= LIMITS[measure], f"{measure} = {growth} after {measured['calls']} calls"


@pytest.mark.slow
def test_refcounts_of_inputs_copied_over_and_over_are_unchanged(
    measured: dict[str, Any], figures
) -> None:
    figures("refcounts changed", measured["refcounts_changed_count"])
    assert measured["refcounts_changed_count"] == 0, measured["refcounts_changed"]
    assert measured["marker_refcount_change"] == 0


@pytest.mark.slow
def test_no_call_keeps_the_copy_an_earlier_call_made(measured: dict[str, Any], figures) -> None:
    figures("earlier copies retained", measured["earlier_copies_retained"])
    assert measured["earlier_copies_retained"] == 0
