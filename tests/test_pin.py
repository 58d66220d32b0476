"""Pins: ``copium.extra.pin(obj)`` compiles a copy plan once; copies are made from it.

The contract, checked here: a copy from a pin is what ``copy.deepcopy(obj)`` returned when
``pin(obj)`` ran (values, types, which objects are new and which are kept, sharing and
cycles). Changes to ``obj`` after ``pin(obj)`` are not seen until ``obj`` is pinned again.
Code the copy needs (a ``__deepcopy__``, a reduce callable, a ``__setstate__``) runs at every
copy, with the memo stdlib would give it; code that only describes the object (its
``__reduce__``, ``__reduce_ex__``, ``__getstate__``, ``__getnewargs_ex__``) ran once, at
``pin()``. While ``obj`` is pinned, ``copium.deepcopy`` copies it from its plan wherever it
meets it. ``pin()`` of something deepcopy cannot copy raises what deepcopy raises and pins
nothing.
"""

from __future__ import annotations

import copy as stdlib_copy
import dataclasses
import datetime
import decimal
import fractions
import gc
import re
import threading
import uuid
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from engine_state import engine_settings, patch_state
from parity import assert_same_graph
from sample_types import (
    HOOK_CALLS,
    Colour,
    DeepcopyHook,
    FailingDeepcopy,
    FailingSetstate,
    Plain,
    ReduceArgs,
    ReduceExItems,
    ReduceState,
    SelfCopyHook,
    Slotted,
    SlottedWithDict,
    StateHooks,
    Uncopyable,
    uncopyable_lock,
)
from stdlib_semantics import FROZENDICT
from test_error_messages import REDUCE_VALUES, ReducesTo, outcome

import copium
from copium._bench import workloads
from copium.extra import Pin, clear_pins, pin, pinned, pins, unpin


@pytest.fixture(autouse=True)
def no_pins_left() -> Iterator[None]:
    """Every test starts and ends with nothing pinned."""
    clear_pins()
    yield
    clear_pins()


def assert_copy_of(original: Any, reference: Any, candidate: Any) -> None:
    """``candidate`` relates to ``original`` exactly as stdlib's ``reference`` copy does."""
    assert_same_graph(original, reference, candidate)


# ------------------------------------------------------------------ the API


def test_pin_returns_the_pin_that_pinned_and_pins_report() -> None:
    config = {"layers": [64, 64]}
    p = pin(config)
    assert isinstance(p, Pin)
    assert pinned(config) is p
    assert p.obj is config
    assert dict(pins()) == {id(config): p}
    assert unpin(config) is True
    assert pinned(config) is None
    assert unpin(config) is False
    assert len(pins()) == 0


def test_pins_is_a_live_read_only_view() -> None:
    view = pins()
    first, second = [1], [2]
    pin(first)
    pin(second)
    assert set(view) == {id(first), id(second)}
    with pytest.raises(TypeError):
        view[id(first)] = None  # type: ignore[index]
    unpin(first)
    assert list(view) == [id(second)]


def test_clear_pins_unpins_everything_and_says_how_many() -> None:
    objects = [[n] for n in range(3)]
    for obj in objects:
        pin(obj)
    assert clear_pins() == 3
    assert len(pins()) == 0
    assert all(pinned(obj) is None for obj in objects)
    assert clear_pins() == 0


def test_pin_objects_are_made_by_pin_only() -> None:
    with pytest.raises(TypeError):
        Pin()  # type: ignore[call-arg]


def test_pin_is_generic_for_annotations() -> None:
    assert Pin[dict].__origin__ is Pin  # type: ignore[attr-defined]


def test_a_pin_is_called_or_asked_for_a_copy() -> None:
    template = {"a": [1, 2]}
    p = pin(template)
    first, second = p(), p.copy()
    assert first == second == template
    assert first is not second and first["a"] is not second["a"]


def test_hits_count_the_copies_made_from_the_pin() -> None:
    template = {"a": [1]}
    p = pin(template)
    assert p.hits == 0
    p.copy()
    p()
    copium.deepcopy(template)
    copium.deepcopy([template, template])  # met twice, copied once
    assert p.hits == 4


def test_repr_names_the_object_and_the_counts() -> None:
    p = pin({"a": [1]})
    text = repr(p)
    assert text.startswith("<copium.extra.Pin of a dict object at ")
    assert "2 planned, 0 running code, 0 hits" in text


def test_counts_say_which_objects_the_plan_builds_and_which_run_code() -> None:
    plain = Plain([1, 2])
    p = pin({"plain": plain, "hook": DeepcopyHook([3]), "state": StateHooks("s")})
    # The dict, the Plain instance, its state dict and its list are built by the plan; the
    # __deepcopy__ and the __setstate__ run code.
    assert (p.planned, p.runs_code) == (4, 2)


def test_pins_hold_their_object_alive_until_unpinned() -> None:
    obj = Plain([1])
    alive = weakref.ref(obj)
    p = pin(obj)
    del obj, p
    gc.collect()
    assert alive() is not None
    unpin(alive())
    gc.collect()
    assert alive() is None


def test_a_pin_kept_after_unpin_still_makes_copies() -> None:
    template = {"a": [1]}
    p = pin(template)
    unpin(template)
    assert p.copy() == {"a": [1]}
    copium.deepcopy(template)
    assert p.hits == 1  # deepcopy no longer uses it


def test_a_pin_in_a_cycle_with_its_object_is_collected_once_unpinned() -> None:
    holder = Plain()
    holder.payload = pin(holder)
    alive = weakref.ref(holder)
    unpin(holder)
    del holder
    gc.collect()
    assert alive() is None


# ------------------------------------------------------------------ copies are deepcopy's


@pytest.mark.parametrize("workload", workloads.WORKLOADS, ids=lambda w: w.name)
def test_copies_are_what_deepcopy_returns(workload: workloads.Workload) -> None:
    obj = workload.build()
    reference = stdlib_copy.deepcopy(obj)
    p = pin(obj)
    assert_copy_of(obj, reference, p.copy())
    assert_copy_of(obj, reference, p.copy())
    assert_copy_of(obj, reference, copium.deepcopy(obj))


CASES: dict[str, Any] = {
    "atomic": "text",
    "empty list": [],
    "nested containers": {"a": [1, {"b": (2, [3])}], "c": {4, 5}, "d": frozenset({6})},
    "tuple of atoms is kept": (1, "two", None),
    "tuple holding a list is new": (1, [2]),
    "bytearray": bytearray(b"abc"),
    "bound method": Plain([1]).method,
    "plain instance": Plain({"k": [1]}),
    "slots": Slotted([1]),
    "slots and dict": SlottedWithDict([2]),
    "reduce with args": ReduceArgs([1, 2]),
    "reduce with state": ReduceState({"s": 1}),
    "reduce with items": ReduceExItems([1, [2]], {"k": [3]}),
    "getstate and setstate": StateHooks([4]),
    "deepcopy hook": DeepcopyHook([5]),
    "hook returning self": SelfCopyHook([6]),
    "enum member": Colour.RED,
    "classes and functions": [int, Plain, len, print],
    "stdlib values": [
        datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
        datetime.date(2024, 1, 2),
        datetime.timedelta(seconds=3),
        decimal.Decimal("1.5"),
        fractions.Fraction(1, 3),
        uuid.UUID(int=7),
    ],
    "dataclass": workloads.Point(1.0, 2.0),
    "set of tuples": {(1, 2), (3, 4)},
    "dict with tuple keys": {(1, 2): [3], (4,): "x"},
    "dict with an object key": {Plain(): [1]},
}
if FROZENDICT is not None:
    CASES["frozendict"] = FROZENDICT({"a": [1], "b": 2})


@pytest.mark.parametrize("obj", CASES.values(), ids=CASES.keys())
def test_every_kind_of_object_copies_as_deepcopy_copies_it(obj: Any) -> None:
    reference = stdlib_copy.deepcopy(obj)
    p = pin(obj)
    assert_copy_of(obj, reference, p.copy())
    assert_copy_of(obj, reference, copium.deepcopy(obj))


# ------------------------------------------------------------------ sharing and cycles


def test_shared_objects_stay_shared_within_a_copy_never_across_copies() -> None:
    shared = [1, 2]
    obj = {"first": shared, "second": shared, "pairs": [shared, (shared,)]}
    p = pin(obj)
    one, two = p.copy(), p.copy()
    assert_copy_of(obj, stdlib_copy.deepcopy(obj), one)
    assert one["first"] is one["second"] is one["pairs"][0] is one["pairs"][1][0]
    assert one["first"] is not two["first"]


def test_cycles_close_where_deepcopy_closes_them() -> None:
    node: list[Any] = [1]
    node.append(node)
    ring = {"self": None}
    ring["self"] = ring
    through_tuple: list[Any] = []
    through_tuple.append((through_tuple,))
    instance = Plain()
    instance.payload = [instance]
    for obj in (node, ring, through_tuple, instance):
        copy_ = pin(obj).copy()
        assert_copy_of(obj, stdlib_copy.deepcopy(obj), copy_)


def test_dicts_of_mostly_atomics_copy_their_container_values_into_place() -> None:
    # Containers before, between and after atomics, and a key deleted before pinning.
    obj: dict[str, Any] = {"first": [1], "n": 1, "gone": 0, "middle": {"k": "v"}, "s": "x"}
    del obj["gone"]
    obj["last"] = (["t"],)
    obj["loop"] = [obj]
    p = pin(obj)
    for copy_ in (p.copy(), p.copy()):
        assert_copy_of(obj, stdlib_copy.deepcopy(obj), copy_)
        assert list(copy_) == list(obj)
        assert copy_["loop"][0] is copy_


def test_copies_of_dicts_holding_containers_are_tracked_by_the_collector() -> None:
    # A dict of atomics starts untracked; one whose copy holds containers must be tracked,
    # or a cycle through it would never be collected.
    obj = {"id": 1, "tags": ["a"], "name": "x"}
    copy_ = pin(obj).copy()
    assert gc.is_tracked(copy_)


def test_a_tuple_reached_through_its_own_items_is_the_copy_deepcopy_makes() -> None:
    inner: list[Any] = []
    outer = (inner,)
    inner.append(outer)
    reference = stdlib_copy.deepcopy(outer)
    copy_ = pin(outer).copy()
    assert_copy_of(outer, reference, copy_)
    assert copy_[0][0] is copy_


def test_an_instance_dict_shared_elsewhere_is_a_separate_copy_as_in_deepcopy() -> None:
    # deepcopy copies the state dict (memoizing that copy) and then updates the new
    # instance's own dict from it: the other reference gets the state copy, not the
    # instance's dict.
    obj = Plain([1])
    graph = [obj, obj.__dict__]
    reference = stdlib_copy.deepcopy(graph)
    copy_ = pin(graph).copy()
    assert_copy_of(graph, reference, copy_)
    assert copy_[1] is not copy_[0].__dict__


# ------------------------------------------------------------------ pin time, not copy time


def test_changes_after_pin_are_not_seen_until_pinned_again() -> None:
    config = {"layers": [64, 64], "opts": {"lr": 0.1}}
    p = pin(config)
    config["layers"].append(32)
    config["opts"]["lr"] = 0.5
    config["new"] = True
    assert p.copy() == {"layers": [64, 64], "opts": {"lr": 0.1}}
    assert copium.deepcopy(config) == {"layers": [64, 64], "opts": {"lr": 0.1}}
    q = pin(config)
    assert pinned(config) is q
    assert q.copy() == config
    assert copium.deepcopy(config) == config
    assert p.copy() == {"layers": [64, 64], "opts": {"lr": 0.1}}  # the old plan is its own


def test_instances_are_rebuilt_from_their_state_at_pin_time() -> None:
    obj = Plain([1])
    p = pin(obj)
    obj.payload = "changed"
    obj.extra = 1
    copy_ = p.copy()
    assert vars(copy_) == {"payload": [1]}


# ------------------------------------------------------------------ inside other copies


def test_deepcopy_uses_the_plan_of_a_pinned_object_anywhere_in_a_graph() -> None:
    template = {"defaults": [1, 2]}
    p = pin(template)
    template["defaults"].append(3)
    request = {"body": template, "more": [template]}
    copy_ = copium.deepcopy(request)
    assert copy_["body"] == {"defaults": [1, 2]}
    assert copy_["more"][0] is copy_["body"]
    assert p.hits == 1


def test_a_pinned_object_inside_a_larger_graph_copies_as_deepcopy_would() -> None:
    doc = workloads.application_state_document()
    graph = {"state": doc, "users": doc["users"][:5], "again": doc, "extra": [Plain([1])]}
    reference = stdlib_copy.deepcopy(graph)
    pin(doc)
    assert_copy_of(graph, reference, copium.deepcopy(graph))


def test_objects_of_the_pinned_graph_met_first_elsewhere_are_shared() -> None:
    inner = [1, 2]
    template = {"inner": inner}
    pin(template)
    graph = [inner, template]  # inner is copied before the pinned template is met
    reference = stdlib_copy.deepcopy(graph)
    copy_ = copium.deepcopy(graph)
    assert_copy_of(graph, reference, copy_)
    assert copy_[1]["inner"] is copy_[0]


def test_the_patched_copy_deepcopy_and_replicate_use_pins() -> None:
    template = {"a": [1]}
    p = pin(template)
    template["a"].append(2)
    with patch_state(True):
        assert stdlib_copy.deepcopy(template) == {"a": [1]}
    assert copium.extra.replicate(template, 2) == [{"a": [1]}, {"a": [1]}]
    assert p.hits == 3


def test_a_deepcopy_given_its_callers_memo_does_not_use_pins() -> None:
    # The caller's memo sees stdlib's exact lookups and stores, object by object.
    template = {"a": [1]}
    p = pin(template)
    template["a"].append(2)
    memo: dict[int, Any] = {}
    assert copium.deepcopy(template, memo) == {"a": [1, 2]}
    assert id(template) in memo
    assert p.hits == 0


# ------------------------------------------------------------------ code that runs at copy time


def test_describing_hooks_run_at_pin_time_building_hooks_at_every_copy() -> None:
    obj = [ReduceArgs([1]), ReduceExItems([2], {"k": 3}), StateHooks(4), DeepcopyHook(5)]
    HOOK_CALLS.clear()
    stdlib_copy.deepcopy(obj)
    stdlib_calls = HOOK_CALLS[:]
    HOOK_CALLS.clear()
    p = pin(obj)
    HOOK_CALLS.clear()
    p.copy()
    describing = ("__reduce__", "__reduce_ex__", "__getstate__", "__getnewargs")
    building = [call for call in stdlib_calls if not any(d in call[0] for d in describing)]
    assert HOOK_CALLS == building
    assert building  # __setstate__, append, __setitem__, __deepcopy__
    HOOK_CALLS.clear()


class MyDecimal(decimal.Decimal):
    pass


class MyFraction(fractions.Fraction):
    pass


def test_decimals_and_fractions_are_kept_as_deepcopy_keeps_them_without_running_code() -> None:
    # Their stdlib __deepcopy__ returns the object itself for an exact instance, and deepcopy
    # then stores nothing in the memo: the plan keeps them without calling it.
    d, f = decimal.Decimal("1.25"), fractions.Fraction(1, 3)
    obj = {"d": d, "f": f, "both": [d, f]}
    p = pin(obj)
    assert (p.planned, p.runs_code) == (2, 0)  # the dict and the list
    for copy_ in (p.copy(), copium.deepcopy(obj)):
        assert_copy_of(obj, stdlib_copy.deepcopy(obj), copy_)
        assert copy_["d"] is d and copy_["f"] is f


def test_subclasses_of_decimal_and_fraction_run_their_deepcopy_at_every_copy() -> None:
    obj = [MyDecimal("2.5"), MyFraction(2, 7)]
    p = pin(obj)
    assert p.runs_code == 2
    copy_ = p.copy()
    assert_copy_of(obj, stdlib_copy.deepcopy(obj), copy_)
    assert type(copy_[1]) is MyFraction and copy_[1] is not obj[1]


def test_a_replaced_fraction_deepcopy_runs_at_every_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def counting(self: fractions.Fraction, memo: Any) -> fractions.Fraction:
        calls.append(self)
        return self

    monkeypatch.setattr(fractions.Fraction, "__deepcopy__", counting)
    f = fractions.Fraction(1, 2)
    p = pin([f])
    calls.clear()
    assert p.copy() == [f] and calls == [f]


class Parent:
    def __init__(self) -> None:
        self.children: list[Child] = []


class Child:
    """Copies itself by finding its parent's copy in the memo (a typical hand-written hook)."""

    def __init__(self, parent: Parent) -> None:
        self.parent = parent
        parent.children.append(self)

    def __deepcopy__(self, memo: Any) -> Child:
        clone = Child.__new__(Child)
        clone.parent = memo.get(id(self.parent), self.parent)
        return clone


def test_a_deepcopy_hook_sees_the_copies_made_before_it_in_the_memo() -> None:
    parent = Parent()
    Child(parent)
    Child(parent)
    p = pin(parent)
    for copy_ in (p.copy(), copium.deepcopy(parent)):
        assert all(child.parent is copy_ for child in copy_.children)


class Registering:
    """A hook that memoizes its copy and copies an attribute through the memo."""

    def __init__(self, payload: Any) -> None:
        self.payload = payload

    def __deepcopy__(self, memo: Any) -> Registering:
        clone = Registering.__new__(Registering)
        memo[id(self)] = clone
        clone.payload = copium.deepcopy(self.payload, memo)
        return clone


def test_what_a_hook_copies_through_the_memo_is_shared_with_the_rest_of_the_copy() -> None:
    shared = [1, 2]
    hook = Registering(shared)
    graph = {"hook": hook, "shared": shared, "hook again": hook}
    reference = stdlib_copy.deepcopy(graph)
    copy_ = pin(graph).copy()
    assert_copy_of(graph, reference, copy_)
    assert copy_["shared"] is copy_["hook"].payload
    assert copy_["hook again"] is copy_["hook"]


def test_a_hook_returning_its_object_is_called_again_at_each_meeting() -> None:
    # deepcopy memoizes only copies that are new objects.
    calls: list[int] = []

    class Same:
        def __deepcopy__(self, memo: Any) -> Same:
            calls.append(1)
            return self

    same = Same()
    p = pin([same, same])
    calls.clear()
    copy_ = p.copy()
    assert copy_[0] is copy_[1] is same
    assert len(calls) == 2


def test_hooks_get_a_dict_memo_with_the_dict_memo_setting() -> None:
    seen: list[type] = []

    class Looks:
        def __deepcopy__(self, memo: Any) -> Looks:
            seen.append(type(memo))
            return Looks()

    p = pin([Looks()])
    seen.clear()
    with engine_settings(memo="dict"):
        p.copy()
    p.copy()
    assert seen == [dict, copium.memo]


def test_reduce_callables_run_at_every_copy() -> None:
    made: list[int] = []

    def make(value: Any) -> Made:
        made.append(1)
        return Made(value)

    class Made:
        def __init__(self, value: Any) -> None:
            self.value = value

        def __reduce__(self) -> Any:
            return (make, (self.value,))

    p = pin([Made([1])])
    made.clear()
    first, second = p.copy(), p.copy()
    assert len(made) == 2
    assert first[0].value == [1] and first[0].value is not second[0].value


# ------------------------------------------------------------------ nested pins


def test_a_pin_made_while_a_part_is_pinned_copies_that_part_from_its_plan() -> None:
    inner = {"x": [1]}
    pin(inner)
    inner["x"].append(2)  # deepcopy still copies inner, and so its list, as at pin time
    outer = {"inner": inner, "also": inner["x"]}
    now = copium.deepcopy(outer)
    # One copy per object within a deepcopy: the list, met again, is the copy made for inner.
    assert now == {"inner": {"x": [1]}, "also": [1]}
    assert now["also"] is now["inner"]["x"]
    p = pin(outer)
    assert_copy_of(outer, now, p.copy())
    pin(inner)  # re-pinning inner does not change what outer's pin copies
    assert_copy_of(outer, now, p.copy())
    assert_copy_of(outer, now, copium.deepcopy(outer))


def test_nested_pins_keep_sharing_between_the_inner_graph_and_the_rest() -> None:
    shared = [1]
    inner = {"shared": shared}
    pin(inner)
    outer = [inner, shared]
    reference = copium.deepcopy(outer)
    copy_ = pin(outer).copy()
    assert_copy_of(outer, reference, copy_)
    assert copy_[0]["shared"] is copy_[1]


def test_pinning_an_already_pinned_object_plans_its_current_state() -> None:
    obj = [1]
    pin(obj)
    obj.append(2)
    assert pin(obj).copy() == [1, 2]


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    "make",
    [
        lambda: [1, Uncopyable()],
        lambda: {"lock": uncopyable_lock()},
        lambda: [FailingDeepcopy()],
        lambda: (FailingSetstate(),),
    ],
    ids=["no reduce", "cannot pickle", "failing __deepcopy__", "failing __setstate__"],
)
def test_pin_raises_what_deepcopy_raises_and_pins_nothing(make: Any) -> None:
    obj = make()
    with pytest.raises(Exception) as expected:
        stdlib_copy.deepcopy(obj)
    with pytest.raises(type(expected.value)) as raised:
        pin(obj)
    assert str(raised.value) == str(expected.value)
    assert pinned(obj) is None and len(pins()) == 0


def test_a_failed_pin_leaves_an_earlier_pin_of_the_object_in_place() -> None:
    obj = [1]
    p = pin(obj)
    obj.append(Uncopyable())
    with pytest.raises(stdlib_copy.Error):
        pin(obj)
    assert pinned(obj) is p
    assert p.copy() == [1]


def test_a_reduce_value_of_the_wrong_shape_raises_as_in_deepcopy() -> None:
    class Bad:
        def __reduce__(self) -> Any:
            return (Bad,)

    with pytest.raises(TypeError) as expected:
        stdlib_copy.deepcopy([Bad()])
    with pytest.raises(TypeError) as raised:
        pin([Bad()])
    assert str(raised.value) == str(expected.value)
    assert len(pins()) == 0


@pytest.mark.parametrize("make", list(REDUCE_VALUES.values()), ids=list(REDUCE_VALUES))
def test_every_unusual_reduce_value_pins_as_deepcopy_copies_it(make: Any) -> None:
    # The reduce values of test_error_messages: where deepcopy fails, pin fails with the
    # same type and message and pins nothing; where it copies, so do the pin's copies.
    expected = outcome(stdlib_copy.deepcopy, [ReducesTo(make)])
    obj = [ReducesTo(make)]
    assert outcome(pin, obj) == expected
    if expected == "no error":
        p = pinned(obj)
        assert p is not None
        assert outcome(lambda _: p.copy(), obj) == "no error"
    else:
        assert pinned(obj) is None and len(pins()) == 0


def test_too_deep_a_graph_raises_recursion_error_and_pins_nothing() -> None:
    import sys

    deep: list[Any] = []
    for _ in range(sys.getrecursionlimit() + 10):
        deep = [deep]
    with pytest.raises(RecursionError):
        pin(deep)
    assert len(pins()) == 0


def test_deep_graphs_within_the_limit_pin_and_copy() -> None:
    deep: list[Any] = [0]
    for level in range(500):
        deep = [level, deep]
    assert pin(deep).copy() == deep


# ------------------------------------------------------------------ hostile objects during pin


class MutatesItsList:
    """Its reduce appends to the list being planned, and clears it the second time."""

    def __init__(self, owner: list[Any]) -> None:
        self.owner = owner
        self.calls = 0

    def __reduce__(self) -> Any:
        self.calls += 1
        if self.calls == 1:
            self.owner.append("added during pin")
        else:
            self.owner.clear()
        return (Plain, ())


def test_a_hook_changing_the_list_being_planned_never_crashes() -> None:
    owner: list[Any] = [1]
    owner.append(MutatesItsList(owner))
    p = pin(owner)
    copy_ = p.copy()
    assert copy_[0] == 1 and isinstance(copy_[1], Plain)
    p.copy()


class ResizesItsDict:
    def __init__(self, owner: dict[Any, Any]) -> None:
        self.owner = owner

    def __reduce__(self) -> Any:
        self.owner["new key"] = 1
        return (Plain, ())


def test_a_dict_changing_size_during_pin_raises_as_in_deepcopy() -> None:
    owner: dict[Any, Any] = {}
    owner["a"] = ResizesItsDict(owner)
    with pytest.raises(RuntimeError, match="changed size"):
        stdlib_copy.deepcopy(owner)
    del owner["new key"]
    with pytest.raises(RuntimeError, match="changed size"):
        pin(owner)
    assert len(pins()) == 0


class Reenters:
    """Its reduce pins, unpins and copies while the pin of its container is being made."""

    def __init__(self, other: Any) -> None:
        self.other = other

    def __reduce__(self) -> Any:
        pin(self.other)
        copium.deepcopy(self.other)
        unpin(self.other)
        pin(self.other)
        clear_pins()
        return (Plain, ([1],))


def test_hooks_may_pin_unpin_and_copy_while_a_pin_is_made() -> None:
    other = {"o": [1]}
    obj = [Reenters(other), other]
    p = pin(obj)
    assert pinned(obj) is p
    assert_copy_of(obj, stdlib_copy.deepcopy(obj), p.copy())


class PinsItsContainer:
    """Its reduce pins the object being pinned (once: the inner pin meets it again)."""

    def __init__(self) -> None:
        self.container: Any = None
        self.inner: Any = None

    def __reduce__(self) -> Any:
        if self.inner is None:
            self.inner = False
            self.inner = pin(self.container)
        return (Plain, ())


def test_a_hook_pinning_the_object_being_pinned_is_replaced_by_the_outer_pin() -> None:
    hook = PinsItsContainer()
    container = [hook]
    hook.container = container
    p = pin(container)
    assert isinstance(hook.inner, Pin) and hook.inner is not p
    assert pinned(container) is p
    assert isinstance(p.copy()[0], Plain)


class PinsForever:
    def __init__(self) -> None:
        self.container: Any = None

    def __reduce__(self) -> Any:
        pin(self.container)
        return (Plain, ())


def test_a_hook_pinning_its_container_without_end_raises_recursion_error() -> None:
    hook = PinsForever()
    hook.container = [hook]
    with pytest.raises(RecursionError):
        pin(hook.container)
    assert len(pins()) == 0


class FinalizerCopies:
    """Its ``__del__`` copies, pins and unpins: it runs when a pin's trial copy is dropped."""

    log: list[str] = []

    def __init__(self, target: Any) -> None:
        self.target = target

    def __deepcopy__(self, memo: Any) -> FinalizerCopies:
        return FinalizerCopies(self.target)

    def __del__(self) -> None:
        copium.deepcopy(self.target)
        pin(self.target)
        unpin(self.target)
        FinalizerCopies.log.append("del")


def test_finalizers_run_during_pin_may_use_pins() -> None:
    target = {"t": [1]}
    FinalizerCopies.log.clear()
    obj = [FinalizerCopies(target)]
    p = pin(obj)
    copy_ = p.copy()
    del copy_
    gc.collect()
    assert "del" in FinalizerCopies.log
    assert pinned(obj) is p


class Interrupts:
    def __reduce__(self) -> Any:
        raise KeyboardInterrupt


def test_an_interrupt_during_pin_propagates_and_pins_nothing() -> None:
    with pytest.raises(KeyboardInterrupt):
        pin([Interrupts()])
    assert len(pins()) == 0


class SetstateUnpins:
    """A ``__setstate__`` that unpins everything while a copy is made from a pin."""

    def __init__(self) -> None:
        self.value = [1]

    def __reduce__(self) -> Any:
        return (SetstateUnpins.__new__, (SetstateUnpins,), {"value": self.value})

    def __setstate__(self, state: dict[str, Any]) -> None:
        clear_pins()
        self.value = state["value"]


def test_code_run_by_a_copy_may_unpin_the_pin_being_copied() -> None:
    obj = [SetstateUnpins(), [2]]
    p = pin(obj)
    pin(obj)
    copy_ = copium.deepcopy(obj)
    assert copy_[0].value == [1] and copy_[1] == [2]
    assert p.copy()[1] == [2]


# ------------------------------------------------------------------ threads


@dataclasses.dataclass
class Settings:
    name: str
    limits: dict[str, int]
    tags: list[str]


def test_threads_pin_unpin_and_copy_at_once() -> None:
    import sys

    templates = [
        {"n": n, "settings": Settings(f"s{n}", {"a": n}, ["x", "y"]), "rows": [[n]] * 3}
        for n in range(4)
    ]
    references = [stdlib_copy.deepcopy(t) for t in templates]
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            for round_ in range(200):
                template = templates[(index + round_) % len(templates)]
                reference = references[(index + round_) % len(templates)]
                if round_ % 7 == 0:
                    pin(template)
                if round_ % 11 == 0:
                    unpin(template)
                copy_ = copium.deepcopy({"t": template})["t"]
                assert_copy_of(template, reference, copy_)
                p = pinned(template)
                if p is not None:
                    assert_copy_of(template, reference, p.copy())
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors[0]


def test_patterns_and_matches_are_kept_as_deepcopy_keeps_them_without_running_code() -> None:
    pattern = re.compile("a+")
    match = pattern.match("aaa")
    obj = [pattern, match, {"p": pattern}]
    p = pin(obj)
    assert (p.planned, p.runs_code) == (2, 0)  # the list and the dict
    for copy_ in (p.copy(), copium.deepcopy(obj)):
        assert_copy_of(obj, stdlib_copy.deepcopy(obj), copy_)
        assert copy_[0] is pattern and copy_[1] is match and copy_[2]["p"] is pattern
