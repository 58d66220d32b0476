"""``deepcopy(x, memo)`` with a memo supplied by the caller.

After the call the caller's mapping must hold what the stdlib's would: an entry for every
object the stdlib records, mapping to the matching part of the copy, plus the keep-alive
list at ``memo[id(memo)]`` holding the same originals in the same order. Memos the stdlib
cannot use must fail with the stdlib's exception type on the running Python.
"""

from __future__ import annotations

import collections
import collections.abc
import copy as stdlib_copy
import types

import pytest
from parity import assert_deepcopy_parity, assert_same_graph, assert_twin_parity, outcome_of
from stdlib_semantics import ATOMICS_BEFORE_MEMO, MEMO_PROBE

import copium


class MappingMemo(collections.abc.MutableMapping):
    """A MutableMapping that is not a dict: only the abstract methods are written."""

    def __init__(self):
        self.data = {}

    def __getitem__(self, key):
        return self.data[key]

    def __setitem__(self, key, value):
        self.data[key] = value

    def __delitem__(self, key):
        del self.data[key]

    def __iter__(self):
        return iter(self.data)

    def __len__(self):
        return len(self.data)


class DuckMemo:
    """Just the three operations the stdlib uses: get, [] and []=."""

    def __init__(self):
        self.data = {}

    def get(self, key, default=None):
        return self.data.get(key, default)

    def __getitem__(self, key):
        return self.data[key]

    def __setitem__(self, key, value):
        self.data[key] = value

    def __iter__(self):
        return iter(self.data)


class DictSubclassMemo(dict):
    pass


MEMO_KINDS = {
    "dict": dict,
    "dict-subclass": DictSubclassMemo,
    "mutable-mapping": MappingMemo,
    "user-dict": collections.UserDict,
}


class Plain:
    def __init__(self, **attributes):
        self.__dict__.update(attributes)


class Hooked:
    """A ``__deepcopy__`` that stores its copy in the memo and copies its payload with it."""

    def __init__(self, payload):
        self.payload = payload

    def __deepcopy__(self, memo):
        clone = Hooked.__new__(Hooked)
        memo[id(self)] = clone
        clone.payload = stdlib_copy.deepcopy(self.payload, memo)
        return clone


def _nested():
    shared = [1, 2]
    return {"a": shared, "b": (shared, "atom"), "c": [shared, {"d": shared}]}


def _cyclic():
    node = Plain(items=[])
    node.items.append(node)
    node.items.append((node, [node]))
    return node


def _with_hook():
    shared = {"k": [1]}
    return [shared, Hooked([shared, (shared,)])]


def _reduce_with_slots():
    class_with_slots = SlotsAndDict()
    class_with_slots.a = [1]
    class_with_slots.extra = {"b": [2]}
    return [class_with_slots, class_with_slots]


class SlotsAndDict:
    __slots__ = ("a", "__dict__")


INPUTS = {
    "atom": lambda: 10**30,
    "tuple-of-atoms": lambda: (1, "a", None),
    "flat-list": lambda: [1, "a", None],
    "nested-with-aliases": _nested,
    "cycle-through-an-object": _cyclic,
    "custom-deepcopy-hook": _with_hook,
    "slots-and-dict-state": _reduce_with_slots,
    "set-and-frozenset": lambda: [{1, 2}, frozenset({3})],
    "bound-method": lambda: Plain(x=[1]).__init__,
}


def assert_memo_parity(make, make_memo) -> None:
    """Run stdlib and copium on twin inputs with fresh memos and compare results and memos."""
    original, twin = make(), make()
    memo_ref, memo_cand = make_memo(), make_memo()
    reference = outcome_of(stdlib_copy.deepcopy, original, memo_ref)
    candidate = outcome_of(copium.deepcopy, twin, memo_cand)
    assert not reference.raised and not candidate.raised, (
        reference.describe(),
        candidate.describe(),
    )

    keep_ref = memo_ref.get(id(memo_ref))
    keep_cand = memo_cand.get(id(memo_cand))
    assert type(keep_cand) is type(keep_ref), "keep-alive entry at memo[id(memo)] differs"
    keep_ref, keep_cand = keep_ref or [], keep_cand or []
    assert len(keep_cand) == len(keep_ref), "keep-alive lists differ in length"

    # Keys are ids, so they are matched through what the keep-alive lists hold: each
    # recorded object is kept alive there, in the order it was recorded.
    key_for = {id(memo_ref): id(memo_cand)}
    key_for.update(
        (id(kept_ref), id(kept_cand)) for kept_ref, kept_cand in zip(keep_ref, keep_cand)
    )
    ref_keys = list(memo_ref)
    assert all(key in key_for for key in ref_keys), (
        "stdlib recorded an object it did not keep alive?"
    )
    assert {key_for[key] for key in ref_keys} == set(memo_cand), "memo keys differ from stdlib's"

    value_keys = [key for key in ref_keys if key != id(memo_ref)]
    assert_same_graph(
        original,
        [reference.value, [memo_ref[key] for key in value_keys], keep_ref],
        [candidate.value, [memo_cand[key_for[key]] for key in value_keys], keep_cand],
        twin=twin,
    )


@pytest.mark.parametrize("make_memo", list(MEMO_KINDS.values()), ids=list(MEMO_KINDS))
@pytest.mark.parametrize("make", list(INPUTS.values()), ids=list(INPUTS))
def test_caller_memo_ends_up_like_stdlib(make, make_memo) -> None:
    assert_memo_parity(make, make_memo)


def test_duck_typed_memo_with_get_and_item_access_is_enough() -> None:
    assert_twin_parity(_nested, lambda module, x: module.deepcopy(x, DuckMemo()))


def test_memo_entry_found_first_is_the_result() -> None:
    target = [1]
    assert copium.deepcopy(target, {id(target): "precomputed"}) == "precomputed"


def test_memo_entry_for_an_atom_is_honoured_where_the_stdlib_consults_it() -> None:
    # Before 3.14 an atomic object is looked up in the memo like any other; from 3.14 it is
    # returned before the memo is consulted.
    atom = 10**30
    expected = [atom] if ATOMICS_BEFORE_MEMO else ["precomputed"]
    assert stdlib_copy.deepcopy([atom], {id(atom): "precomputed"}) == expected
    assert copium.deepcopy([atom], {id(atom): "precomputed"}) == expected


def test_memo_entry_for_a_nested_object_replaces_it_everywhere() -> None:
    child = {"k": 1}
    result = copium.deepcopy([child, (child,), {"again": child}], {id(child): "C"})
    assert result == ["C", ("C",), {"again": "C"}]


def test_reusing_a_memo_returns_the_earlier_copy() -> None:
    original = [[1], {"k": 2}]
    memo: dict = {}
    first = copium.deepcopy(original, memo)
    assert copium.deepcopy(original, memo) is first
    assert copium.deepcopy(original[0], memo) is first[0]


def test_dict_subclass_memo_lookup_override_is_called() -> None:
    # The lookup goes through memo.get up to 3.14 and through `in` then memo[...] from 3.15.
    target = [1]

    class Intercepting(dict):
        def get(self, key, default=None):
            if key == id(target):
                return "intercepted"
            return super().get(key, default)

        def __contains__(self, key):
            return key == id(target) or super().__contains__(key)

        def __getitem__(self, key):
            if key == id(target):
                return "intercepted"
            return super().__getitem__(key)

    reference = stdlib_copy.deepcopy([target, [target]], Intercepting())
    result = copium.deepcopy([target, [target]], Intercepting())
    assert result == reference == ["intercepted", ["intercepted"]]


def test_dict_subclass_memo_setitem_override_is_called() -> None:
    # The override refuses to remember `target`, so each reference to it is copied anew.
    def make():
        target = [1]

        class Forgetful(dict):
            def __setitem__(self, key, value):
                if key != id(target):
                    super().__setitem__(key, value)

        return [target, target], Forgetful

    def run(module, made):
        value, memo_type = made
        return module.deepcopy(value, memo_type())

    _, candidate = assert_twin_parity(make, run)
    first, second = candidate.value
    assert first == second == [1] and first is not second


def test_memo_whose_lookup_raises_propagates_that_exception() -> None:
    failure = LookupError("memo is broken")

    class Broken(dict):
        pass

    def broken(self, *args):
        raise failure

    setattr(Broken, MEMO_PROBE, broken)

    with pytest.raises(LookupError) as caught:
        copium.deepcopy([1], Broken())
    assert caught.value is failure


UNUSABLE_MEMOS = {
    "int": lambda: 5,
    "list": lambda: [],
    "str": lambda: "memo",
    "tuple": lambda: (1,),
    "object": object,
    "read-only-mapping": lambda: types.MappingProxyType({}),
    "mapping-without-setitem": lambda: types.MappingProxyType({1: 2}),
}


@pytest.mark.parametrize("make_memo", list(UNUSABLE_MEMOS.values()), ids=list(UNUSABLE_MEMOS))
@pytest.mark.parametrize(
    "value",
    [
        pytest.param(7, id="atom"),
        pytest.param([1, [2]], id="list"),
        pytest.param((1, [2]), id="tuple"),
    ],
)
def test_unusable_memo_fails_like_stdlib(make_memo, value) -> None:
    reference = outcome_of(stdlib_copy.deepcopy, value, make_memo())
    candidate = outcome_of(copium.deepcopy, value, make_memo())
    assert type(candidate.error) is type(reference.error), (
        reference.describe(),
        candidate.describe(),
    )
    if not reference.raised:
        assert candidate.value == reference.value


def test_memo_none_is_the_same_as_no_memo() -> None:
    assert_deepcopy_parity(_nested())
    original = _nested()
    assert_same_graph(
        original, stdlib_copy.deepcopy(original, None), copium.deepcopy(original, None)
    )


def test_memo_can_be_passed_by_keyword() -> None:
    memo: dict = {}
    original = [1, [2]]
    result = copium.deepcopy(original, memo=memo)
    assert memo[id(original)] is result
