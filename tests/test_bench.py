"""``python -m copium bench``: the benchmark set, its measurements and its report.

Timings are never asserted (they depend on the machine); what is checked is that the
command runs, reports every workload, compares like with like, and that the copies it
times are correct ones.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from parity import assert_deepcopy_parity, assert_same_graph

import copium
import copium.extra
import copium.patch
from copium import _copium
from copium._bench import cli, measure, report, workloads
from copium._bench import pins as pins_bench
from copium._bench.session import Timing, WorkloadResult
from copium.extra import clear_pins, pin

ALL_NAMES = [workload.name for workload in workloads.WORKLOADS]


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "copium", "bench", *args],
        capture_output=True,
        text=True,
        timeout=600,
        # Outside the checkout, so the installed copium is the one imported.
        cwd=tempfile.gettempdir(),
    )


# ------------------------------------------------------------------ the benchmark set


def test_workload_names_are_unique_and_every_class_is_named() -> None:
    assert len(set(ALL_NAMES)) == len(ALL_NAMES)
    assert all(workload.group and workload.description for workload in workloads.WORKLOADS)


def test_the_set_covers_the_workload_classes_the_benchmark_promises() -> None:
    groups = {workload.group for workload in workloads.WORKLOADS}
    assert groups == {
        workloads.PYPERFORMANCE,
        workloads.APPLICATION,
        workloads.FLAT,
        workloads.NESTED,
        workloads.RECORDS,
        workloads.OBJECTS,
    }


@pytest.mark.parametrize("workload", workloads.WORKLOADS, ids=ALL_NAMES)
def test_copium_copies_every_workload_exactly_like_the_stdlib(
    workload: workloads.Workload,
) -> None:
    obj = workload.build()
    outcome = assert_deepcopy_parity(obj)
    assert not outcome.raised, outcome.describe()
    assert outcome.value == obj


@pytest.mark.parametrize("workload", workloads.WORKLOADS, ids=ALL_NAMES)
def test_each_build_makes_a_new_object(workload: workloads.Workload) -> None:
    # A workload shared between builds would let one implementation's run warm up the
    # next one's object; equal but distinct objects keep the sides independent.
    first, second = workload.build(), workload.build()
    assert first == second
    assert first is not second or isinstance(first, tuple)


def test_shallow_counterparts_produce_equal_new_containers() -> None:
    with_shallow = [w for w in workloads.WORKLOADS if w.shallow is not None]
    assert {w.name for w in with_shallow} >= {"list_of_10k_ints", "dict_of_1k_str_to_int"}
    for workload in with_shallow:
        assert workload.shallow is not None
        obj = workload.build()
        shallow = workload.shallow(obj)
        assert shallow == obj and shallow is not obj and type(shallow) is type(obj)


def test_the_application_document_shares_references_like_real_state() -> None:
    document = workloads.application_state_document()
    users = document["users"]
    assert document["by_name"]["user3"] is users[3]
    assert users[0].address is users[5].address
    copied = copium.deepcopy(document)
    # The sharing survives the copy: the copy is a graph, not a tree.
    assert copied["by_name"]["user3"] is copied["users"][3]
    assert copied["users"][0].address is copied["users"][5].address
    assert copied["users"][0].address is not users[0].address


# ------------------------------------------------------------------------ measurement


def test_the_stdlib_side_is_the_stdlib_even_when_copy_deepcopy_is_patched() -> None:
    was_enabled = copium.patch.enabled()
    copium.patch.enable()
    try:
        stdlib_deepcopy = measure.private_stdlib_copy().deepcopy
        assert stdlib_deepcopy is not copy.deepcopy
        # The private module's function runs the code of the stdlib copy.py through its own
        # entry point, whichever way the patch works here: the patched copy.deepcopy runs
        # either a trampoline defined in copium/patch.py (code swap) or copium's entry point.
        assert stdlib_deepcopy.__code__.co_filename == copy.__file__
        if _copium._patch_entry_available() and _copium._patch_entry_installed(copy.deepcopy):
            assert not _copium._patch_entry_installed(stdlib_deepcopy)
        else:
            assert copy.deepcopy.__code__.co_filename != copy.__file__
    finally:
        if not was_enabled:
            copium.patch.disable()


def test_calibration_doubles_the_loop_count_until_a_run_lasts_the_minimum_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs: list[int] = []

    def run_taking_1us_per_call(copy: object, obj: object, loops: int) -> int:
        runs.append(loops)
        return loops * 1_000

    monkeypatch.setattr(measure, "run_loops", run_taking_1us_per_call)
    assert measure.calibrate(copium.deepcopy, [], min_time_ns=1_000_000) == 1024
    assert runs == [2**n for n in range(11)]


def test_peak_extra_memory_counts_temporaries_but_not_the_result() -> None:
    def copy_with_a_big_temporary(obj: list[int]) -> list[int]:
        result = list(obj)
        scratch = [0] * 100_000  # about 800 KB beside the result, freed before returning
        del scratch
        return result

    def copy_without_temporaries(obj: list[int]) -> list[int]:
        return list(obj)

    obj = list(range(50_000))  # a 400 KB result: it must not be counted
    assert measure.peak_extra_bytes(copy_with_a_big_temporary, obj) >= 100_000 * 8
    assert measure.peak_extra_bytes(copy_without_temporaries, obj) < 100_000


# ---------------------------------------------------------------------------- report


def _result(name: str, group: str, **best_ns: float) -> WorkloadResult:
    workload = workloads.Workload(name, group, "", lambda: None)
    timings = {impl: Timing(1, [ns, ns * 1.5]) for impl, ns in best_ns.items()}
    return WorkloadResult(workload, timings, {}, [])


def test_speedup_is_the_other_time_over_copiums_best_time() -> None:
    result = _result("w", "g", stdlib=1000.0, copium=250.0)
    assert report.speedup(result, "stdlib") == 4.0
    assert report.speedup(result, "baseline") is None


def test_geometric_means_are_per_class_and_overall() -> None:
    results = [
        _result("a", "fast", stdlib=800.0, copium=100.0),  # 8x
        _result("b", "fast", stdlib=200.0, copium=100.0),  # 2x
        _result("c", "slow", stdlib=50.0, copium=100.0),  # 0.5x
    ]
    means = report.class_geomeans(results, "stdlib")
    assert means["fast"] == pytest.approx(4.0)
    assert means["slow"] == pytest.approx(0.5)
    assert means["all"] == pytest.approx(2.0)


def test_markdown_tables_have_a_header_separator_and_one_line_per_row() -> None:
    results = [_result("a", "g", stdlib=2000.0, copium=1000.0)]
    lines = report.render(report.timing_table(results), markdown=True).splitlines()
    assert lines[2] == "| workload | stdlib | copium | speedup |"
    assert lines[3] == "|---|---:|---:|---:|"
    assert lines[4] == "| a | 2 us | 1 us | 2.00x |"


# --------------------------------------------------------------------------- command


def test_quick_run_prints_the_setup_and_a_row_for_every_workload() -> None:
    process = run_bench("--quick", "--no-progress")
    assert process.returncode == 0, process.stderr
    lines = process.stdout.splitlines()
    assert any(line.startswith("python:") for line in lines)
    assert any(line.startswith("copium:") and copium.__version__ in line for line in lines)
    assert "workload" in process.stdout and "speedup" in process.stdout
    for name in ALL_NAMES:
        assert any(line.startswith(name + " ") for line in lines), name
    assert any(line.startswith("all ") for line in lines)  # the overall geometric mean


def test_list_names_every_workload_with_its_class() -> None:
    process = run_bench("--list")
    assert process.returncode == 0, process.stderr
    for workload in workloads.WORKLOADS:
        assert f"{workload.name}" in process.stdout
        assert f"[{workload.group}]" in process.stdout


def test_an_unknown_selection_is_an_error_not_an_empty_report() -> None:
    process = run_bench("-k", "no-such-workload")
    assert process.returncode == 2
    assert "no workload matches" in process.stderr


def test_baseline_memory_and_json_from_one_alternating_run(tmp_path: Path) -> None:
    # This interpreter serves as its own baseline: it exercises the runner process and
    # its protocol exactly as another venv's copium would.
    record = tmp_path / "bench.json"
    process = run_bench(
        "--quick", "--no-progress", "--memory", "--baseline", sys.executable,
        "-k", "list_of_10k_ints", "-k", "object_with_reduce", "--json", str(record),
    )  # fmt: skip
    assert process.returncode == 0, process.stderr
    assert "vs baseline" in process.stdout
    assert "Peak extra memory" in process.stdout
    data = json.loads(record.read_text(encoding="utf-8"))
    assert data["baseline"]["copium"] == copium.__version__
    assert [w["name"] for w in data["workloads"]] == ["object_with_reduce", "list_of_10k_ints"]
    for entry in data["workloads"]:
        assert set(entry["peak_extra_bytes"]) >= {"stdlib", "copium", "baseline"}
        assert entry["unequal"] == []
        for timing in entry["timings"].values():
            assert timing["loops"] >= 1
            assert len(timing["ns_per_call"]) == cli.QUICK.repeats
            assert all(ns > 0 for ns in timing["ns_per_call"])
    ints = data["workloads"][1]["timings"]
    assert set(ints) == {"stdlib", "copium", "baseline", "shallow"}


def test_a_baseline_that_cannot_start_is_reported_clearly() -> None:
    process = run_bench("--quick", "--baseline", "/nonexistent/bin/python")
    assert process.returncode == 2
    assert "cannot start the baseline interpreter" in process.stderr


def test_chart_without_the_bench_extra_fails_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pygal", None)  # makes `import pygal` fail
    chart_file = tmp_path / "speedup.svg"
    assert cli.main(["--quick", "--chart", str(chart_file)]) == 2
    error = capsys.readouterr().err
    assert "copium[bench]" in error and "pygal" in error
    assert not chart_file.exists()


def test_chart_is_an_svg_with_a_bar_label_per_workload(tmp_path: Path) -> None:
    pytest.importorskip("pygal", reason="the bench extra is not installed")
    chart_file = tmp_path / "speedup.svg"
    process = run_bench("--quick", "--no-progress", "-k", "flat", "--chart", str(chart_file))
    assert process.returncode == 0, process.stderr
    root = ElementTree.parse(chart_file).getroot()
    assert root.tag.endswith("svg")
    text = " ".join(root.itertext())
    for workload in workloads.WORKLOADS:
        if workload.group == workloads.FLAT:
            assert workload.name in text


# ------------------------------------------------------------------ pins


@pytest.mark.parametrize("case", pins_bench.CASES, ids=[case.name for case in pins_bench.CASES])
def test_the_pin_cases_copy_exactly_like_the_stdlib_pinned_or_not(case: pins_bench.Case) -> None:
    obj, target = case.build()
    reference = copy.deepcopy(obj)
    try:
        the_pin = pin(target)
        assert_same_graph(obj, reference, copium.deepcopy(obj))
        if target is obj:
            assert_same_graph(obj, reference, the_pin.copy())
    finally:
        clear_pins()
    assert_same_graph(obj, reference, copium.deepcopy(obj))


def test_the_pin_cases_hold_the_objects_the_targets_name() -> None:
    records = pins_bench.records_1k()
    assert len(records) == 1000 and len({id(record) for record in records}) == 1000
    assert [record["id"] for record in records] == list(range(1000))
    request, state = pins_bench.CASES[2].build()
    assert request["state"] is state and request["previous"][0] is state["users"][0]


def test_pins_run_prints_a_row_for_every_case_and_leaves_nothing_pinned() -> None:
    process = run_bench("--pins", "--repeats", "1", "--min-time", "0")
    assert process.returncode == 0, process.stderr
    lines = process.stdout.splitlines()
    assert any(line.startswith("python:") for line in lines)
    for case in pins_bench.CASES:
        assert any(line.startswith(case.name + " ") for line in lines), case.name
    assert "Pin.copy()" in process.stdout
    assert len(copium.extra.pins()) == 0


@pytest.mark.parametrize("statistic, speedup", [("best", "2.00x"), ("median", "3.00x")])
def test_the_pins_table_reports_the_statistic_asked_for(statistic: str, speedup: str) -> None:
    timings = {
        "deepcopy": Timing(1, [100.0, 300.0, 300.0]),
        "Pin.copy()": Timing(1, [50.0, 100.0, 100.0]),
    }
    result = pins_bench.PinResult(pins_bench.CASES[0], timings, 1, 0, [], statistic)
    table = pins_bench.table([result])
    assert f"({statistic} repeat)" in table.title
    assert table.rows[0][3] == speedup


def test_the_run_and_its_baseline_share_one_cpu_where_the_platform_allows(
    tmp_path: Path,
) -> None:
    record = tmp_path / "bench.json"
    process = run_bench(
        "--quick", "--no-progress", "--baseline", sys.executable, "-k", "object_with_reduce",
        "--json", str(record),
    )  # fmt: skip
    assert process.returncode == 0, process.stderr
    data = json.loads(record.read_text(encoding="utf-8"))
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        assert f"pinned to CPU {cpu}" in process.stdout
        assert data["machine"]["pinned_cpu"] == cpu
        assert data["baseline"]["cpus"] == [cpu]  # as the runner itself reports it
    else:
        assert "not pinned" in process.stdout
        assert data["machine"]["pinned_cpu"] is None


def test_cpu_any_leaves_placement_to_the_scheduler() -> None:
    process = run_bench("--quick", "--no-progress", "--cpu", "any", "-k", "object_with_reduce")
    assert process.returncode == 0, process.stderr
    assert "not pinned" in process.stdout


def test_a_cpu_this_process_may_not_use_is_an_error() -> None:
    process = run_bench("--quick", "--cpu", "100000", "-k", "object_with_reduce")
    expected = 2 if hasattr(os, "sched_setaffinity") else 0
    assert process.returncode == expected
    if expected:
        assert "CPU 100000 is not one this process may run on" in process.stderr
