"""Deep copies of builtin containers, their subclasses and plain objects match the stdlib's.

Each case is checked with :func:`parity.assert_deepcopy_parity`: same values, same types,
same identity sharing (which objects are new, which are kept, which positions alias).
"""

from __future__ import annotations

import array
import collections
import dataclasses
import datetime
import decimal
import enum
import fractions
import gc
import types
import weakref
from typing import Any

import pytest
from parity import assert_deepcopy_parity

import copium


class Plain:
    def __init__(self, **attributes):
        self.__dict__.update(attributes)


class Slotted:
    __slots__ = ("left", "right", "__private")

    def __init__(self, left, right):
        self.left = left
        self.right = right
        self.__private = [left]


class SlottedWithDict(Slotted):
    __slots__ = ("__dict__",)


class ListSub(list):
    pass


class DictSub(dict):
    pass


class TupleSub(tuple):
    pass


class SetSub(set):
    pass


class Color(enum.Enum):
    RED = 1


@dataclasses.dataclass
class Record:
    name: str
    tags: list
    parent: object = None


@dataclasses.dataclass(frozen=True)
class FrozenRecord:
    items: tuple
    payload: list


Point = collections.namedtuple("Point", "x y")


class Key:
    """Hashable by value and holding a mutable payload, so a copied key is a new object."""

    def __init__(self, name):
        self.name = name
        self.payload = [name]

    def __eq__(self, other):
        return isinstance(other, Key) and other.name == self.name

    def __hash__(self):
        return hash(self.name)


def _dict_with_holes():
    """Mostly deleted entries: the interpreter's copy of it is rebuilt compact, so its items
    no longer sit where the original's do."""
    holes = {index: index for index in range(100)}
    for index in range(90):
        del holes[index]
    holes["late"] = [1]
    holes[200] = "after"
    return holes


def _self_list():
    x = []
    x.append(x)
    return x


def _self_dict():
    x = {}
    x["self"] = x
    return x


def _mutual_lists():
    a, b = [], []
    a.append(b)
    b.append(a)
    return [a, b]


def _tuple_in_its_own_list():
    inner = []
    outer = (inner, 1)
    inner.append(outer)
    return outer


def _object_cycle():
    node = Plain(value=[1])
    node.me = node
    node.box = [node, (node,)]
    return node


def _shared_everywhere():
    shared = [1, {"deep": [2]}]
    return {
        "a": shared,
        "b": [shared, (shared,)],
        "c": Plain(ref=shared),
        shared[1]["deep"][0]: shared,
    }


def _subclass_with_state(cls, *args):
    value = cls(*args)
    value.extra = ["attribute"]
    return value


def _bound_method_of_a_fresh_object():
    holder = Plain(data=[1, 2])
    holder.method = Record("r", []).__repr__
    return holder


def _weak_value_dictionary():
    keep = Plain(v=1)
    mapping = weakref.WeakValueDictionary({"k": keep})
    return [mapping, keep]


class CollidingKey:
    """Distinct keys whose copies are equal: the copied dict ends up smaller."""

    def __init__(self, label):
        self.label = label

    def __deepcopy__(self, memo):
        return "same key"


_shared_sublist = [1, [2]]


CASES = {
    "dict-whose-copied-keys-collide": {CollidingKey(1): "first", CollidingKey(2): "second"},
    "empty-list": [],
    "empty-dict": {},
    "empty-tuple": (),
    "empty-set": set(),
    "empty-frozenset": frozenset(),
    "nested-list": [1, [2, [3, [4]]], "x"],
    "list-with-repeated-item": [[0]] * 3,
    "dict-insertion-order": {"z": 1, "a": [2], 3: "three", (1, 2): {"k": None}},
    "dict-key-objects-are-copied": {Key("k"): 1, (1, "a"): [2], frozenset({3}): 4},
    "set-of-objects": {Key("a"), Key("b"), 3},
    "tuple-of-atoms-is-kept": (1, "a", None, b"x", 2.5, len),
    "nested-tuple-of-atoms-is-kept": ((1, 2), ((3,), "x")),
    "tuple-holding-a-list-is-new": (1, [2], 3),
    "tuple-holding-a-function-is-kept": (len, _self_list, int),
    "tuple-in-its-own-list": _tuple_in_its_own_list(),
    "set": {1, "two", (3, 4)},
    "frozenset": frozenset({1, "two", (3, 4)}),
    "bytearray": bytearray(b"bytes"),
    "list-of-bytearrays-aliased": [bytearray(b"a")] * 2,
    "self-list": _self_list(),
    "self-dict": _self_dict(),
    "mutual-lists": _mutual_lists(),
    "object-cycle": _object_cycle(),
    "shared-everywhere": _shared_everywhere(),
    "plain-object": Plain(a=[1], b={"c": (2, [3])}),
    "slotted-object": Slotted([1], {"r": 2}),
    "slotted-object-with-dict": _subclass_with_state(SlottedWithDict, [1], (2, [3])),
    "list-subclass": _subclass_with_state(ListSub, [[1], 2]),
    "dict-subclass": _subclass_with_state(DictSub, {"k": [1]}),
    "tuple-subclass": _subclass_with_state(TupleSub, ([1], 2)),
    "set-subclass": _subclass_with_state(SetSub, {1, 2}),
    "defaultdict": collections.defaultdict(list, {"k": [1]}),
    "ordered-dict": collections.OrderedDict([("b", [1]), ("a", [2])]),
    "counter": collections.Counter("abracadabra"),
    "deque": collections.deque([[1], 2, [3]], maxlen=5),
    "chain-map": collections.ChainMap({"a": [1]}, {"b": [2]}),
    "namedtuple": Point([1], (2, [3])),
    "namedtuple-of-atoms": Point(1, 2),
    "dataclass": Record("name", ["t"], parent=Record("parent", [])),
    "frozen-dataclass": FrozenRecord((1, 2), [3]),
    "simple-namespace": types.SimpleNamespace(a=[1], b={"c": 2}),
    "enum-member": [Color.RED, Color.RED],
    "bound-method": Record("r", [1]).__repr__,
    "bound-method-on-an-object-attribute": _bound_method_of_a_fresh_object(),
    "classmethod-bound-to-class": dict.fromkeys,
    "array": array.array("d", [1.0, 2.5]),
    "decimal-and-fraction": [decimal.Decimal("1.10"), fractions.Fraction(1, 3)],
    "datetime-values": [
        datetime.date(2024, 2, 29),
        datetime.timedelta(days=1),
        datetime.datetime(2024, 1, 1, 1, 1),
    ],
    "slice": slice(1, [2], None),
    "weak-value-dictionary": _weak_value_dictionary(),
    "mapping-proxy-inside-list": [types.MappingProxyType({"k": 1})],
    "big-flat-list": list(range(10_000)),
    # A list is copied in one pass that also finds where its leading atomics end: the first
    # item to copy may sit anywhere, the rest of the list after it still copied item by item.
    "list-copied-item-first": [[0], *range(40)],
    "list-copied-item-after-many-atomics": [*range(40), [40], *range(41, 80)],
    "list-copied-item-last": [*range(40), {"last": [1]}],
    "list-of-one-copied-item": [[1]],
    "list-of-atomics-of-two-types-then-a-copied-item": [*range(20), *map(str, range(20)), [1]],
    "list-of-one-shared-sublist-many-times": [_shared_sublist] * 40,
    "big-dict": {str(index): [index] for index in range(2_000)},
    # Dicts are copied from a clone of the original: the item order must stay stdlib's
    # wherever the first item to copy sits and whatever keys come after it.
    "dict-copied-value-first": {"a": [1], "b": 2, "c": "3"},
    "dict-copied-value-last": {"a": 1, "b": "2", "c": [3]},
    "dict-only-atomics-after-a-copied-value": {"list": [0], **{str(i): i for i in range(50)}},
    "dict-with-holes-left-by-deletions": _dict_with_holes(),
    "dict-with-tuple-keys-among-str-keys": {"a": 1, (1, "t"): [2], "b": [3], (4,): 5, "c": 6},
    "dict-with-copied-keys-between-atomic-ones": {"a": [1], Key("k"): 2, "b": [3], Key("j"): 4},
    "dict-with-a-copied-key-first": {Key("k"): [1], "a": 2},
}


@pytest.mark.parametrize("value", list(CASES.values()), ids=list(CASES))
def test_deepcopy_matches_stdlib(value: object) -> None:
    assert_deepcopy_parity(value)


def test_tuple_is_returned_as_is_when_every_item_copies_to_itself() -> None:
    atoms = (1, "a", None, (2, ("b",)))
    assert copium.deepcopy(atoms) is atoms


def test_tuple_with_a_mutable_item_is_rebuilt() -> None:
    original = (1, [2])
    result = copium.deepcopy(original)
    assert result == original
    assert result is not original
    assert result[1] is not original[1]


def test_tuple_in_a_cycle_resolves_to_the_same_new_tuple() -> None:
    original = _tuple_in_its_own_list()
    result = copium.deepcopy(original)
    assert result is not original
    assert result[0][0] is result


def test_aliases_stay_aliases_and_nothing_is_shared_with_the_input() -> None:
    shared = [1, 2]
    original = {"a": shared, "b": shared}
    result = copium.deepcopy(original)
    assert result["a"] is result["b"]
    assert result["a"] is not shared


def test_set_and_frozenset_and_bytearray_are_new_objects() -> None:
    for original in ({1, 2}, frozenset({1, 2}), bytearray(b"ab")):
        result = copium.deepcopy(original)
        assert result == original
        assert result is not original


def test_bound_method_copy_binds_the_same_function_to_a_copied_self() -> None:
    record = Record("r", [1])
    result = copium.deepcopy(record.__repr__)
    assert result.__func__ is record.__repr__.__func__
    assert result.__self__ is not record
    assert result.__self__ == record


def test_deepcopy_of_method_and_its_self_together_shares_the_copied_self() -> None:
    record = Record("r", [1])
    copied_record, copied_method = copium.deepcopy([record, record.__repr__])
    assert copied_method.__self__ is copied_record


def test_dict_keys_are_copied_too() -> None:
    key = Key("k")
    result = copium.deepcopy({key: "v"})
    (copied_key,) = result
    assert copied_key == key
    assert copied_key is not key


class _AppendsWhenCollected:
    """Cyclic garbage whose finalizer grows a list: a collection can start inside any
    allocation (before 3.12) and run it in the middle of that list's copy."""

    def __init__(self, target: list[Any]) -> None:
        self.target = target
        self.cycle = self

    def __del__(self) -> None:
        self.target.append([len(self.target)])


def test_a_list_grown_by_finalizers_while_it_is_copied_copies_a_prefix_of_it() -> None:
    target: list[Any] = [*range(30), [0]]
    threshold = gc.get_threshold()
    try:
        for _ in range(20):
            _AppendsWhenCollected(target)
            gc.set_threshold(1)
            copy_ = copium.deepcopy(target)
            gc.set_threshold(*threshold)
            assert len(copy_) >= 31
            assert copy_ == target[: len(copy_)]
            assert not any(c is t for c, t in zip(copy_, target) if isinstance(t, list))
    finally:
        gc.set_threshold(*threshold)
