"""A memo passed by the caller sees exactly the calls the running version's stdlib makes.

``copy.deepcopy(x, memo)`` talks to ``memo`` through a handful of mapping operations, and
which ones changed between versions: up to 3.14 an object is looked up with
``memo.get(id(x), _nil)``, from 3.15 with ``id(x) in memo`` then ``memo[id(x)]``; before 3.14
atomic objects are looked up too, from 3.14 they are returned before the memo is consulted.
A mapping that records every call it receives must record the same sequence under copium as
under the stdlib of the running interpreter.
"""

from __future__ import annotations

import collections.abc
import copy as stdlib_copy
import dataclasses
from typing import Any, Callable

import pytest
from stdlib_semantics import ATOMICS_BEFORE_MEMO, FROZENDICT, MEMO_PROBE

import copium


class RecordingList(list):
    """The keep-alive list at ``memo[id(memo)]``, recording what is appended to it."""

    def __init__(self, items: list, memo: RecordingMemo) -> None:
        super().__init__(items)
        self.memo = memo

    def append(self, item: Any) -> None:
        self.memo.calls.append(("keepalive.append", self.memo.label(id(item))))
        super().append(item)


class RecordingMemo(collections.abc.MutableMapping):
    """A mapping (not a dict) that records each operation, naming objects by the order in
    which their ids first appear, so two runs over the same input compare call by call."""

    def __init__(self) -> None:
        self.data: dict[int, Any] = {}
        self.calls: list[tuple[str, ...]] = []
        self._labels: dict[int, str] = {}

    def label(self, key: object) -> str:
        if key == id(self):
            return "id(memo)"
        if not isinstance(key, int):
            return repr(key)
        return self._labels.setdefault(key, f"#{len(self._labels)}")

    def get(self, key: Any, default: Any = None) -> Any:
        self.calls.append(("get", self.label(key)))
        return self.data.get(key, default)

    def __contains__(self, key: object) -> bool:
        self.calls.append(("in", self.label(key)))
        return key in self.data

    def __getitem__(self, key: Any) -> Any:
        self.calls.append(("getitem", self.label(key)))
        return self.data[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self.calls.append(("setitem", self.label(key), type(value).__name__))
        if key == id(self) and type(value) is list:
            value = RecordingList(value, self)
        self.data[key] = value

    def __delitem__(self, key: Any) -> None:
        self.calls.append(("delitem", self.label(key)))
        del self.data[key]

    def __iter__(self) -> Any:
        self.calls.append(("iter",))
        return iter(self.data)

    def __len__(self) -> int:
        self.calls.append(("len",))
        return len(self.data)


class UsesTheMemo:
    """A custom __deepcopy__ that reads and writes the memo it is given."""

    def __init__(self, payload: Any) -> None:
        self.payload = payload

    def __deepcopy__(self, memo: Any) -> UsesTheMemo:
        clone = UsesTheMemo(None)
        memo[id(self)] = clone
        clone.payload = copium_or_stdlib_deepcopy(self.payload, memo)
        return clone


def copium_or_stdlib_deepcopy(x: Any, memo: Any) -> Any:
    # Whichever deepcopy is running the outer copy also copies the inner one.
    return _CURRENT[0](x, memo)


_CURRENT: list[Callable[..., Any]] = [stdlib_copy.deepcopy]


@dataclasses.dataclass
class Point:
    x: Any
    y: Any


class WithSlots:
    __slots__ = ("a", "b")

    def __init__(self, a: Any, b: Any) -> None:
        self.a, self.b = a, b


class OwnReduce:
    def __init__(self, payload: Any) -> None:
        self.payload = payload

    def __reduce__(self) -> tuple[Any, ...]:
        return (OwnReduce, (self.payload,))


class Meta(type):
    pass


class WithMeta(metaclass=Meta):
    pass


def _graphs() -> dict[str, Callable[[], Any]]:
    shared = [1, "two"]
    cyclic: list[Any] = [0]
    cyclic.append(cyclic)
    graphs: dict[str, Callable[[], Any]] = {
        "atoms in a list": lambda: [1, 2.5, "s", None, b"b", 10**30, (1, 2)],
        "nested containers": lambda: {"k": [1, {"n": (2, [3])}], "t": ((), (4,))},
        "one list shared three times": lambda: [shared, {"again": shared}, (shared,)],
        "a list that contains itself": lambda: cyclic,
        "a tuple that reaches itself through a list": _tuple_cycle,
        "a custom __deepcopy__ using the memo": lambda: [UsesTheMemo([shared]), shared],
        "instances through reduce": lambda: [Point([1], {"p": 2}), WithSlots([3], None)],
        "instances with their own __reduce__": lambda: [OwnReduce(shared), OwnReduce([shared])],
        "set, frozenset, bytearray": lambda: [{1, 2}, frozenset({3}), bytearray(b"ab")],
        "a bound method": lambda: [shared.append],
        "classes, plain and with a metaclass": lambda: [int, WithMeta, Point],
    }
    if FROZENDICT is not None:
        graphs["frozendicts"] = lambda: [
            FROZENDICT(a=shared, b=1),
            FROZENDICT(),
            {"fd": FROZENDICT(k=(shared,))},
        ]
    return graphs


def _tuple_cycle() -> Any:
    holder: list[Any] = []
    t = (holder, 1)
    holder.append(t)
    return t


GRAPHS = _graphs()


def recorded_calls(deepcopy: Callable[..., Any], make: Callable[[], Any]) -> list[tuple]:
    original = make()
    memo = RecordingMemo()
    _CURRENT[0] = deepcopy
    try:
        deepcopy(original, memo)
    finally:
        _CURRENT[0] = stdlib_copy.deepcopy
    return memo.calls


@pytest.mark.parametrize("name", GRAPHS)
def test_the_caller_memo_sees_the_stdlib_call_sequence(name: str) -> None:
    make = GRAPHS[name]
    expected = recorded_calls(stdlib_copy.deepcopy, make)
    assert expected, "the stdlib made no call on the memo: the graph tests nothing"
    assert recorded_calls(copium.deepcopy, make) == expected


def test_atomic_objects_are_looked_up_in_the_memo_only_before_3_14() -> None:
    calls = recorded_calls(copium.deepcopy, lambda: 10**30)
    if ATOMICS_BEFORE_MEMO:
        assert calls == []
    else:
        assert calls == [("get", "#0")]


def test_the_memo_is_probed_the_way_this_version_does_it() -> None:
    calls = recorded_calls(copium.deepcopy, lambda: [[]])
    probes = [call[0] for call in calls if call[0] in ("get", "in")]
    assert probes == ["get", "get"] if MEMO_PROBE == "get" else ["in", "in"]


def test_a_memo_hit_from_3_15_reads_the_entry_after_finding_it() -> None:
    shared: list[Any] = []
    memo = RecordingMemo()
    copium.deepcopy([shared, shared], memo)
    lookups = [
        call[0]
        for call in memo.calls
        if call[0] in ("get", "in", "getitem") and call[1] == memo.label(id(shared))
    ]
    if MEMO_PROBE == "get":
        assert lookups == ["get", "get"]
    else:
        assert lookups == ["in", "in", "getitem"]
