# mypy: no-implicit-reexport
# (Names imported here are not part of this module: mypy.stubtest checks the public ones.)
"""``python -m copium bench``: time copium against the stdlib on the built-in set.

Prints what it ran on, then per workload the stdlib's and copium's time per call
and the speedup, the geometric means per workload class, and for the flat
containers the cost of copium's deep copy next to a shallow copy. Options add a
baseline copium from another interpreter, memory figures, an SVG chart and a JSON
record of every sample.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, Optional

from copium._bench import affinity, chart, implementations, machine, progress, report, session
from copium._bench.workloads import WORKLOADS, Workload

__all__ = ["DEFAULT", "QUICK", "main"]

QUICK = session.Settings(repeats=3, min_time_ns=1_000_000, memory=False)
DEFAULT = session.Settings(repeats=7, min_time_ns=20_000_000, memory=False)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m copium bench",
        description="Time copium.deepcopy against the stdlib copy.deepcopy on a built-in set "
        "of workloads, alternating between them; report the best (or the median) repeat of "
        "each.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a fast smoke run: {QUICK.repeats} repeats of at least "
        f"{QUICK.min_time_ns // 1_000_000} ms (numbers are rough)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        metavar="N",
        help=f"repeats per implementation and workload [{DEFAULT.repeats}]",
    )
    parser.add_argument(
        "--min-time",
        type=float,
        metavar="MS",
        help="calibrate loops so one repeat lasts at least MS milliseconds "
        f"[{DEFAULT.min_time_ns // 1_000_000}]",
    )
    parser.add_argument(
        "--statistic",
        choices=session.STATISTICS,
        default="best",
        help="report the best (minimum) or the median of the alternating repeats [best]",
    )
    parser.add_argument(
        "--baseline",
        metavar="PYTHON",
        help="also time the copium installed for this interpreter (e.g. another "
        "venv's bin/python holding copium 0.1.0), alternating with this one",
    )
    parser.add_argument(
        "--memory",
        action="store_true",
        help="also measure the peak extra memory of one deepcopy (tracemalloc)",
    )
    parser.add_argument(
        "--chart",
        metavar="FILE.svg",
        help="write a bar chart of the speedups (needs the 'bench' extra)",
    )
    parser.add_argument("--json", metavar="FILE", help="write every sample and the setup as JSON")
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    parser.add_argument(
        "-k",
        dest="select",
        action="append",
        metavar="TEXT",
        help="only workloads whose name or class contains TEXT (repeatable)",
    )
    parser.add_argument(
        "--pins",
        action="store_true",
        help="instead of the workloads: copium.deepcopy against copies from a pin "
        "(copium.extra.pin) of the same objects, alternating",
    )
    parser.add_argument(
        "--cpu",
        metavar="N",
        help="run this process and the baseline's runner on CPU N, or on whichever CPU the "
        f"scheduler picks with {affinity.ANY!r} [the lowest CPU this process may use]",
    )
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    parser.add_argument("--no-progress", action="store_true", help="no progress output")
    return parser  # fmt: skip


def _settings(args: argparse.Namespace) -> session.Settings:
    base = QUICK if args.quick else DEFAULT
    repeats = args.repeats if args.repeats is not None else base.repeats
    min_time_ns = int(args.min_time * 1e6) if args.min_time is not None else base.min_time_ns
    return session.Settings(
        repeats=repeats, min_time_ns=min_time_ns, memory=args.memory, statistic=args.statistic
    )


def _selected(patterns: Optional[list[str]]) -> list[Workload]:
    if not patterns:
        return list(WORKLOADS)
    return [w for w in WORKLOADS if any(p in w.name or p in w.group for p in patterns)]


def _list(workloads: Sequence[Workload]) -> str:
    width = max(len(workload.name) for workload in workloads)
    return "\n".join(f"{w.name:<{width}}  [{w.group}] {w.description}" for w in workloads)


def _header(
    info: dict[str, Any],
    settings: session.Settings,
    baseline: Optional[implementations.Baseline],
    markdown: bool,
) -> list[str]:
    rows = machine.summary_rows(info)
    rows.append(("placement", str(info["placement"])))
    if baseline is not None:
        rows.append(("baseline", f"copium {baseline.info['copium']} on "
                     f"{baseline.info['python']} ({baseline.info['executable']})"))  # fmt: skip
    rows.append(("method", f"{settings.statistic} of {settings.repeats} repeats per implementation, each "
                 f"calibrated to >= {settings.min_time_ns / 1e6:g} ms of calls, implementations "
                 "alternating; gc off inside the timed loop"))  # fmt: skip
    if markdown:
        return [f"- {label}: {text}" for label, text in rows]
    width = max(len(label) for label, _ in rows)
    return [f"{label + ':':<{width + 2}}{text}" for label, text in rows]


def _python_mismatch(info: dict[str, Any], baseline: implementations.Baseline) -> Optional[str]:
    ours = ".".join(str(info["python"]).split(".")[:2])
    theirs = ".".join(str(baseline.info["python"]).split()[-1].split(".")[:2])
    if ours == theirs:
        return None
    return (
        f"warning: the baseline runs Python {theirs} and this copium Python {ours}; "
        "the 'vs baseline' column then compares interpreters as well as copiums"
    )


def _as_json(
    info: dict[str, Any],
    settings: session.Settings,
    baseline: Optional[implementations.Baseline],
    results: Sequence[session.WorkloadResult],
) -> dict[str, Any]:
    return {
        "machine": info,
        "settings": settings._asdict(),
        "baseline": baseline.info if baseline is not None else None,
        "workloads": [
            {
                "name": result.workload.name,
                "class": result.workload.group,
                "description": result.workload.description,
                "timings": {
                    name: {
                        "loops": timing.loops,
                        "ns_per_call": timing.ns_per_call,
                        "best": timing.best,
                        "median": timing.median,
                    }
                    for name, timing in result.timings.items()
                },  # fmt: skip
                "peak_extra_bytes": result.peak_extra_bytes,
                "unequal": result.unequal,
            }
            for result in results
        ],
        "geomean_speedup": {
            "vs_stdlib": report.class_geomeans(results, "stdlib"),
            "vs_baseline": report.class_geomeans(results, "baseline") if baseline else None,
        },
    }


def _pins(info: dict[str, Any], settings: session.Settings, markdown: bool) -> int:
    from copium._bench import pins

    print("\n".join(_header(info, settings, None, markdown)))
    print()
    results = pins.run(settings)
    print(report.render(pins.table(results), markdown=markdown))
    broken = [(result.case.name, side) for result in results for side in result.unequal]
    for case, side in broken:
        print(f"error: {side} of {case} does not equal copy.deepcopy's copy", file=sys.stderr)
    return 1 if broken else 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    workloads = _selected(args.select)
    if not workloads:
        print(f"no workload matches {args.select}; see --list", file=sys.stderr)
        return 2
    if args.list:
        print(_list(workloads))
        return 0
    settings = _settings(args)
    if settings.repeats < 1 or settings.min_time_ns < 0:
        print("--repeats must be at least 1 and --min-time not negative", file=sys.stderr)
        return 2
    if args.chart:
        try:
            chart.require_pygal()  # fail now, not after the whole run
        except chart.ChartUnavailable as error:
            print(f"python -m copium bench: {error}", file=sys.stderr)
            return 2

    try:
        cpu = affinity.pin(args.cpu)
    except affinity.AffinityError as error:
        print(f"python -m copium bench: {error}", file=sys.stderr)
        return 2
    info = machine.describe()
    info["pinned_cpu"] = cpu
    info["placement"] = affinity.describe(cpu, args.cpu)
    if args.pins:
        return _pins(info, settings, args.markdown)
    sides: list[implementations.Implementation] = [
        implementations.stdlib(),
        implementations.this_copium(),
    ]
    baseline = None
    if args.baseline:
        try:
            baseline = implementations.Baseline(args.baseline)
        except implementations.BaselineError as error:
            print(f"python -m copium bench: {error}", file=sys.stderr)
            return 2
        sides.append(baseline)
    sides.append(implementations.Shallow())

    print("\n".join(_header(info, settings, baseline, args.markdown)))
    mismatch = _python_mismatch(info, baseline) if baseline is not None else None
    if mismatch:
        print(mismatch)
    print()
    bar = progress.make(len(workloads), enabled=not args.no_progress)
    try:
        results = session.run(workloads, sides, settings, bar)
    except implementations.BaselineError as error:
        print(f"python -m copium bench: {error}", file=sys.stderr)
        return 2
    finally:
        bar.close()
        if baseline is not None:
            baseline.close()

    tables = [report.timing_table(results), report.geomean_table(results)]
    tables += [t for t in (report.shallow_table(results), report.memory_table(results)) if t]
    print("\n\n".join(report.render(table, markdown=args.markdown) for table in tables))

    if args.json:
        with open(args.json, "w", encoding="utf-8") as output:
            json.dump(_as_json(info, settings, baseline, results), output, indent=2)
            output.write("\n")
    if args.chart:
        label = f"vs copium {baseline.info['copium']} (baseline)" if baseline else ""
        chart.write_svg(args.chart, results, machine.one_line(info), label)
        print(f"\nchart written to {args.chart}")

    broken = [(result.workload.name, name) for result in results for name in result.unequal]
    for workload, name in broken:
        print(f"error: {name}'s copy of {workload} does not equal the original", file=sys.stderr)
    return 1 if broken else 0
