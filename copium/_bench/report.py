# mypy: no-implicit-reexport
# (Names imported here are not part of this module: mypy.stubtest checks the public ones.)
"""Turn measurements into the tables ``python -m copium bench`` prints.

Every time shown is per call, the best (minimum) repeat or, when the run asked for
it, the median repeat. A speedup is the other implementation's time divided by
copium's, so above 1 means copium is faster.
Class and overall figures are geometric means of the per-workload speedups, the
mean that treats a 2x gain and a 2x loss as cancelling out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple, Optional

from copium._bench.session import WorkloadResult

__all__ = [
    "Table",
    "class_geomeans",
    "format_bytes",
    "format_ns",
    "format_ratio",
    "geomean",
    "geomean_table",
    "memory_table",
    "render",
    "shallow_table",
    "speedup",
    "timing_table",
]


class Table(NamedTuple):
    title: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""


def format_ns(ns: Optional[float]) -> str:
    if ns is None:
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def format_bytes(size: Optional[int]) -> str:
    if size is None:
        return "-"
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} B"


def format_ratio(ratio: Optional[float]) -> str:
    return "-" if ratio is None else f"{ratio:.2f}x"


def speedup(result: WorkloadResult, over: str) -> Optional[float]:
    """How many times faster copium is than ``over`` on this workload."""
    theirs, ours = result.figure(over), result.figure("copium")
    if theirs is None or ours is None or ours <= 0:
        return None
    return theirs / ours


def geomean(values: Sequence[float]) -> Optional[float]:
    if not values:
        return None
    return math.exp(sum(math.log(value) for value in values) / len(values))


def _speedups(results: Sequence[WorkloadResult], over: str) -> list[float]:
    return [value for value in (speedup(result, over) for result in results) if value is not None]


def class_geomeans(results: Sequence[WorkloadResult], over: str) -> dict[str, Optional[float]]:
    """Geometric-mean speedup over ``over`` per workload class, then ``"all"``."""
    groups: dict[str, list[WorkloadResult]] = {}
    for result in results:
        groups.setdefault(result.workload.group, []).append(result)
    means = {group: geomean(_speedups(members, over)) for group, members in groups.items()}
    means["all"] = geomean(_speedups(results, over))
    return means


def _has(results: Sequence[WorkloadResult], implementation: str) -> bool:
    return any(implementation in result.timings for result in results)


def _statistic(results: Sequence[WorkloadResult]) -> str:
    return results[0].statistic if results else "best"


def timing_table(results: Sequence[WorkloadResult]) -> Table:
    baseline = _has(results, "baseline")
    headers = ["workload", "stdlib", "copium"]
    headers += ["baseline", "vs stdlib", "vs baseline"] if baseline else ["speedup"]
    rows = []
    for result in results:
        row = [result.workload.name]
        row += [format_ns(result.figure("stdlib")), format_ns(result.figure("copium"))]
        if baseline:
            row.append(format_ns(result.figure("baseline")))
        row.append(format_ratio(speedup(result, "stdlib")))
        if baseline:
            row.append(format_ratio(speedup(result, "baseline")))
        rows.append(row)
    return Table(f"Time per deepcopy call ({_statistic(results)} repeat)", headers, rows)


def geomean_table(results: Sequence[WorkloadResult]) -> Table:
    baseline = _has(results, "baseline")
    over_stdlib = class_geomeans(results, "stdlib")
    over_baseline = class_geomeans(results, "baseline") if baseline else {}
    counts: dict[str, int] = {}
    for result in results:
        counts[result.workload.group] = counts.get(result.workload.group, 0) + 1
    counts["all"] = len(results)
    headers = ["workload class", "workloads", "vs stdlib"] + (["vs baseline"] if baseline else [])
    rows = []
    for group, mean in over_stdlib.items():
        row = [group, str(counts[group]), format_ratio(mean)]
        if baseline:
            row.append(format_ratio(over_baseline.get(group)))
        rows.append(row)
    return Table("Geometric-mean speedup of copium", headers, rows)


def shallow_table(results: Sequence[WorkloadResult]) -> Optional[Table]:
    rows = []
    for result in results:
        if "shallow" not in result.timings:
            continue
        shallow, deep = result.figure("shallow"), result.figure("copium")
        ratio = deep / shallow if shallow and deep is not None else None
        rows.append(
            [result.workload.name, result.workload.shallow_label, format_ns(shallow),
             format_ns(deep), format_ratio(ratio)]
        )  # fmt: skip
    if not rows:
        return None
    headers = ["workload", "shallow copy", "shallow", "copium deepcopy", "deepcopy / shallow"]
    return Table(
        "Flat containers: copium deepcopy against a shallow copy",
        headers,
        rows,
        "Both produce an equal new container of the same atomics; 1.00x would mean the deep "
        "copy costs nothing beyond the shallow one.",
    )


def memory_table(results: Sequence[WorkloadResult]) -> Optional[Table]:
    if not any(result.peak_extra_bytes for result in results):
        return None
    names = [
        name for name in ("stdlib", "copium", "baseline")
        if any(name in result.peak_extra_bytes for result in results)
    ]  # fmt: skip
    rows = [
        [result.workload.name] + [format_bytes(result.peak_extra_bytes.get(name)) for name in names]
        for result in results
    ]
    return Table(
        "Peak extra memory during one deepcopy (tracemalloc peak minus the result)",
        ["workload"] + names,
        rows,
        "tracemalloc counts memory taken through Python's allocators only; memory an "
        "extension takes straight from the C allocator (such as a native memo table) "
        "does not appear here.",
    )


def render(table: Table, markdown: bool = False) -> str:
    """The table as aligned plain text, or as a GitHub Markdown table."""
    # Text columns read left-aligned; numeric ones right-aligned so digits line up.
    numeric = [
        all(row[column][:1].isdigit() or row[column] == "-" for row in table.rows)
        for column in range(len(table.headers))
    ]
    if markdown:
        lines = [f"**{table.title}**", ""]
        lines.append("| " + " | ".join(table.headers) + " |")
        lines.append("|" + "|".join("---:" if right else "---" for right in numeric) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in table.rows]
    else:
        widths = [
            max(len(cell) for cell in [header] + [row[i] for row in table.rows])
            for i, header in enumerate(table.headers)
        ]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(
                cell.rjust(width) if right else cell.ljust(width)
                for cell, width, right in zip(cells, widths, numeric)
            ).rstrip()

        lines = [table.title, line(table.headers), line(["-" * width for width in widths])]
        lines += [line(row) for row in table.rows]
    if table.note:
        lines += ["", table.note]
    return "\n".join(lines)
