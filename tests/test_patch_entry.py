"""copium.patch from Python 3.12: the stdlib function object gets copium's entry point.

Its code stays the stdlib's; every way of calling it (plain calls in a hot loop the
specializer has seen, keyword arguments, ``*args``/``**kwargs``, ``functools.partial``, calls
from C) reaches copium, and a call whose arguments do not fit the function's parameters
raises exactly the error the stdlib function raises. On 3.9-3.11, and with limited-API calls
only, the code-swapping trampoline is used instead (``test_patch.py`` covers both).
"""

from __future__ import annotations

import copy
import functools
import sys
from collections.abc import Iterator
from typing import Any, Callable

import pytest
from engine_state import MemoProbe, copied_by, unpatched_with_native_memo

import copium
import copium.config
import copium.patch
from copium import _copium

ENTRY = "function entry points"
IN_USE = ENTRY in copium.__about__.__internals__


@pytest.fixture(autouse=True)
def unpatched() -> Iterator[None]:
    with unpatched_with_native_memo():
        yield


def test_the_entry_point_is_used_exactly_from_3_12_where_copium_may_look_it_up() -> None:
    build = _copium.BUILD
    expected = sys.version_info >= (3, 12) and bool(build["internals"])
    assert IN_USE is expected
    assert _copium._patch_entry_available() is IN_USE
    mechanism = type(copium.patch._MECHANISM).__name__  # type: ignore[attr-defined]
    assert mechanism == ("_EntrySwap" if IN_USE else "_CodeSwap")


needs_entry = pytest.mark.skipif(not IN_USE, reason="3.12+ with the interpreter functions")


@needs_entry
def test_the_code_and_the_module_globals_stay_the_stdlibs() -> None:
    code, defaults = copy.deepcopy.__code__, copy.deepcopy.__defaults__
    had_name = "__copium_deepcopy__" in copy.__dict__
    copium.patch.enable()
    assert copy.deepcopy.__code__ is code
    assert copy.deepcopy.__defaults__ is defaults
    assert ("__copium_deepcopy__" in copy.__dict__) is had_name
    assert copied_by(copy.deepcopy) == "copium"
    copium.patch.disable()
    assert copy.deepcopy.__code__ is code
    assert copied_by(copy.deepcopy) == "stdlib"


def _hot_loop(n: int) -> list[str]:
    # Enough calls for the specializer to have specialized (and, if it could, inlined) them.
    seen = []
    for i in range(n):
        probe = MemoProbe()
        copy.deepcopy(probe)
        if i % 1000 == 0:
            seen.append("copium" if isinstance(probe.memo, copium.memo) else "stdlib")
    return seen


@needs_entry
def test_a_hot_loop_of_calls_reaches_copium_every_time() -> None:
    assert set(_hot_loop(5000)) == {"stdlib"}  # specialized for the stdlib function first
    copium.patch.enable()
    assert set(_hot_loop(5000)) == {"copium"}
    copium.patch.disable()
    assert set(_hot_loop(5000)) == {"stdlib"}
    copium.patch.enable()
    assert set(_hot_loop(5000)) == {"copium"}


@needs_entry
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda p: copy.deepcopy(p), id="positional"),
        pytest.param(lambda p: copy.deepcopy(x=p), id="x by keyword"),
        pytest.param(lambda p: copy.deepcopy(p, None), id="memo None"),
        pytest.param(lambda p: copy.deepcopy(p, memo=None), id="memo None by keyword"),
        pytest.param(lambda p: copy.deepcopy(memo=None, x=p), id="both by keyword"),
        pytest.param(lambda p: copy.deepcopy(*[p]), id="star args"),
        pytest.param(lambda p: copy.deepcopy(**{"x": p}), id="star star kwargs"),
        pytest.param(lambda p: functools.partial(copy.deepcopy)(p), id="partial"),
        pytest.param(lambda p: list(map(copy.deepcopy, [p])), id="from C"),
    ],
)
def test_every_way_of_calling_reaches_copium(call: Callable[[MemoProbe], Any]) -> None:
    copium.patch.enable()
    assert copied_by(call) == "copium"


@needs_entry
def test_a_caller_memo_is_passed_through() -> None:
    copium.patch.enable()
    memo: dict[int, Any] = {}
    probe = MemoProbe()
    copy.deepcopy(probe, memo)
    assert probe.memo is memo
    probe = MemoProbe()
    copy.deepcopy(probe, memo=memo)
    assert probe.memo is memo


@needs_entry
@pytest.mark.skipif(sys.version_info >= (3, 15), reason="3.15 dropped the _nil parameter")
def test_the_nil_parameter_is_accepted_up_to_3_14() -> None:
    copium.patch.enable()
    assert copied_by(lambda p: copy.deepcopy(p, None, [])) == "copium"
    assert copied_by(lambda p: copy.deepcopy(p, _nil=[])) == "copium"


BAD_CALLS: dict[str, Callable[[Callable[..., Any]], Any]] = {
    "no argument": lambda f: f(),
    "four positional": lambda f: f(1, None, [], 4),
    "three positional": lambda f: f(1, None, []),
    "unknown keyword": lambda f: f(1, y=2),
    "x twice": lambda f: f(1, x=2),
    "memo twice": lambda f: f(1, None, memo=None),
    "only memo": lambda f: f(memo=None),
    "unknown keyword only": lambda f: f(z=1),
    "a positional-only style call": lambda f: f(1, 2, 3, 4, 5, x=1),
}


@needs_entry
@pytest.mark.parametrize("name", BAD_CALLS)
def test_a_bad_call_raises_what_the_stdlib_function_raises(name: str) -> None:
    call = BAD_CALLS[name]

    def outcome() -> tuple[str, str]:
        try:
            call(copy.deepcopy)
        except TypeError as error:
            return type(error).__name__, str(error)
        return "no error", ""

    expected = outcome()
    copium.patch.enable()
    assert outcome() == expected


@needs_entry
def test_disable_then_enable_in_threads_keeps_every_call_working() -> None:
    import threading

    stop = threading.Event()
    failures: list[BaseException] = []

    def copier() -> None:
        data = {"a": [1, 2], "b": ({3},)}
        while not stop.is_set():
            try:
                assert copy.deepcopy(data) == data
            except BaseException as error:  # noqa: BLE001 - reported below
                failures.append(error)
                return

    threads = [threading.Thread(target=copier) for _ in range(3)]
    for thread in threads:
        thread.start()
    for _ in range(300):
        copium.patch.enable()
        copium.patch.disable()
    stop.set()
    for thread in threads:
        thread.join()
    assert failures == []
