# mypy: no-implicit-reexport
# (Names imported here are not part of this module: mypy.stubtest checks the public ones.)
"""``--chart FILE.svg``: a horizontal bar chart of copium's speedup per workload.

Drawn by pygal, part of the optional ``bench`` extra; copium itself does not
depend on it, so asking for a chart without it fails with a message naming the
extra instead of an ImportError from deep inside.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from types import ModuleType
from typing import Optional

from copium._bench import report
from copium._bench.session import WorkloadResult

__all__ = ["ChartUnavailable", "EXTRA_HINT", "require_pygal", "write_svg"]

EXTRA_HINT = "pip install 'copium[bench]'"


class ChartUnavailable(RuntimeError):
    """The plotting library of the ``bench`` extra is not installed."""


def require_pygal() -> ModuleType:
    """pygal, or ChartUnavailable saying which extra provides it."""
    try:
        return importlib.import_module("pygal")
    except ImportError as error:
        raise ChartUnavailable(
            f"--chart needs pygal, from copium's optional 'bench' extra: {EXTRA_HINT} ({error})"
        ) from error


def _series(results: Sequence[WorkloadResult], over: str) -> list[Optional[float]]:
    values = [report.speedup(result, over) for result in results]
    return [round(value, 2) if value is not None else None for value in values]


def _ticks(results: Sequence[WorkloadResult]) -> list[float]:
    """1-2-5 ticks covering every speedup and 1x."""
    values = [v for over in ("stdlib", "baseline") for v in _series(results, over) if v]
    low, high = min(values + [1.0]), max(values + [1.0])
    ticks, decade = [], 0.01
    while decade <= high * 10:
        ticks += [decade * step for step in (1, 2, 5) if low / 2 <= decade * step <= high * 2]
        decade *= 10
    return [round(tick, 2) for tick in ticks]


def _top_down(items: Sequence[WorkloadResult]) -> list[WorkloadResult]:
    # pygal draws a horizontal bar chart's first label at the bottom; the report lists
    # workloads top-down, so the chart gets them reversed to read in the same order.
    return list(reversed(items))


def write_svg(
    path: str,
    results: Sequence[WorkloadResult],
    subtitle: str,
    baseline_label: str = "vs baseline copium",
) -> None:
    """Write the chart to ``path``: one bar per workload (two with a baseline)."""
    pygal = require_pygal()
    results = _top_down(results)
    chart = pygal.HorizontalBar(
        title=f"copium speedup per workload (times faster; 1x = same speed)\n{subtitle}",
        x_title="speedup, logarithmic scale (higher is better)",
        # Speedups span two orders of magnitude; on a linear axis the small ones vanish.
        logarithmic=True,
        # Bars grow from 1x, so a slowdown points left of it instead of looking like a
        # small gain.
        zero=1,
        y_labels=_ticks(results),
        print_values=True,
        value_formatter=lambda value: f"{value:.1f}x",
        truncate_label=-1,
        width=1000,
        height=140 + 34 * len(results) * (2 if _with_baseline(results) else 1),
        legend_at_bottom=True,
        # No scripts: the file is a static picture (a README embeds it as an image).
        js=[],
    )
    chart.x_labels = [result.workload.name for result in results]
    chart.add("vs stdlib copy.deepcopy", _series(results, "stdlib"))
    if _with_baseline(results):
        chart.add(baseline_label, _series(results, "baseline"))
    chart.render_to_file(path)


def _with_baseline(results: Sequence[WorkloadResult]) -> bool:
    return any("baseline" in result.timings for result in results)
