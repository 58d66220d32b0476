"""The leak loops: every hostile case, its success and error paths interleaved, many times.

Run in a child interpreter by ``test_leaks.py`` (``main()`` prints the measurements as
JSON), so that the pytest process's own allocations do not blur the figures. One round
runs, for every hostile ``Case`` that allows it:

* a successful deep copy of containers (dict, list, set, bytearray, objects) holding a
  weakly referenced marker, whose copy must be freed as soon as it is dropped, and must
  stay freed through the next call, which usually fails;
* the case on a fresh input (its error path, or success);
* the case again on an input made once, before the loops, if the case allows it (the
  refcounts of everything in those inputs must end where they started);

plus batch calls (``replicate``, ``repeatcall``) that succeed and fail, and copies whose
hooks keep the memo on the copy (a reference cycle through the memo). After warm-up
rounds, the loop measures the growth, over the measured rounds, of the number of objects
the garbage collector tracks, of the C heap (where the engine's Rust allocations live), of
the current and maximum RSS, and, over more rounds under tracemalloc, of the memory
Python allocates.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import sys
import time
import tracemalloc
import weakref
from typing import Any, Optional

from hostile_cases import Case, forget_traceback, load_all
from parity import reachable
from sample_types import Plain, Uncopyable

import copium


class Marker:
    """Weakly referenceable, so a test can tell whether a copy of it is still alive."""


class KeepsMemo:
    """Its copy refers to the memo: a cycle memo -> copy -> memo, for the collector."""

    def __deepcopy__(self, memo: Any) -> KeepsMemo:
        clone = KeepsMemo()
        clone.memo = memo
        return clone


def _containers(marker: Marker) -> dict[str, Any]:
    shared = [1, "two", marker]
    return {
        "list": [shared, [shared, (3, shared)]],
        "dict": {"a": shared, 4: {"b": [5]}},
        "set": {1, "x", (2, 3), frozenset({4})},
        "bytearray": bytearray(b"copium" * 10),
        "object": Plain(shared),
    }


def _successful_copy(payload: dict[str, Any]) -> weakref.ref[Any]:
    """Copy containers; return a weak reference to the copy of the marker they hold."""
    result = copium.deepcopy(payload)
    copied_marker = weakref.ref(result["list"][0][2])
    assert copied_marker() is not payload["list"][0][2]
    del result
    return copied_marker


def _batch_calls(payload: dict[str, Any]) -> None:
    copies = copium.extra.replicate(payload, 3)
    assert len(copies) == 3 and copies[0]["list"] is not copies[1]["list"]
    del copies
    for failing in (
        lambda: copium.extra.replicate([Uncopyable()], 2),
        lambda: copium.extra.replicate(payload, -1),
        lambda: copium.extra.repeatcall(lambda: [][0], 3),
        lambda: copium.extra.repeatcall(None, 1),
    ):
        try:
            failing()
        except Exception:  # noqa: BLE001 - the error path is what is exercised
            pass
    assert copium.extra.repeatcall(list, 2) == [[], []]


def _tracked_objects(roots: list[Any]) -> dict[int, Any]:
    """Containers and instances reachable from ``roots``: their refcounts must not move.
    (Atoms and classes are shared with the rest of the process, so they are left out.)"""
    tracked: dict[int, Any] = {}
    for root in roots:
        try:
            found = reachable(root)
        except Exception:  # noqa: BLE001 - a hostile input that cannot be walked (a lying __iter__)
            found = {id(root): root}
        for key, obj in found.items():
            if isinstance(obj, (list, dict, tuple, set, frozenset, bytearray)) or hasattr(
                obj, "__dict__"
            ):
                if not isinstance(obj, type) and not callable(obj):
                    tracked[key] = obj
    return tracked


def _max_rss_kib() -> Optional[int]:
    try:
        import resource
    except ImportError:  # Windows
        return None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss  # macOS reports bytes


def _current_rss_kib() -> Optional[int]:
    try:
        with open("/proc/self/statm") as statm:  # Linux
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return None


def _malloc_heap_bytes() -> Optional[int]:
    """Bytes in use in the C heap (glibc's mallinfo2), where the engine's own Rust
    allocations live; Python objects mostly live in pymalloc arenas instead."""
    try:
        libc = ctypes.CDLL(None)  # the C library the interpreter uses (TypeError on Windows)
        mallinfo2 = libc.mallinfo2
    except (OSError, AttributeError, TypeError):  # not glibc 2.33+
        return None

    class MallInfo2(ctypes.Structure):
        _fields_ = [
            (name, ctypes.c_size_t)
            for name in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()
        ]

    mallinfo2.restype = MallInfo2
    info = mallinfo2()
    return info.uordblks + info.hblkhd


def _snapshot() -> dict[str, Any]:
    gc.collect()
    return {
        "gc_objects": len(gc.get_objects()),
        "malloc_heap_bytes": _malloc_heap_bytes(),
        "rss_kib": _current_rss_kib(),
        "max_rss_kib": _max_rss_kib(),
        "traced_bytes": tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else None,
    }


def _growth(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        f"{name}_growth": None if before[name] is None else after[name] - before[name]
        for name in before
    }


class LeakLoop:
    """One round: every case, interleaved with successful copies, plus batch calls."""

    def __init__(self) -> None:
        self.cases = [
            entry for entry in load_all().values() if isinstance(entry, Case) and entry.leak_loop
        ]
        self.kept_inputs = [case.make(copium) if case.reusable else None for case in self.cases]
        self.marker = Marker()
        self.payload = _containers(self.marker)
        self.calls = 0
        self.retained = 0

    def round(self) -> None:
        for case, kept in zip(self.cases, self.kept_inputs):
            copied_marker = _successful_copy(self.payload)
            self.retained += copied_marker() is not None
            case.run_copium_only()
            if kept is not None:
                try:
                    case.call(copium, kept)
                except BaseException as error:  # noqa: BLE001 - every error path is exercised on purpose
                    forget_traceback(error)
            self.retained += copied_marker() is not None
            self.calls += 3
        _batch_calls(self.payload)
        for _ in range(10):
            copium.deepcopy([KeepsMemo(), [Marker()]])
        self.calls += 16

    def rounds(self, count: int) -> float:
        started = time.perf_counter()
        for _ in range(count):
            self.round()
        return time.perf_counter() - started


def measure(rounds: int, traced_rounds: int, warmup: int) -> dict[str, Any]:
    """``rounds`` measured rounds for objects, refcounts, the C heap and RSS; then
    ``traced_rounds`` more under tracemalloc (which slows every allocation down)."""
    loop = LeakLoop()
    for _ in range(warmup):
        loop.round()
    tracked = _tracked_objects([loop.payload, *loop.kept_inputs])
    refcounts_before = {key: sys.getrefcount(obj) for key, obj in tracked.items()}
    marker_refcount = sys.getrefcount(loop.marker)
    loop.calls = loop.retained = 0
    before = _snapshot()
    seconds = loop.rounds(rounds)
    after = _snapshot()
    refcounts_after = {key: sys.getrefcount(obj) for key, obj in tracked.items()}
    # Objects no longer in the inputs (a hook replaced them) are left out of the comparison.
    still_there = set(_tracked_objects([loop.payload, *loop.kept_inputs]))
    changed = [
        f"{type(tracked[key]).__name__}: {refcounts_before[key]} -> {refcounts_after[key]}"
        for key in tracked
        if key in still_there and refcounts_after[key] != refcounts_before[key]
    ]
    measured_calls, retained = loop.calls, loop.retained

    tracemalloc.start()
    for _ in range(warmup):
        loop.round()
    traced_before = _snapshot()["traced_bytes"]
    loop.rounds(traced_rounds)
    traced_after = _snapshot()["traced_bytes"]
    tracemalloc.stop()

    growth = _growth(before, after)
    growth["traced_bytes_growth"] = traced_after - traced_before
    return {
        "cases": len(loop.cases),
        "rounds": rounds,
        "traced_rounds": traced_rounds,
        "warmup_rounds": warmup,
        "calls": measured_calls,
        "calls_per_round": measured_calls // rounds,
        "seconds": round(seconds, 2),
        **growth,
        "tracked_input_objects": len(tracked),
        "refcounts_changed": changed[:20],
        "refcounts_changed_count": len(changed),
        "marker_refcount_change": sys.getrefcount(loop.marker) - marker_refcount,
        "earlier_copies_retained": retained,
    }


def main(rounds: int, traced_rounds: int, warmup: int) -> None:
    print(json.dumps(measure(rounds, traced_rounds, warmup)))
