"""Copier threads sharing inputs while other threads toggle the patch and the settings.

Run in a child interpreter by ``test_threads.py``; ``main()`` prints what happened as JSON.
The interpreter switches threads every microsecond (``sys.setswitchinterval(1e-6)``), so
the copier threads interleave inside each other's copies, hooks and fallbacks as much as
the GIL allows. Every result is checked against the stdlib's copy of the same input,
computed once, before the threads start.

Copier threads take the shared inputs in turn and copy them with ``copium.deepcopy``,
``copy.deepcopy`` (patched to copium or not, depending on the moment), ``copium.copy``,
``copium.extra.replicate`` and ``copium.deepcopy`` with a caller memo. One toggler thread
enables and disables ``copium.patch``; another switches ``copium.config`` between the
native and the dict memo and between the "warn" and "silent" fallbacks, which are all
settings under which every input has one correct copy.
"""

from __future__ import annotations

import collections
import copy as stdlib_copy
import json
import sys
import threading
import time
import warnings
from typing import Any, Callable

from parity import edges, reachable
from sample_types import DeepcopyHook, ReduceExItems, Slotted, StateHooks, Uncopyable

import copium


class NeedsDictMemo:
    """A hook written for the stdlib's dict memo: with copium's native memo it raises
    TypeError, and copium retries it with a dict memo (the "warn"/"silent" fallback)."""

    def __init__(self, payload: Any) -> None:
        self.payload = payload

    def __deepcopy__(self, memo: Any) -> NeedsDictMemo:
        if not isinstance(memo, dict):
            raise TypeError("this hook needs a dict memo")
        clone = NeedsDictMemo.__new__(NeedsDictMemo)
        memo[id(self)] = clone
        clone.payload = stdlib_copy.deepcopy(self.payload, memo)
        return clone


def _inputs() -> list[Any]:
    shared = ["shared", {"deep": [1, 2, 3]}]
    cycle: list[Any] = [shared]
    cycle.append(cycle)
    slotted = Slotted(shared)
    slotted.spare = cycle
    items = ReduceExItems([shared, slotted], {"k": cycle})
    return [
        {
            "shared": shared,
            "again": (shared, [shared]),
            "cycle": cycle,
            "set": {1, (2, 3)},
            "bytes": bytearray(b"abc"),
        },
        [DeepcopyHook([shared, cycle]), StateHooks(shared), slotted, items, shared],
        [NeedsDictMemo([shared, {"cycle": cycle}]), shared, collections.OrderedDict(a=shared)],
        [[n, str(n), (n, [n])] for n in range(100)] + [shared] * 10,
        collections.deque([shared, cycle, items], maxlen=5),
    ]


def signature(root: Any, originals: dict[int, int]) -> list[tuple[Any, ...]]:
    """The shape of a copy: each position is an input object (by its number), an object
    seen before at another position (aliasing, cycles), or a new object with its type and
    its value or number of references. Equal signatures mean isomorphic identity graphs."""
    numbers: dict[int, int] = {}
    shape: list[tuple[Any, ...]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in originals:
            shape.append(("input", originals[id(node)]))
        elif id(node) in numbers:
            shape.append(("seen", numbers[id(node)]))
        else:
            numbers[id(node)] = len(numbers)
            if isinstance(node, (set, frozenset)):
                shape.append((type(node).__name__, sorted(map(repr, node))))
                continue
            children = [child for _, child in edges(node)]
            leaf_value = (
                repr(node)
                if not children and isinstance(node, (bytearray, str, int, float))
                else None
            )
            shape.append((type(node).__name__, len(children), leaf_value))
            stack.extend(reversed(children))
    return shape


class Expectation:
    """One shared input and the signatures of its stdlib copies."""

    def __init__(self, x: Any) -> None:
        self.x = x
        self.originals = {key: number for number, key in enumerate(reachable(x))}
        self.deep = signature(stdlib_copy.deepcopy(x), self.originals)
        self.shallow = signature(stdlib_copy.copy(x), self.originals)

    def check_deep(self, result: Any) -> None:
        assert signature(result, self.originals) == self.deep, (
            "a deep copy differs from the stdlib's"
        )

    def check_shallow(self, result: Any) -> None:
        assert signature(result, self.originals) == self.shallow, (
            "a shallow copy differs from the stdlib's"
        )


def _copy_ways(expectation: Expectation) -> list[Callable[[], None]]:
    x = expectation.x

    def replicated() -> None:
        first, second = copium.extra.replicate(x, 2)
        expectation.check_deep(first)
        expectation.check_deep(second)

    return [
        lambda: expectation.check_deep(copium.deepcopy(x)),
        lambda: expectation.check_deep(stdlib_copy.deepcopy(x)),
        lambda: expectation.check_shallow(copium.copy(x)),
        replicated,
        lambda: expectation.check_deep(copium.deepcopy(x, {})),
    ]


def _failing_copy() -> None:
    try:
        copium.deepcopy([["fine"], Uncopyable()])
    except stdlib_copy.Error:
        return
    raise AssertionError("copying an uncopyable object did not raise copy.Error")


def run(copiers: int, iterations: int) -> dict[str, Any]:
    warnings.simplefilter("ignore")  # the "warn" fallback warns from every thread
    expectations = [Expectation(x) for x in _inputs()]
    ways = [way for expectation in expectations for way in _copy_ways(expectation)] + [
        _failing_copy
    ]
    done = threading.Event()
    failures: list[str] = []
    copies = [0] * copiers
    toggles = collections.Counter()

    def copier(index: int) -> None:
        try:
            for iteration in range(iterations):
                ways[(index + iteration) % len(ways)]()
                copies[index] += 1
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(f"copier {index}: {type(error).__name__}: {error}")

    def toggle_patch() -> None:
        while not done.is_set():
            copium.patch.enable()
            copium.patch.disable()
            toggles["patch"] += 2

    def toggle_config() -> None:
        settings = [
            {"memo": "dict"},
            {"memo": "native"},
            {"on_incompatible": "silent"},
            {"on_incompatible": "warn", "suppress_warnings": ["needs a dict"]},
            {"suppress_warnings": None},
        ]
        while not done.is_set():
            for setting in settings:
                copium.config.apply(**setting)
                toggles["config"] += 1

    previous_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    started = time.perf_counter()
    try:
        togglers = [threading.Thread(target=toggle_patch), threading.Thread(target=toggle_config)]
        workers = [threading.Thread(target=copier, args=(index,)) for index in range(copiers)]
        for thread in togglers + workers:
            thread.start()
        for thread in workers:
            thread.join()
        done.set()
        for thread in togglers:
            thread.join()
    finally:
        sys.setswitchinterval(previous_interval)
        copium.patch.disable()
        copium.config.apply(memo="native", on_incompatible="warn", suppress_warnings=None)
    return {
        "copier_threads": copiers,
        "iterations_per_thread": iterations,
        "copies_checked": sum(copies),
        "patch_toggles": toggles["patch"],
        "config_changes": toggles["config"],
        "seconds": round(time.perf_counter() - started, 2),
        "failures": failures[:10],
    }


def main(copiers: int, iterations: int) -> None:
    print(json.dumps(run(copiers, iterations)))
