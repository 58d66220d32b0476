"""Hostile cases: a hook changes, while it is being copied, the container that holds it, a
container further up, or the memo itself.

A native engine that iterates a container through borrowed pointers, or holds a borrowed
reference to an item across a call into Python code, reads freed memory here. The stdlib
copies lists item by item through a live iterator, dicts through a live items() view
(so size and key changes raise RuntimeError), and sets through a snapshot list.
"""

from __future__ import annotations

import collections
from typing import Any, Callable

from hostile_cases import case, shallow_call
from sample_types import DictSub, ListSub, Plain, Slotted


class Copied:
    """What a Trigger's copy is: a new object, equal to any other (so sets of them compare)."""

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Copied)

    def __hash__(self) -> int:
        return 0


class Trigger:
    """Runs ``action(memo)`` the first time it is deep-copied (hashable by identity)."""

    def __init__(self, action: Callable[[Any], Any]) -> None:
        self.action = action
        self.fired = False

    def __deepcopy__(self, memo: Any) -> Copied:
        if not self.fired:
            self.fired = True
            self.action(memo)
        return Copied()


# ------------------------------------------------------------------ lists


@case("list: a hook appends to the list being copied")
def list_grows(module: Any) -> list[Any]:
    items: list[Any] = [["head"]]
    items.append(Trigger(lambda memo: items.append(["appended"])))
    items.append(["tail"])
    return items


@case("list: a hook grows the list being copied by 5000 items (reallocation)")
def list_grows_a_lot(module: Any) -> list[Any]:
    items: list[Any] = [["head"]]
    items.append(Trigger(lambda memo: items.extend([n] for n in range(5000))))
    return items


@case("list: a hook clears the list being copied")
def list_cleared(module: Any) -> list[Any]:
    items: list[Any] = [[0]]
    items.append(Trigger(lambda memo: items.clear()))
    items.extend([[2], [3]])
    return items


@case("list: a hook replaces an item not copied yet (its last reference)")
def list_item_ahead_replaced(module: Any) -> list[Any]:
    items: list[Any] = [[0]]
    items.append(Trigger(lambda memo: items.__setitem__(2, ["replacement"])))
    items.append([["only", "referenced", "here"]])
    return items


@case("list: a hook removes itself from the list being copied")
def list_hook_removes_itself(module: Any) -> list[Any]:
    items: list[Any] = [[0]]
    items.append(Trigger(lambda memo: items.__setitem__(1, None)))
    items.append([2])
    return items


@case("list: a hook deletes itself and shifts the items after it")
def list_hook_deletes_itself(module: Any) -> list[Any]:
    items: list[Any] = [[0]]
    items.append(Trigger(lambda memo: items.__delitem__(1)))
    items.extend([[2], [3]])
    return items


@case("list: a hook drops the parent list's only reference to the list being copied")
def list_dropped_by_parent(module: Any) -> list[Any]:
    outer: list[Any] = []
    outer.append([Trigger(lambda memo: outer.clear()), ["after the hook"]])
    outer.append(["second item of outer"])
    return outer


@case("list subclass: a hook appends to it while its items are copied")
def list_subclass_grows(module: Any) -> ListSub:
    items = ListSub([["head"]])
    items.append(Trigger(lambda memo: items.append(["appended"])))
    return items


@case("bytearray: resized by a hook just before it is copied")
def bytearray_resized(module: Any) -> list[Any]:
    data = bytearray(b"abc")
    return [Trigger(lambda memo: data.extend(b"x" * 100_000)), data]


@case("tuple: a hook changes a list inside the same tuple")
def tuple_member_mutated(module: Any) -> tuple:
    inner: list[Any] = [1]
    return (Trigger(lambda memo: inner.append(["added"])), inner)


# ------------------------------------------------------------------ dicts


def _dict_with_trigger(action: Callable[[dict[str, Any], Any], Any]) -> dict[str, Any]:
    mapping: dict[str, Any] = {"a": [1]}
    mapping["hook"] = Trigger(lambda memo: action(mapping, memo))
    mapping["z"] = [["last"]]
    return mapping


@case("dict: a hook adds a key to the dict being copied")
def dict_grows(module: Any) -> dict[str, Any]:
    return _dict_with_trigger(lambda mapping, memo: mapping.__setitem__("new", 1))


@case("dict: a hook deletes a key of the dict being copied")
def dict_shrinks(module: Any) -> dict[str, Any]:
    return _dict_with_trigger(lambda mapping, memo: mapping.__delitem__("z"))


@case("dict: a hook replaces the value of a key not copied yet")
def dict_value_ahead_replaced(module: Any) -> dict[str, Any]:
    return _dict_with_trigger(lambda mapping, memo: mapping.__setitem__("z", ["new value"]))


@case("dict: a hook replaces an atomic value not copied yet")
def dict_atomic_value_ahead_replaced(module: Any) -> dict[str, Any]:
    mapping = _dict_with_trigger(lambda mapping, memo: mapping.__setitem__("n", "replaced"))
    mapping["n"] = 0
    return mapping


@case("dict: a hook replaces an atomic value already copied")
def dict_atomic_value_behind_replaced(module: Any) -> dict[str, Any]:
    mapping: dict[str, Any] = {"n": 0, "list": [1]}
    mapping["hook"] = Trigger(lambda memo: mapping.__setitem__("n", "replaced"))
    return mapping


@case("dict: a hook swaps a key for another (same size, keys changed)")
def dict_keys_swapped(module: Any) -> dict[str, Any]:
    def swap(mapping: dict[str, Any], memo: Any) -> None:
        del mapping["z"]
        mapping["y"] = ["other"]

    return _dict_with_trigger(swap)


@case("dict: a hook clears the dict being copied")
def dict_cleared(module: Any) -> dict[str, Any]:
    return _dict_with_trigger(lambda mapping, memo: mapping.clear())


@case("dict: a hook replaces its own value (the dict's only reference to it)")
def dict_hook_replaces_itself(module: Any) -> dict[str, Any]:
    return _dict_with_trigger(lambda mapping, memo: mapping.__setitem__("hook", None))


@case("dict: a key's hook adds a key to the dict being copied")
def dict_key_hook_grows_dict(module: Any) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {"a": [1]}
    mapping[Trigger(lambda memo: mapping.__setitem__("new", 2))] = ["value"]
    mapping["z"] = [3]
    return mapping


@case("dict: a hook drops the parent dict's only reference to the dict being copied")
def dict_dropped_by_parent(module: Any) -> dict[str, Any]:
    holder: dict[str, Any] = {}
    holder["inner"] = {"hook": Trigger(lambda memo: holder.clear()), "after": [2]}
    return holder


@case("OrderedDict: a hook adds a key while it is copied")
def ordered_dict_grows(module: Any) -> collections.OrderedDict:
    mapping: collections.OrderedDict = collections.OrderedDict(a=[1])
    mapping["hook"] = Trigger(lambda memo: mapping.__setitem__("new", 1))
    mapping["z"] = [2]
    return mapping


@case("OrderedDict: a hook moves a key to the end while it is copied")
def ordered_dict_reordered(module: Any) -> collections.OrderedDict:
    mapping: collections.OrderedDict = collections.OrderedDict(a=[1])
    mapping["hook"] = Trigger(lambda memo: mapping.move_to_end("a"))
    mapping["z"] = [2]
    return mapping


@case("defaultdict: a hook adds a key while it is copied")
def defaultdict_grows(module: Any) -> collections.defaultdict:
    mapping: collections.defaultdict = collections.defaultdict(list, a=[1])
    mapping["hook"] = Trigger(lambda memo: mapping["new"].append(1))
    return mapping


@case("dict subclass: a hook adds a key while its items are copied")
def dict_subclass_grows(module: Any) -> DictSub:
    mapping = DictSub(a=[1])
    mapping["hook"] = Trigger(lambda memo: mapping.__setitem__("new", 1))
    mapping["z"] = [2]
    return mapping


# ------------------------------------------------------------------ sets and deques


@case("set: a hook adds a member to the set being copied")
def set_grows(module: Any) -> set:
    members: set = {1, "two"}
    members.add(Trigger(lambda memo: members.update(range(100, 200))))
    return members


@case("set: a hook clears the set being copied")
def set_cleared(module: Any) -> set:
    members: set = {1, "two", (3, 4)}
    members.add(Trigger(lambda memo: members.clear()))
    return members


@case("deque: a hook appends to the deque being copied")
def deque_grows(module: Any) -> collections.deque:
    items: collections.deque = collections.deque([[1]])
    items.append(Trigger(lambda memo: items.append([2])))
    items.append([3])
    return items


@case("deque: a hook rotates the deque being copied (same size)")
def deque_rotated(module: Any) -> collections.deque:
    items: collections.deque = collections.deque([[1]])
    items.append(Trigger(lambda memo: items.rotate(1)))
    items.append([3])
    return items


# ------------------------------------------------------------------ instances


@case("instance: a hook in an attribute adds an attribute to its owner")
def instance_dict_grows(module: Any) -> Plain:
    owner = Plain([1])
    owner.hook = Trigger(lambda memo: setattr(owner, "added", 1))
    owner.last = [2]
    return owner


@case("instance: a hook replaces its owner's __dict__")
def instance_dict_replaced(module: Any) -> Plain:
    owner = Plain([1])
    owner.hook = Trigger(lambda memo: setattr(owner, "__dict__", {"replaced": [True]}))
    owner.last = [2]
    return owner


@case("instance: a hook drops the owner's only reference to the attribute being copied")
def instance_attribute_dropped(module: Any) -> Plain:
    owner = Plain()
    owner.payload = [Trigger(lambda memo: delattr(owner, "payload")), ["after"]]
    return owner


@case("slots: a hook changes another slot of its owner")
def slots_changed(module: Any) -> Slotted:
    owner = Slotted()
    owner.payload = Trigger(lambda memo: setattr(owner, "spare", ["set by the hook"]))
    owner.spare = ["original"]
    return owner


# ------------------------------------------------------------------ the memo


def _shared_around(action: Callable[[Any, list[Any]], Any]) -> list[Any]:
    shared = ["shared"]
    return [shared, Trigger(lambda memo: action(memo, shared)), shared, [shared]]


@case("memo: a hook clears the memo in the middle of a copy")
def memo_cleared(module: Any) -> list[Any]:
    return _shared_around(lambda memo, shared: memo.clear())


@case("memo: a hook replaces the entry of an object already copied")
def memo_entry_replaced(module: Any) -> list[Any]:
    return _shared_around(lambda memo, shared: memo.__setitem__(id(shared), ["replaced"]))


@case("memo: a hook deletes the entry of an object already copied")
def memo_entry_deleted(module: Any) -> list[Any]:
    return _shared_around(lambda memo, shared: memo.__delitem__(id(shared)))


@case("memo: a hook deletes the entry of the list being copied, which refers to itself")
def memo_entry_of_parent_deleted(module: Any) -> list[Any]:
    outer: list[Any] = []
    outer.append(Trigger(lambda memo: memo.pop(id(outer), None)))
    outer.append(outer)
    return outer


@case("memo: a hook fills in the entry of an object not copied yet")
def memo_entry_prefilled(module: Any) -> list[Any]:
    later = ["later"]
    return [Trigger(lambda memo: memo.setdefault(id(later), ["prefilled"])), later, [later]]


@case("memo: a hook pops the most recent entries with popitem()")
def memo_popitem(module: Any) -> list[Any]:
    def pop_two(memo: Any, shared: list[Any]) -> None:
        memo.popitem()
        memo.popitem()

    return _shared_around(pop_two)


@case("memo: a hook stores and removes keys that are not object ids")
def memo_foreign_keys(module: Any) -> list[Any]:
    def use_foreign_keys(memo: Any, shared: list[Any]) -> None:
        memo["text"] = ["a"]
        memo[-1] = ["b"]
        memo[2**80] = ["c"]
        memo[(1, 2)] = ["d"]
        memo.update({"other": 1})
        assert memo["text"] == ["a"] and memo[-1] == ["b"] and memo.get(2**80) == ["c"]
        assert (1, 2) in memo and "missing" not in memo
        del memo["text"]
        memo.pop(-1)

    return _shared_around(use_foreign_keys)


@case("memo: a hook deletes the keep-alive list")
def memo_keepalive_deleted(module: Any) -> list[Any]:
    return _shared_around(lambda memo, shared: memo.pop(id(memo), None))


@case("memo: a hook replaces the keep-alive list with a plain list")
def memo_keepalive_replaced_by_list(module: Any) -> list[Any]:
    return _shared_around(lambda memo, shared: memo.__setitem__(id(memo), []))


# ------------------------------------------------------------------ shallow copies


class AppendsToSource(ListSub):
    """A list subclass whose append, which rebuilds shallow copies, grows the original:
    the copy gets ``source`` (the original) from the state before its items are added."""

    def append(self, item: Any) -> None:
        source = self.__dict__.get("source")
        if source is not None and len(source) < 50:
            source.insert(0, "grown")
        super().append(item)


@case("shallow copy: rebuilding a list subclass grows the original", call=shallow_call)
def shallow_copy_grows_source(module: Any) -> AppendsToSource:
    items = AppendsToSource([[1], [2], [3]])
    items.source = items
    return items
