# mypy: no-implicit-reexport
# (Names imported here are not part of this module: mypy.stubtest checks the public ones.)
"""How one copy function is timed and its memory measured, on one object.

Standard library only, for the same reason as ``workloads.py``: ``runner.py`` uses
this module in a baseline interpreter whose copium has no ``copium._bench``.

Timing follows ``timeit``: a loop of calls between two ``perf_counter_ns`` readings,
with the cyclic garbage collector off inside the loop and a collection before it, so
a collection triggered by one implementation's garbage is not billed to the next.
The loop count is calibrated once per implementation so that one repeat lasts at
least ``min_time_ns``; the caller alternates repeats between implementations.
"""

from __future__ import annotations

import gc
import importlib.util
import sys
import time
import tracemalloc
from types import ModuleType
from typing import Any, Callable

__all__ = [
    "CopyFunction",
    "MAX_LOOPS",
    "calibrate",
    "peak_extra_bytes",
    "private_stdlib_copy",
    "python_description",
    "run_loops",
    "time_per_call",
]

CopyFunction = Callable[[Any], Any]

# Calibration stops doubling here even if one repeat is still too short (it never is
# for the built-in set): a bound on how long a broken clock could keep us looping.
MAX_LOOPS = 1 << 24


def private_stdlib_copy() -> ModuleType:
    """A fresh instance of the stdlib ``copy`` module, loaded from its source file.

    ``copium.patch`` swaps the code of ``copy.deepcopy`` in place, and an interpreter
    started with the autopatch variable set has done so before any of this runs. A
    second instance of the module has its own functions, which nothing has patched,
    so the "stdlib" column always measures the stdlib.
    """
    import copy

    spec = importlib.util.spec_from_file_location("_copium_bench_stdlib_copy", copy.__file__)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the stdlib copy module from {copy.__file__}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_loops(copy: CopyFunction, obj: Any, loops: int) -> int:
    """Nanoseconds taken by ``loops`` calls of ``copy(obj)``."""
    gc.collect()
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        iterations = range(loops)
        start = time.perf_counter_ns()
        for _ in iterations:
            copy(obj)
        return time.perf_counter_ns() - start
    finally:
        if gc_was_enabled:
            gc.enable()


def calibrate(copy: CopyFunction, obj: Any, min_time_ns: int) -> int:
    """The smallest power-of-two loop count whose run lasts at least ``min_time_ns``."""
    copy(obj)  # warm-up: first-call costs (type caches, lazy imports) are not the subject
    loops = 1
    while loops < MAX_LOOPS and run_loops(copy, obj, loops) < min_time_ns:
        loops *= 2
    return loops


def time_per_call(copy: CopyFunction, obj: Any, loops: int) -> float:
    """Nanoseconds per call, averaged over one run of ``loops`` calls."""
    return run_loops(copy, obj, loops) / loops


def peak_extra_bytes(copy: CopyFunction, obj: Any) -> int:
    """Peak memory a call needs beyond the result it returns, as tracemalloc sees it.

    That is the peak traced during ``copy(obj)`` minus what is still allocated once it
    returned (the result, held here): the memo, keep-alive lists and other temporary
    state. tracemalloc sees only memory requested through Python's allocators; memory a
    native extension takes straight from the C allocator is invisible to it.
    """
    copy(obj)  # warm-up, as for timing: lazily built caches are not per-call memory
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = copy(obj)
        current, peak = tracemalloc.get_traced_memory()
        del result
        return max(0, peak - current)
    finally:
        if not was_tracing:
            tracemalloc.stop()


def python_description() -> str:
    return f"{sys.implementation.name} {sys.version.split()[0]}"
