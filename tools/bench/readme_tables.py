"""Prints README's performance tables from the JSON records of tools/bench/measure-readme.sh.

Usage: python tools/bench/readme_tables.py [RESULTS_DIR]   (default: tools/bench/results)

Reads bench-MINOR.json for every version found (and bench-MINOR-fast-paths-vs-abi3.json
where present) and prints, as Markdown: the speedup of every workload over copium 0.1.0 and
over the stdlib, the geometric means per workload class, the flat containers against their
shallow copy, and the peak extra memory summed over the workloads. Standard library only.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import Any, Callable, Optional

FAST_PATHS = "-fast-paths-vs-abi3"


def load(results: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The abi3 records by minor version, oldest first, and the fast-paths ones."""
    abi3: dict[str, Any] = {}
    fast: dict[str, Any] = {}
    for path in results.glob("bench-*.json"):
        m = re.fullmatch(rf"bench-(3\.\d+)({re.escape(FAST_PATHS)})?\.json", path.name)
        if m:
            (fast if m.group(2) else abi3)[m.group(1)] = json.loads(path.read_text())
    order = sorted(abi3, key=lambda v: tuple(map(int, v.split("."))))
    return {v: abi3[v] for v in order}, fast


def median(record: dict[str, Any], impl: str) -> Optional[float]:
    timing = record["timings"].get(impl)
    return timing["median"] if timing else None


def ratio(record: dict[str, Any], slower: str, faster: str) -> Optional[float]:
    a, b = median(record, slower), median(record, faster)
    return a / b if a and b else None


def fmt(x: Optional[float]) -> str:
    return "" if x is None else f"{x:.2f}x"


def geomean(values: list[float]) -> float:
    return math.exp(sum(map(math.log, values)) / len(values))


Column = tuple[str, dict[str, Any], Callable[[dict[str, Any]], Optional[float]]]


def columns(abi3: dict[str, Any], fast: dict[str, Any], against: str) -> list[Column]:
    if against == "stdlib":
        return [(v, run, lambda w: ratio(w, "stdlib", "copium")) for v, run in abi3.items()]
    cols: list[Column] = [
        (v, run, lambda w: ratio(w, "baseline", "copium"))
        for v, run in abi3.items()
        if run.get("baseline")
    ]
    cols += [
        (f"{v} fast-paths vs abi3", run, lambda w: ratio(w, "baseline", "copium"))
        for v, run in fast.items()
    ]
    return cols


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def by_name(run: dict[str, Any]) -> dict[str, Any]:
    return {w["name"]: w for w in run["workloads"]}


def speedups(cols: list[Column]) -> str:
    names = [w["name"] for w in cols[0][1]["workloads"]]
    runs = [by_name(run) for _, run, _ in cols]
    rows = [
        [name] + [fmt(f(run[name])) if name in run else "" for run, (_, _, f) in zip(runs, cols)]
        for name in names
    ]
    return table(["workload"] + [label for label, _, _ in cols], rows)


def class_means(cols: list[Column]) -> str:
    classes: dict[str, list[str]] = {}
    for w in cols[0][1]["workloads"]:
        classes.setdefault(w["class"], []).append(w["name"])
    classes["**all**"] = [n for members in classes.values() for n in members]
    runs = [by_name(run) for _, run, _ in cols]
    rows = []
    for cls, members in classes.items():
        row = [cls, str(len(members))]
        for run, (_, _, f) in zip(runs, cols):
            values = [f(run[n]) for n in members if n in run]
            mean = fmt(geomean([v for v in values if v])) if values else ""
            row.append(f"**{mean}**" if cls == "**all**" else mean)
        rows.append(row)
    return table(["workload class", "workloads"] + [label for label, _, _ in cols], rows)


def flat(abi3: dict[str, Any], fast: dict[str, Any]) -> str:
    runs = [(v, by_name(run)) for v, run in abi3.items()]
    runs += [(f"{v} fast-paths", by_name(run)) for v, run in fast.items()]
    names = [w["name"] for w in next(iter(abi3.values()))["workloads"] if "shallow" in w["timings"]]
    rows = [
        [name] + [fmt(ratio(run[name], "copium", "shallow")) for _, run in runs] for name in names
    ]
    return table(["workload"] + [label for label, _ in runs], rows)


def memory(abi3: dict[str, Any]) -> str:
    rows = []
    for v, run in abi3.items():
        sums: dict[str, int] = {}
        for w in run["workloads"]:
            for impl, peak in (w.get("peak_extra_bytes") or {}).items():
                sums[impl] = sums.get(impl, 0) + peak
        if not sums:
            continue
        stdlib = sums.get("stdlib", 0)
        row = [v, str(len(run["workloads"])), f"{stdlib / 1024:.0f} KiB"]
        impls = ["copium"] + (["baseline"] if run.get("baseline") else [])
        for impl in impls:
            row.append(f"{sums[impl] / 1024:.0f} KiB ({100 * sums[impl] / stdlib:.0f}%)")
        row += [""] * (2 - len(impls))
        rows.append(row)
    return table(["CPython", "workloads", "stdlib", "copium", "copium 0.1.0"], rows)


def main(argv: list[str]) -> int:
    results = Path(argv[1] if len(argv) > 1 else Path(__file__).parent / "results")
    abi3, fast = load(results)
    if not abi3:
        print(f"no bench-*.json in {results}", file=sys.stderr)
        return 1
    for v, run in abi3.items():
        machine = run["machine"]
        copium = machine["copium"]
        print(
            f"<!-- {v}: CPython {machine['python']}, copium {copium['version']} "
            f"({copium['build_hash']}) -->"
        )
    sections = [
        ("Speedup over copium 0.1.0", speedups(columns(abi3, fast, "baseline"))),
        ("Speedup over the stdlib", speedups(columns(abi3, fast, "stdlib"))),
        ("Geometric means over copium 0.1.0", class_means(columns(abi3, fast, "baseline"))),
        ("Geometric means over the stdlib", class_means(columns(abi3, fast, "stdlib"))),
        ("Deep copy over shallow copy", flat(abi3, fast)),
        ("Peak extra memory, summed", memory(abi3)),
    ]
    for title, body in sections:
        print(f"\n#### {title}\n\n{body}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
