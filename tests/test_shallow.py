"""``copium.copy`` makes the same shallow copies as ``copy.copy``.

A shallow copy is a new outer object (or the object itself for immutable types) whose
contents are the original's own objects; :func:`parity.assert_copy_parity` checks both.
"""

from __future__ import annotations

import collections
import dataclasses
import types

import pytest
from parity import assert_copy_parity, assert_twin_parity

import copium


class Plain:
    def __init__(self, **attributes):
        self.__dict__.update(attributes)


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a, self.b = a, b


class ListSub(list):
    pass


class DictSub(dict):
    pass


@dataclasses.dataclass
class Record:
    items: list


class CountsCopies:
    def __init__(self):
        self.copies = 0

    def __copy__(self):
        self.copies += 1
        return ("copied by __copy__", self.copies)


def _with_attribute(value):
    value.attribute = [1]
    return value


CASES = {
    "list": [[1], {"k": 2}],
    "dict": {"a": [1], "b": (2,)},
    "set": {1, (2, 3)},
    "bytearray": bytearray(b"abc"),
    "tuple-is-kept": (1, [2]),
    "frozenset-is-kept": frozenset({1, 2}),
    "empty-tuple": (),
    "slice-is-kept": slice(1, [2]),
    "range-is-kept": range(4),
    "int": 10**40,
    "function": len,
    "class": Plain,
    "plain-object": Plain(a=[1], b={"c": 2}),
    "slotted-object": Slotted([1], [2]),
    "list-subclass": _with_attribute(ListSub([[1]])),
    "dict-subclass": _with_attribute(DictSub(k=[1])),
    "defaultdict": collections.defaultdict(list, k=[1]),
    "ordered-dict": collections.OrderedDict(a=[1]),
    "deque": collections.deque([[1], [2]]),
    "dataclass": Record([1]),
    "simple-namespace": types.SimpleNamespace(a=[1]),
    "bound-method": Record([1]).__repr__,
    "self-list": (lambda x: x.append(x) or x)([]),
}


@pytest.mark.parametrize("value", list(CASES.values()), ids=list(CASES))
def test_shallow_copy_matches_stdlib(value: object) -> None:
    assert_copy_parity(value)


def test_list_copy_is_new_but_its_items_are_shared() -> None:
    inner = [1]
    original = [inner]
    result = copium.copy(original)
    assert result == original
    assert result is not original
    assert result[0] is inner


def test_copy_hook_is_called_once_per_copy() -> None:
    assert_twin_parity(CountsCopies, lambda module, x: [module.copy(x), module.copy(x)])


def test_copy_of_object_shares_attribute_values() -> None:
    original = Plain(items=[1])
    result = copium.copy(original)
    assert result is not original
    assert result.items is original.items


def test_copy_takes_exactly_one_argument() -> None:
    with pytest.raises(TypeError):
        copium.copy()
    with pytest.raises(TypeError):
        copium.copy(1, 2)
