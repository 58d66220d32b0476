"""Benchmark ``copy.deepcopy`` on representative workloads with pyperf.

It measures whatever ``copy.deepcopy`` is in the worker processes: the stdlib, or
copium once the installed ``copium_autopatch.pth`` patched it at startup. pyperf gives
its workers a minimal environment unless told ``--copy-env``, so the same script
measures both sides:

    pip install . && \\
      rm -f readme_copium.json && \\
      COPIUM_PATCH_DEEPCOPY=1 python tools/run_benchmark.py \\
        -o readme_copium.json --copy-env --debug-single-value && \\
      rm -f readme_stdlib.json && \\
      python tools/run_benchmark.py \\
        -o readme_stdlib.json --debug-single-value && \\
      pyperf compare_to readme_stdlib.json readme_copium.json --table

Drop ``--debug-single-value`` for numbers worth publishing. Every pyperf option works
(``--fast``, ``--rigorous``, ``-p N``, ...); ``python tools/run_benchmark.py --help``.
"""

from __future__ import annotations

import copy
import decimal
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import pyperf


def copy_deepcopy_is() -> str:
    # Never imports copium itself: in the stdlib run it must stay out of the process.
    patch = sys.modules.get("copium.patch")
    return "copium" if patch is not None and patch.enabled() else "stdlib"


# Workloads: each is a function building a fresh object to copy.


def small_dict() -> dict[str, Any]:
    """One small JSON-like record: the most common single deepcopy call."""
    return {"id": 7, "name": "alice", "active": True, "score": 9.5, "tags": ["a", "b"]}


def api_records() -> list[dict[str, Any]]:
    """A decoded JSON API response: 200 records of nested dicts, lists and atoms."""
    return [
        {
            "id": i,
            "name": f"user-{i}",
            "email": f"user-{i}@example.com",
            "roles": ["admin", "staff"] if i % 10 == 0 else ["staff"],
            "address": {"city": ("Oslo", "Lima", "Pune")[i % 3], "zip": f"{10000 + i}"},
            "scores": [i * 0.5, i * 1.5, None],
            "active": i % 2 == 0,
        }
        for i in range(200)
    ]


def nested_config(depth: int = 6) -> dict[str, Any]:
    """A deep settings tree, as frameworks copy before applying overrides."""
    if depth == 0:
        return {"enabled": True, "retries": 3, "timeout": 2.5, "hosts": ["a", "b"]}
    return {f"section_{i}": nested_config(depth - 1) for i in range(3)} | {"level": depth}


def atomic_tuple() -> tuple:
    """A long tuple of immutable atoms, which a deepcopy may return as it is."""
    return tuple(range(500)) + tuple(f"s{i}" for i in range(500)) + (None, 1.5, b"x")


@dataclass
class Address:
    street: str
    city: str


@dataclass
class Customer:
    id: int
    name: str
    address: Address
    orders: list[int] = field(default_factory=list)
    notes: Optional[str] = None


def dataclasses() -> list[Customer]:
    """100 dataclass instances with nested dataclasses and lists."""
    return [
        Customer(i, f"c{i}", Address(f"{i} Main St", "Springfield"), list(range(i % 7)))
        for i in range(100)
    ]


class Node:
    """A plain class: copied through __reduce_ex__, like most user objects."""

    def __init__(self, value: int) -> None:
        self.value = value
        self.children: list[Node] = []
        self.parent: Optional[Node] = None


def object_graph() -> Node:
    """A tree whose nodes point back at their parents: cycles and shared references."""
    root = Node(0)
    frontier = [root]
    for i in range(1, 150):
        parent = frontier[(i - 1) // 3]
        child = Node(i)
        child.parent = parent
        parent.children.append(child)
        frontier.append(child)
    return root


class Money:
    """A class with its own __deepcopy__ that hands the memo on."""

    def __init__(self, amount: decimal.Decimal, history: list[str]) -> None:
        self.amount = amount
        self.history = history

    def __deepcopy__(self, memo: Any) -> Money:
        return Money(self.amount, copy.deepcopy(self.history, memo))


def custom_deepcopy() -> list[Money]:
    """100 objects whose __deepcopy__ recurses with the memo it is given."""
    return [Money(decimal.Decimal(i) / 4, [f"tx{i}", f"tx{i + 1}"]) for i in range(100)]


def int_list() -> list[int]:
    """A flat list of 10,000 ints: raw container throughput."""
    return list(range(10_000))


WORKLOADS: dict[str, Callable[[], Any]] = {
    "small_dict": small_dict,
    "api_records": api_records,
    "nested_config": nested_config,
    "atomic_tuple": atomic_tuple,
    "dataclasses": dataclasses,
    "object_graph": object_graph,
    "custom_deepcopy": custom_deepcopy,
    "int_list": int_list,
}


def main() -> None:
    runner = pyperf.Runner()
    runner.metadata["copy_deepcopy"] = copy_deepcopy_is()
    args = runner.parse_args()
    patch_requested = any(
        os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")
        for name in ("COPIUM_PATCH_DEEPCOPY", "COPIUM_PATCH_ENABLE")
    )
    if patch_requested and not args.worker:
        # Comparing the stdlib against itself would look like a result; refuse instead.
        if copy_deepcopy_is() != "copium":
            sys.exit(
                "COPIUM_PATCH_DEEPCOPY is set but copy.deepcopy is not patched: is copium "
                "installed in this interpreter (pip install .)?"
            )
        if not args.copy_env:
            sys.exit("COPIUM_PATCH_DEEPCOPY reaches pyperf's workers only with --copy-env")
    for name, build in WORKLOADS.items():
        runner.bench_func(name, copy.deepcopy, build())


if __name__ == "__main__":
    main()
