"""Sets walked without an iterator, dicts read and filled in place, tuples filled in place.

Where the interpreter offers it (and ``COPIUM_LIMITED_API_ONLY`` is off), copium walks a
set through ``_PySet_NextEntry``, reads a dict's entries in place (3.9+), stores a copied
value straight into the entry of the dict being built, and fills new tuples in place; each
has a limited-API fallback, and ``test_limited_api_only.py`` runs this module again with
all of them off. Either way the results are the stdlib's: the same members in the same
iteration order, the same values, the same garbage-collector tracking, and nothing read
out of bounds when a hook changes the containers meanwhile.
"""

from __future__ import annotations

import copy as stdlib_copy
import gc
import types
from typing import Any, Callable

import pytest
from parity import assert_deepcopy_parity

import copium


def _set_with_holes() -> set[Any]:
    s = set(range(200))
    for i in range(0, 200, 3):
        s.discard(i)
    s.update(f"s{i}" for i in range(50))
    return s


SETS: dict[str, Callable[[], Any]] = {
    "empty set": set,
    "empty frozenset": frozenset,
    "small ints": lambda: {3, 1, 2},
    "many ints": lambda: set(range(1000)),
    "deleted members": _set_with_holes,
    "a frozenset with holes' members": lambda: frozenset(_set_with_holes()),
    "mixed atomics": lambda: {1, 2.5, "s", b"b", None, (1, 2), 10**40, frozenset({1})},
    "tuples holding lists are not hashable, tuples of tuples are": lambda: {((1,), (2,))},
}


@pytest.mark.parametrize("name", SETS)
def test_a_set_copies_with_the_stdlibs_members_in_its_order(name: str) -> None:
    original = SETS[name]()
    reference, ours = stdlib_copy.deepcopy(original), copium.deepcopy(original)
    assert type(ours) is type(reference)
    assert list(ours) == list(reference)
    assert (ours is original) is (reference is original)
    assert_deepcopy_parity([original, original])


class Hashed:
    """Copied to a new, equal object, so a set of them gets new members."""

    def __init__(self, key: int) -> None:
        self.key = key

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Hashed) and other.key == self.key


def test_a_set_of_objects_copies_each_of_them() -> None:
    shared = Hashed(1)
    original = [{shared, Hashed(2)}, frozenset({shared}), shared]
    assert_deepcopy_parity(original)
    copied = copium.deepcopy(original)
    (member,) = copied[1]
    assert member is copied[2] and member is not shared


class CopiesUnhashable:
    """Hashable itself; its copy is a list, which a set cannot hold."""

    def __deepcopy__(self, memo: Any) -> Any:
        return []


class FailsToCopy:
    def __deepcopy__(self, memo: Any) -> Any:
        raise ValueError("no copy")


@pytest.mark.parametrize("frozen", [False, True])
def test_every_member_is_copied_before_the_new_set_is_built(frozen: bool) -> None:
    # stdlib copies the whole snapshot before building the set, so a later member's copy
    # error wins over an earlier member's unhashable copy, whatever the iteration order.
    members = [CopiesUnhashable() for _ in range(5)] + [FailsToCopy()]
    original = frozenset(members) if frozen else set(members)
    for deepcopy in (stdlib_copy.deepcopy, copium.deepcopy):
        with pytest.raises(ValueError, match="no copy"):
            deepcopy(original)
    with pytest.raises(TypeError) as stdlib_error:
        stdlib_copy.deepcopy({CopiesUnhashable()})
    with pytest.raises(TypeError) as copium_error:
        copium.deepcopy({CopiesUnhashable()})
    assert str(copium_error.value) == str(stdlib_error.value)


class GrowsTheSet:
    """While being copied, adds members to the set that holds it."""

    def __init__(self, owner: set[Any]) -> None:
        self.owner = owner

    def __deepcopy__(self, memo: Any) -> str:
        self.owner.update(range(1000, 1100))
        return "grew"


def test_a_set_changed_while_its_members_are_copied_copies_its_snapshot() -> None:
    def copied_by(copy_module: Any) -> list[str]:
        s: set[Any] = set(range(10))
        s.add(GrowsTheSet(s))
        copied = copy_module.deepcopy(s)
        assert len(s) == 111  # the hook ran, on the original
        return sorted(map(str, copied))

    reference = copied_by(stdlib_copy)
    assert copied_by(copium) == reference
    assert len(reference) == 11


# ------------------------------------------------------------------------------ dicts

DICTS: dict[str, Callable[[], Any]] = {
    "str keys": lambda: {f"k{i}": i for i in range(100)},
    "int keys": lambda: {i: str(i) for i in range(100)},
    "mixed keys": lambda: {1: "a", "b": 2, (3, 4): [5], None: {6}},
    "deleted items": lambda: _dict_with_holes(),
    "lists as values": lambda: {f"k{i}": [i] for i in range(50)},
    "one list shared by every value": lambda: _shared_values(),
    "nested": lambda: {"a": {"b": {"c": [1, {"d": (2, [3])}]}}},
    # Over 65,536 slots: the index array holds four-byte entries on every version.
    "large enough for four-byte indices": lambda: {
        i: [i] if i % 997 == 0 else i for i in range(50_000)
    },
}


def _dict_with_holes() -> dict[Any, Any]:
    d: dict[Any, Any] = {f"k{i}": [i] for i in range(40)}
    for i in range(0, 40, 3):
        del d[f"k{i}"]
    d["late"] = ["added after deletions"]
    return d


def _shared_values() -> dict[str, Any]:
    shared = [1, 2]
    return {f"k{i}": shared for i in range(30)}


@pytest.mark.parametrize("name", DICTS)
def test_a_dict_copies_like_the_stdlib(name: str) -> None:
    original = DICTS[name]()
    assert_deepcopy_parity(original)
    assert list(copium.deepcopy(original)) == list(stdlib_copy.deepcopy(original))


class Instance:
    def __init__(self) -> None:
        self.a = [1]
        self.b = "two"


def test_an_instance_dict_shares_its_keys_and_copies_the_same() -> None:
    # Instance dicts keep their keys in a table shared by the class: read through the API.
    first, second = Instance(), Instance()
    assert_deepcopy_parity([vars(first), vars(second)])


@pytest.mark.parametrize("name", DICTS)
def test_a_copied_dict_is_tracked_by_the_collector_as_the_stdlibs_is(name: str) -> None:
    original = DICTS[name]()
    reference, ours = stdlib_copy.deepcopy(original), copium.deepcopy(original)
    assert gc.is_tracked(ours) is gc.is_tracked(reference)
    flat = {f"k{i}": i for i in range(20)}
    assert gc.is_tracked(copium.deepcopy(flat)) is gc.is_tracked(stdlib_copy.deepcopy(flat))


class ResizesTheCopy:
    """While its value is being copied, grows the half-made copy of the dict holding it
    (found through the memo), so that its table is rebuilt elsewhere."""

    def __init__(self, owner_id: list[int]) -> None:
        self.owner_id = owner_id

    def __deepcopy__(self, memo: Any) -> str:
        copy_of_owner = memo.get(self.owner_id[0])
        if isinstance(copy_of_owner, dict):
            for i in range(200):
                copy_of_owner[f"extra{i}"] = i
            for i in range(200):
                del copy_of_owner[f"extra{i}"]
        return "resized"


def test_a_dict_whose_copy_is_changed_by_a_hook_still_gets_every_copied_value() -> None:
    owner_id: list[int] = []
    original = {"first": [0], "hook": ResizesTheCopy(owner_id), "after": [1], "last": [2]}
    owner_id.append(id(original))
    copied = copium.deepcopy(original)
    assert copied == {"first": [0], "hook": "resized", "after": [1], "last": [2]}
    assert copied["after"] is not original["after"]
    assert copied["last"] is not original["last"]


class DeletesFromTheCopy:
    """Deletes the next key from the half-made copy of its dict."""

    def __init__(self, owner_id: list[int], key: str) -> None:
        self.owner_id, self.key = owner_id, key

    def __deepcopy__(self, memo: Any) -> str:
        copy_of_owner = memo.get(self.owner_id[0])
        if isinstance(copy_of_owner, dict):
            copy_of_owner.pop(self.key, None)
        return "deleted"


def test_a_key_deleted_from_the_copy_by_a_hook_is_set_again() -> None:
    owner_id: list[int] = []
    original = {"hook": DeletesFromTheCopy(owner_id, "next"), "next": [1], "end": [2]}
    owner_id.append(id(original))
    for deepcopy in (stdlib_copy.deepcopy, copium.deepcopy):
        copied = deepcopy(original)
        assert copied == {"hook": "deleted", "next": [1], "end": [2]}


# Reads the global "later"; NameError comes in as an argument, as the globals it runs with
# have builtins of their own, empty.
READER_SOURCE = """
def reader(missing):
    try:
        return later
    except missing:
        return None
"""


class CachesGlobalsOfTheCopy:
    """Makes the half-made copy of its dict the globals of a function, and calls it often
    enough for the interpreter to cache its global lookups (3.9 and 3.10 cache a pointer to
    the value, trusted for as long as the dict's version tag is unchanged)."""

    def __init__(self, owner_id: list[int]) -> None:
        self.owner_id = owner_id
        self.reader: Callable[[], Any] = lambda: None

    def __deepcopy__(self, memo: Any) -> str:
        copy_of_owner = memo.get(self.owner_id[0])
        if isinstance(copy_of_owner, dict):
            # The stdlib's half-made copy has no "later" yet; copium's may hold the original's.
            code = compile(READER_SOURCE, "<reader>", "exec")
            self.reader = types.FunctionType(code.co_consts[0], copy_of_owner, None, (NameError,))
            for _ in range(3000):
                self.reader()
        return "cached"


@pytest.mark.parametrize(
    "deepcopy", [stdlib_copy.deepcopy, copium.deepcopy], ids=["stdlib", "copium"]
)
def test_code_that_cached_a_global_of_the_half_made_copy_sees_the_value_set_later(
    deepcopy: Callable[[Any], Any],
) -> None:
    owner_id: list[int] = []
    hook = CachesGlobalsOfTheCopy(owner_id)
    # Builtins of their own, copied before the hook runs: one dict in every call, which the
    # caches require (without it 3.9 makes new builtins for every call).
    original = {"__builtins__": {}, "hook": hook, "later": [1]}
    owner_id.append(id(original))
    copied = deepcopy(original)
    assert copied["later"] is not original["later"]
    assert hook.reader() is copied["later"]


# ----------------------------------------------------------------------------- tuples


def test_tuples_built_from_copies_match_the_stdlib() -> None:
    shared = [1]
    cases = [
        (shared, shared, (shared,)),
        tuple([i] for i in range(100)),
        (1, "a", [2], None, ([3], 4)),
        ((1, 2), (3, (4, 5))),
    ]
    for original in cases:
        assert_deepcopy_parity(original)


# ------------------------------------------------- a hook that changes its container's copy


class AddsToTheCopy:
    """Adds an item to the half-made copy of the container holding it."""

    def __init__(self, owner_id: list[int]) -> None:
        self.owner_id = owner_id

    def __deepcopy__(self, memo: Any) -> str:
        copy_of_owner = memo.get(self.owner_id[0])
        if isinstance(copy_of_owner, list):
            copy_of_owner.append("added")
        elif isinstance(copy_of_owner, dict):
            copy_of_owner["added"] = True
        return "hook"


@pytest.mark.parametrize("container", [list, dict])
def test_an_item_a_hook_adds_to_its_containers_half_made_copy_lands_where_stdlib_puts_it(
    container: type,
) -> None:
    owner_id: list[int] = []
    hook = AddsToTheCopy(owner_id)
    original = [hook, [1]] if container is list else {"hook": hook, "after": [1]}
    owner_id.append(id(original))
    expected, copied = stdlib_copy.deepcopy(original), copium.deepcopy(original)
    if container is dict:
        expected, copied = list(expected.items()), list(copied.items())
    assert copied == expected
