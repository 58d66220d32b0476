"""copium.extra: many copies, or many calls, in one go.

``replicate(obj, n)`` equals ``[copium.deepcopy(obj) for _ in range(n)]`` and
``repeatcall(fn, n)`` equals ``[fn() for _ in range(n)]``; both reject a bad ``n`` or
``fn`` the way builtins do: TypeError for a wrong type, ValueError for a negative count.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import pytest

import copium
from copium import _copium
from copium.extra import repeatcall, replicate


@dataclass
class Order:
    id: int
    lines: list[str] = field(default_factory=list)


def test_extra_exports_the_engine_functions() -> None:
    assert replicate is _copium.replicate
    assert repeatcall is _copium.repeatcall


# replicate


@pytest.mark.parametrize(
    "original",
    [
        {"a": [1, 2, {"b": (3, [4])}], "c": {5, 6}},
        [Order(1, ["x"]), Order(2)],
        (1, "two", 3.0, None, b"four"),
        [],
    ],
)
def test_replicate_equals_a_loop_of_deepcopy(original: Any) -> None:
    copies = replicate(original, 4)
    assert copies == [copium.deepcopy(original) for _ in range(4)]
    assert copies == [original] * 4


def test_replicate_copies_are_independent_of_the_original_and_each_other() -> None:
    original = {"orders": [Order(1, ["x"])]}
    first, second = replicate(original, 2)
    assert first is not original and first is not second
    assert first["orders"][0] is not original["orders"][0]
    assert first["orders"][0] is not second["orders"][0]
    first["orders"][0].lines.append("changed")
    assert original["orders"][0].lines == ["x"]
    assert second["orders"][0].lines == ["x"]


def test_replicate_keeps_sharing_within_each_copy_but_not_across_copies() -> None:
    shared = [0]
    cyclic: list[Any] = [shared, shared]
    cyclic.append(cyclic)
    first, second = replicate(cyclic, 2)
    assert first[0] is first[1] and first[2] is first
    assert second[0] is second[1] and second[2] is second
    assert first[0] is not second[0]


def test_replicate_returns_immutable_atoms_themselves() -> None:
    text = "".join(["not", "interned"])
    assert all(copy_ is text for copy_ in replicate(text, 3))


def test_replicate_calls_a_custom_deepcopy_once_per_copy() -> None:
    calls: list[int] = []

    class Counted:
        def __deepcopy__(self, memo: Any) -> Counted:
            calls.append(1)
            return Counted()

    copies = replicate(Counted(), 5)
    assert len(copies) == 5 and len(set(map(id, copies))) == 5
    assert len(calls) == 5


def test_replicate_zero_gives_an_empty_list() -> None:
    assert replicate([1], 0) == []


def test_replicate_propagates_copy_errors() -> None:
    class Broken:
        def __deepcopy__(self, memo: Any) -> None:
            raise copy.Error("cannot copy")

    with pytest.raises(copy.Error, match="cannot copy"):
        replicate(Broken(), 2)


def test_replicate_rejects_a_negative_count() -> None:
    with pytest.raises(ValueError):
        replicate([1], -1)


@pytest.mark.parametrize("count", [2.0, "2", None])
def test_replicate_rejects_a_count_that_is_not_an_int(count: Any) -> None:
    with pytest.raises(TypeError):
        replicate([1], count)


def test_replicate_arguments_are_positional_only() -> None:
    with pytest.raises(TypeError):
        replicate(obj=[1], n=2)  # type: ignore[call-arg]


# repeatcall


def test_repeatcall_returns_each_result_in_call_order() -> None:
    counter = iter(range(100))
    assert repeatcall(lambda: next(counter), 5) == [0, 1, 2, 3, 4]


def test_repeatcall_makes_fresh_objects_when_fn_does() -> None:
    results = repeatcall(dict, 3)
    assert results == [{}, {}, {}]
    assert len(set(map(id, results))) == 3


def test_repeatcall_zero_never_calls_fn() -> None:
    def must_not_run() -> None:
        raise AssertionError("called")

    assert repeatcall(must_not_run, 0) == []


def test_repeatcall_stops_at_the_first_exception() -> None:
    calls: list[int] = []

    def third_call_fails() -> int:
        calls.append(1)
        if len(calls) == 3:
            raise KeyError("third")
        return len(calls)

    with pytest.raises(KeyError, match="third"):
        repeatcall(third_call_fails, 10)
    assert len(calls) == 3


def test_repeatcall_rejects_something_not_callable() -> None:
    with pytest.raises(TypeError):
        repeatcall(42, 2)  # type: ignore[arg-type]


def test_repeatcall_rejects_a_negative_count() -> None:
    with pytest.raises(ValueError):
        repeatcall(list, -3)


@pytest.mark.parametrize("count", [1.5, "1", None])
def test_repeatcall_rejects_a_count_that_is_not_an_int(count: Any) -> None:
    with pytest.raises(TypeError):
        repeatcall(list, count)
