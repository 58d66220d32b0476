"""copium.patch: after enable(), every call of the stdlib copy.deepcopy runs copium.

A custom ``__deepcopy__`` tells which implementation called it: copium hands it a
``copium.memo`` proxy (with the default memo="native" setting), the stdlib a dict.
"""

from __future__ import annotations

import copy
import inspect
import sys
import threading
import time
from collections.abc import Iterator
from copy import deepcopy as deepcopy_imported_before_enable
from typing import Any, Callable

import pytest
from engine_state import MemoProbe, copied_by, unpatched_with_native_memo

import copium
import copium.config
import copium.patch


def stdlib_deepcopy_state() -> tuple[Any, Any, inspect.Signature]:
    # The suite may start patched (COPIUM_PATCH_DEEPCOPY=1): look at the unpatched state.
    was_enabled = copium.patch.disable()
    state = (copy.deepcopy.__code__, copy.deepcopy.__defaults__, inspect.signature(copy.deepcopy))
    if was_enabled:
        copium.patch.enable()
    return state


STDLIB_DEEPCOPY = copy.deepcopy
STDLIB_CODE, STDLIB_DEFAULTS, STDLIB_SIGNATURE = stdlib_deepcopy_state()


@pytest.fixture(autouse=True)
def unpatched() -> Iterator[None]:
    with unpatched_with_native_memo():
        yield


def test_copy_deepcopy_is_the_stdlib_until_enabled() -> None:
    assert not copium.patch.enabled()
    assert copied_by(copy.deepcopy) == "stdlib"
    assert copied_by(copium.deepcopy) == "copium"


def test_enable_sends_copy_deepcopy_to_copium() -> None:
    copium.patch.enable()
    assert copium.patch.enabled()
    assert copied_by(copy.deepcopy) == "copium"


def test_enable_also_patches_references_taken_before_it() -> None:
    assert deepcopy_imported_before_enable is STDLIB_DEEPCOPY
    copium.patch.enable()
    assert copied_by(deepcopy_imported_before_enable) == "copium"


def test_enable_keeps_the_function_object_name_and_signature() -> None:
    copium.patch.enable()
    assert copy.deepcopy is STDLIB_DEEPCOPY
    assert copy.deepcopy.__name__ == "deepcopy"
    assert copy.deepcopy.__defaults__ is STDLIB_DEFAULTS
    assert inspect.signature(copy.deepcopy) == STDLIB_SIGNATURE
    assert not hasattr(copy.deepcopy, "__wrapped__")


def test_enable_and_disable_are_idempotent_and_report_a_change() -> None:
    assert copium.patch.enable() is True
    assert copium.patch.enable() is False
    assert copium.patch.enabled() is True
    assert copium.patch.disable() is True
    assert copium.patch.disable() is False
    assert copium.patch.enabled() is False


def test_disable_restores_the_stdlib_function_exactly() -> None:
    copium.patch.enable()
    copium.patch.disable()
    assert copy.deepcopy.__code__ is STDLIB_CODE
    assert copy.deepcopy.__defaults__ is STDLIB_DEFAULTS
    # Up to 3.14 the stdlib compares memo lookups against its `_nil` default, a list: it
    # must be the original object, not an equal one.
    assert all(a is b for a, b in zip(copy.deepcopy.__defaults__, STDLIB_DEFAULTS))  # type: ignore[arg-type]
    assert copy.deepcopy.__kwdefaults__ is None
    assert copied_by(copy.deepcopy) == "stdlib"
    assert copied_by(deepcopy_imported_before_enable) == "stdlib"


def test_patch_survives_repeated_cycles() -> None:
    for _ in range(3):
        copium.patch.enable()
        assert copied_by(copy.deepcopy) == "copium"
        copium.patch.disable()
        assert copied_by(copy.deepcopy) == "stdlib"


def test_patched_deepcopy_returns_independent_equal_copies() -> None:
    shared = [1, 2]
    original = {"a": shared, "b": shared, "t": (shared, "x"), "s": {3, 4}}
    copium.patch.enable()
    result = copy.deepcopy(original)
    assert result == original
    assert result["a"] is not shared
    assert result["a"] is result["b"] is result["t"][0]


def test_patched_deepcopy_keeps_cycles() -> None:
    cyclic: list[Any] = [1]
    cyclic.append(cyclic)
    copium.patch.enable()
    result = copy.deepcopy(cyclic)
    assert result is not cyclic
    assert result[1] is result


def test_patched_deepcopy_hands_a_caller_memo_through_unchanged() -> None:
    probe = MemoProbe()
    memo: dict = {}
    copium.patch.enable()
    copy.deepcopy(probe, memo)
    assert probe.memo is memo


def test_patched_deepcopy_propagates_exceptions() -> None:
    class Uncopyable:
        def __deepcopy__(self, memo: Any) -> None:
            raise ValueError("cannot copy this")

    copium.patch.enable()
    with pytest.raises(ValueError, match="cannot copy this"):
        copy.deepcopy([Uncopyable()])


def test_concurrent_enable_calls_change_the_state_exactly_once() -> None:
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def enable() -> None:
        barrier.wait()
        results.append(copium.patch.enable())

    threads = [threading.Thread(target=enable) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_toggling_patch_and_config_while_other_threads_copy() -> None:
    # Both memo kinds and both implementations must give the same, correct result at
    # every moment; no call may fail while another thread flips the switches.
    class Point:
        def __init__(self, x: int, tags: list[str]) -> None:
            self.x = x
            self.tags = tags

        def __deepcopy__(self, memo: Any) -> Point:
            return Point(self.x, copy.deepcopy(self.tags, memo))

    shared = ["shared"]
    data = {"ints": list(range(30)), "points": [Point(i, shared) for i in range(10)]}
    stop = threading.Event()
    errors: list[BaseException] = []
    copies_made = [0] * 4

    def copy_until_stopped(index: int, deepcopy: Callable[..., Any]) -> None:
        try:
            while not stop.is_set():
                result = deepcopy(data)
                assert result["ints"] == data["ints"] and result["ints"] is not data["ints"]
                points = result["points"]
                assert [p.x for p in points] == list(range(10))
                assert points[0].tags == shared and points[0].tags is not shared
                assert all(p.tags is points[0].tags for p in points)
                copies_made[index] += 1
        except BaseException as error:  # reported below, from the main thread
            errors.append(error)

    callers = [copy.deepcopy, deepcopy_imported_before_enable, copy.deepcopy, copium.deepcopy]
    threads = [
        threading.Thread(target=copy_until_stopped, args=(i, f)) for i, f in enumerate(callers)
    ]
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads as often as possible
    try:
        for thread in threads:
            thread.start()
        # At least 400 rounds, and on until every thread has copied while the switches flip
        # (on a loaded machine one may not have been scheduled during the first 400).
        give_up = time.monotonic() + 120
        i = 0
        while (i < 400 or not all(copies_made)) and time.monotonic() < give_up:
            copium.patch.enable()
            copium.config.apply(memo="dict" if i % 2 else "native")
            copium.patch.disable()
            i += 1
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        sys.setswitchinterval(old_interval)
    assert errors == []
    assert all(count > 0 for count in copies_made)
    assert not copium.patch.enabled()
    assert copy.deepcopy.__code__ is STDLIB_CODE
