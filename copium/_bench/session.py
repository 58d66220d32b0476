# mypy: no-implicit-reexport
# (Names imported here are not part of this module: mypy.stubtest checks the public ones.)
"""Run the workloads against every implementation, alternating, and keep the numbers.

For each workload: build the object once, calibrate a loop count per
implementation, then take ``repeats`` rounds in which every implementation runs
one repeat in turn. Alternating inside a workload means a burst of load on a
shared machine lands on all implementations alike instead of on whichever ran
during it. The reported figure is, by default, the minimum over repeats (the run
least disturbed by anything else), or the median of the alternating repeats when the
run asks for it (``Settings.statistic``); both are kept.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any, NamedTuple, Optional, Protocol

from copium._bench.implementations import Implementation
from copium._bench.workloads import Workload

__all__ = [
    "Progress",
    "STATISTICS",
    "Settings",
    "Timing",
    "WorkloadResult",
    "measure_workload",
    "run",
]

# What a reported time is: the best (minimum) repeat, or the median repeat.
STATISTICS = ("best", "median")


class Settings(NamedTuple):
    repeats: int
    min_time_ns: int
    memory: bool
    statistic: str = "best"


class Timing(NamedTuple):
    loops: int
    ns_per_call: list[float]  # one entry per repeat, in order

    @property
    def best(self) -> float:
        return min(self.ns_per_call)

    @property
    def median(self) -> float:
        return statistics.median(self.ns_per_call)


class WorkloadResult(NamedTuple):
    workload: Workload
    timings: dict[str, Timing]  # by implementation name, in the order they ran
    peak_extra_bytes: dict[str, int]  # by implementation name; empty without --memory
    unequal: list[str]  # implementations whose copy did not compare equal to the original
    statistic: str = "best"  # which of the repeats `figure` reports, one of STATISTICS

    def best(self, implementation: str) -> Optional[float]:
        timing = self.timings.get(implementation)
        return timing.best if timing is not None else None

    def figure(self, implementation: str) -> Optional[float]:
        """The time per call the report shows: the run's statistic of the repeats."""
        timing = self.timings.get(implementation)
        if timing is None:
            return None
        return timing.median if self.statistic == "median" else timing.best


class Progress(Protocol):
    """Told when each workload starts and when it is done."""

    def starting(self, workload: Workload) -> None: ...

    def finished(self, workload: Workload) -> None: ...


def _applies(implementation: Implementation, workload: Workload) -> bool:
    return implementation.name != "shallow" or workload.shallow is not None


def measure_workload(
    workload: Workload, implementations: Sequence[Implementation], settings: Settings
) -> WorkloadResult:
    obj: Any = workload.build()
    active = [impl for impl in implementations if _applies(impl, workload)]
    unequal = [impl.name for impl in active if not impl.copies_equal(workload, obj)]
    loops = {impl.name: impl.calibrate(workload, obj, settings.min_time_ns) for impl in active}
    samples: dict[str, list[float]] = {impl.name: [] for impl in active}
    for _ in range(settings.repeats):
        for impl in active:
            samples[impl.name].append(impl.time_per_call(workload, obj, loops[impl.name]))
    memory: dict[str, int] = {}
    if settings.memory:
        memory = {impl.name: impl.peak_extra_bytes(workload, obj) for impl in active}
    timings = {name: Timing(loops[name], values) for name, values in samples.items()}
    return WorkloadResult(workload, timings, memory, unequal, settings.statistic)


def run(
    workloads: Sequence[Workload],
    implementations: Sequence[Implementation],
    settings: Settings,
    progress: Optional[Progress] = None,
) -> list[WorkloadResult]:
    results = []
    for workload in workloads:
        if progress is not None:
            progress.starting(workload)
        results.append(measure_workload(workload, implementations, settings))
        if progress is not None:
            progress.finished(workload)
    return results
