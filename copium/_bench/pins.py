# mypy: no-implicit-reexport
# (Names imported here are not part of this module: mypy.stubtest checks the public ones.)
"""``python -m copium bench --pins``: what a pin (``copium.extra.pin``) saves.

Each case is an object copied again and again. Three ways of copying it take turns in
every repeat, as the main benchmark's implementations do:

- ``deepcopy``: ``copium.deepcopy(obj)`` with nothing pinned (the engine's usual path);
- ``Pin.copy()``: a copy from the plan of ``pin(target)``;
- ``deepcopy, pinned``: ``copium.deepcopy(obj)`` while ``target`` is pinned.

``target`` is ``obj`` itself, except in the case where a pinned object sits inside a larger
graph that is not pinned (there ``Pin.copy()`` does not apply). Before timing, every copy is
checked against ``copy.deepcopy`` of the same object (equal values). Pinning and unpinning
happen between timed loops, never inside one.
"""

from __future__ import annotations

import copy as stdlib_copy
from collections.abc import Sequence
from typing import Any, Callable, NamedTuple, Optional

import copium
from copium._bench import measure, report, session, workloads
from copium.extra import clear_pins, pin, pinned, unpin

__all__ = ["CASES", "Case", "PinResult", "measure_case", "records_1k", "run", "table"]

SIDES = ("deepcopy", "Pin.copy()", "deepcopy, pinned")


def records_1k() -> list[dict[str, Any]]:
    """1,000 records of ``json_like_records``' shape (five of its lists, renumbered)."""
    records = [record for _ in range(5) for record in workloads.json_like_records()]
    for index, record in enumerate(records):
        record["id"] = index
    return records


def _state_inside_a_request() -> tuple[Any, Any]:
    state = workloads.application_state_document()
    request = {
        "headers": {f"x-header-{n}": f"value {n}" for n in range(20)},
        "items": workloads.json_like_records()[:50],
        "state": state,
        "previous": [state["users"][0], state["defaults"]],  # shared with the pinned state
    }
    return request, state


def _itself(build: Callable[[], Any]) -> Callable[[], tuple[Any, Any]]:
    def both() -> tuple[Any, Any]:
        obj = build()
        return obj, obj

    return both


class Case(NamedTuple):
    name: str
    description: str
    build: Callable[[], tuple[Any, Any]]  # (the object copied, the object pinned)


CASES = [
    Case("application_state_document", "the application-state document, pinned",
         _itself(workloads.application_state_document)),
    Case("json_like_records_1k", "1,000 JSON-like records, pinned", _itself(records_1k)),
    Case("state_inside_a_request", "a request holding the pinned state document, "
         "and sharing two of its objects, not pinned itself", _state_inside_a_request),
]  # fmt: skip


class PinResult(NamedTuple):
    case: Case
    timings: dict[str, session.Timing]
    planned: int
    runs_code: int
    unequal: list[str]
    statistic: str = "best"  # which of the repeats `figure` reports, as for the workloads

    def figure(self, side: str) -> Optional[float]:
        """The time per call the table shows: the run's statistic of the repeats."""
        timing = self.timings.get(side)
        if timing is None:
            return None
        return timing.median if self.statistic == "median" else timing.best


def measure_case(case: Case, settings: session.Settings) -> PinResult:
    clear_pins()
    obj, target = case.build()
    expected = stdlib_copy.deepcopy(obj)
    the_pin = pin(target)
    unpin(target)

    def pinned_state(wanted: bool) -> None:
        if wanted and pinned(target) is None:
            pin(target)
        elif not wanted:
            unpin(target)

    sides: dict[str, tuple[bool, Callable[[Any], Any]]] = {
        "deepcopy": (False, copium.deepcopy),
        "deepcopy, pinned": (True, copium.deepcopy),
    }
    if target is obj:
        sides["Pin.copy()"] = (False, lambda _obj: the_pin.copy())
    order = [name for name in SIDES if name in sides]
    unequal = []
    loops = {}
    for name in order:
        wanted, copy = sides[name]
        pinned_state(wanted)
        if copy(obj) != expected:
            unequal.append(name)
        loops[name] = measure.calibrate(copy, obj, settings.min_time_ns)
    samples: dict[str, list[float]] = {name: [] for name in order}
    try:
        for _ in range(settings.repeats):
            for name in order:
                wanted, copy = sides[name]
                pinned_state(wanted)
                samples[name].append(measure.time_per_call(copy, obj, loops[name]))
    finally:
        clear_pins()
    timings = {name: session.Timing(loops[name], samples[name]) for name in order}
    return PinResult(case, timings, the_pin.planned, the_pin.runs_code, unequal, settings.statistic)


def run(settings: session.Settings, cases: Sequence[Case] = CASES) -> list[PinResult]:
    return [measure_case(case, settings) for case in cases]


def _ratio(result: PinResult, side: str) -> str:
    base, other = result.figure("deepcopy"), result.figure(side)
    return report.format_ratio(base / other if base and other else None)


def table(results: Sequence[PinResult]) -> report.Table:
    headers = ["case", "deepcopy", "Pin.copy()", "speedup", "deepcopy, pinned", "speedup",
               "planned / run code"]  # fmt: skip
    rows = [
        [result.case.name, report.format_ns(result.figure("deepcopy")),
         report.format_ns(result.figure("Pin.copy()")), _ratio(result, "Pin.copy()"),
         report.format_ns(result.figure("deepcopy, pinned")), _ratio(result, "deepcopy, pinned"),
         f"{result.planned} / {result.runs_code}"]
        for result in results
    ]  # fmt: skip
    statistic = results[0].statistic if results else "best"
    return report.Table(
        f"Pins: copium.deepcopy against copies from a pin ({statistic} repeat)",
        headers,
        rows,
        "speedup: deepcopy's time (nothing pinned) over the pinned way's; 'planned / run "
        "code': the objects of one copy the plan builds by itself, and those it makes by "
        "calling code (a __deepcopy__, a reduce callable, a __setstate__).",
    )
