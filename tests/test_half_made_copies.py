"""What a ``__deepcopy__`` finds of its containers' copies while they are being made.

Stdlib memoizes a list's or dict's copy before filling it item by item, so a hook that looks
a container holding it up in the memo finds only the items copied so far, and whatever it
adds to or removes from that half-made copy stays in the result in stdlib's order. copium
starts such a copy as a slice or clone of the original (cheaper while nobody can see it)
and, the first time it hands the memo to Python code, cuts every copy still being filled
back to stdlib's state; copies begun after that are made item by item. Pins replay the same
way. Each case here runs through stdlib and copium and compares what the hooks saw, and
what came out.
"""

from __future__ import annotations

import copy as stdlib_copy
from collections.abc import Iterator
from typing import Any, Callable

import pytest

import copium
from copium.extra import clear_pins, pin


@pytest.fixture(autouse=True)
def no_pins_left() -> Iterator[None]:
    yield
    clear_pins()


class Original:
    """A plain instance among the originals (its copy is made through its ``__dict__``)."""

    def __init__(self, **attrs: Any) -> None:
        self.__dict__.update(attrs)


class Watcher:
    """A ``__deepcopy__`` that writes down what the memo holds for each watched original
    when it runs (the half-made copy, or nothing), then lets ``act`` change those copies."""

    def __init__(self, name: str, act: Callable[[list[Any]], None] | None = None) -> None:
        self.name = name
        self.act = act
        self.watched: list[Any] = []
        self.seen: list[Any] = []

    def __deepcopy__(self, memo: Any) -> str:
        copies = [memo.get(id(original)) for original in self.watched]
        self.seen.append([describe(c, self.watched) for c in copies])
        if self.act is not None:
            self.act(copies)
        return f"copy of {self.name}"


def describe(obj: Any, originals: list[Any]) -> Any:
    """``obj`` as plain data: which items a half-made copy holds, and whether each is an
    original object (still to be copied) or something else."""
    if any(obj is o for o in originals):
        return "an original"
    if isinstance(obj, list):
        return [describe(item, originals) for item in obj]
    if isinstance(obj, dict):
        return [(k, describe(v, originals)) for k, v in obj.items()]
    if isinstance(obj, Original):
        return ("instance", describe(vars(obj), originals))
    if obj is None or isinstance(obj, (int, str)):
        return obj
    return type(obj).__name__


def appends(copies: list[Any]) -> None:
    copies[0].append("added")


def adds_a_key(copies: list[Any]) -> None:
    copies[0]["added"] = True


def clears(copies: list[Any]) -> None:
    copies[0].clear()


def deletes_b(copies: list[Any]) -> None:
    copies[0].pop("b", None)


def run(deepcopy: Callable[[Any], Any], build: Callable[[], tuple[Any, list[Watcher]]]) -> Any:
    original, watchers = build()
    result = deepcopy(original)
    return describe(result, []), [w.seen for w in watchers]


def watching(watcher: Watcher, *originals: Any) -> Watcher:
    watcher.watched.extend(originals)
    return watcher


def a_list() -> tuple[Any, list[Watcher]]:
    hook = Watcher("hook")
    original = [[1], 2, hook, [3], 4]
    return original, [watching(hook, original)]


def a_dict() -> tuple[Any, list[Watcher]]:
    hook = Watcher("hook")
    original = {"a": [1], "n": 2, "h": hook, "b": [3], "m": 4}
    return original, [watching(hook, original)]


def nested() -> tuple[Any, list[Watcher]]:
    hook = Watcher("hook")
    inner = [5, hook, [6]]
    middle = {"first": [4], "inner": inner, "after": [7]}
    original = [[0], middle, [8], {"late": [9]}]
    return original, [watching(hook, original, middle, inner)]


def two_hooks() -> tuple[Any, list[Watcher]]:
    first, second = Watcher("first"), Watcher("second")
    later = {"x": [1], "second": second, "y": [2]}
    original = [first, [0], later, [3]]
    return original, [watching(first, original), watching(second, original, later)]


def begun_after_the_memo_was_handed_out() -> tuple[Any, list[Watcher]]:
    first, second = Watcher("first"), Watcher("second")
    later_list = [[1], 2, second, [3]]
    later_dict = {"a": [1], "b": 2, "c": Watcher("third"), "d": [3]}
    original = {"first": first, "list": later_list, "dict": later_dict}
    third = later_dict["c"]
    return original, [
        watching(first, original),
        watching(second, original, later_list),
        watching(third, original, later_dict),
    ]


def a_hook_as_a_later_key() -> tuple[Any, list[Watcher]]:
    hook = Watcher("hook")
    original = {"a": [1], "n": 2, "b": [3], hook: [4], "c": [5]}
    return original, [watching(hook, original)]


def an_instance() -> tuple[Any, list[Watcher]]:
    hook = Watcher("hook")
    original = Original(a=[1], h=hook, b=[2])
    return original, [watching(hook, original, vars(original))]


def a_hook_that_appends() -> tuple[Any, list[Watcher]]:
    hook = Watcher("hook", appends)
    original = [hook, [1], 2]
    return original, [watching(hook, original)]


def a_hook_that_adds_a_key() -> tuple[Any, list[Watcher]]:
    hook = Watcher("hook", adds_a_key)
    original = {"h": hook, "after": [1], "n": 2}
    return original, [watching(hook, original)]


def a_hook_that_clears_the_list() -> tuple[Any, list[Watcher]]:
    hook = Watcher("hook", clears)
    original = [[0], 1, hook, [2], 3]
    return original, [watching(hook, original)]


def a_hook_that_clears_the_dict() -> tuple[Any, list[Watcher]]:
    hook = Watcher("hook", clears)
    original = {"a": [0], "h": hook, "b": [1], "c": 2}
    return original, [watching(hook, original)]


def a_hook_that_deletes_a_later_key() -> tuple[Any, list[Watcher]]:
    hook = Watcher("hook", deletes_b)
    original = {"a": [0], "h": hook, "b": [1], "c": 2}
    return original, [watching(hook, original)]


def long_containers() -> tuple[Any, list[Watcher]]:
    hook = Watcher("hook", appends)
    items: list[Any] = [[i] if i % 3 else i for i in range(300)]
    items[150] = hook
    keyed = {f"k{i}": item for i, item in enumerate(items)}
    original = [items, keyed]
    return original, [watching(hook, items, keyed)]


CASES: dict[str, Callable[[], tuple[Any, list[Watcher]]]] = {
    "a list": a_list,
    "a dict": a_dict,
    "nested lists and dicts": nested,
    "two hooks, the second in a container begun before the first ran": two_hooks,
    "containers begun after the memo was handed out": begun_after_the_memo_was_handed_out,
    "a hook as a key after keys copied as themselves": a_hook_as_a_later_key,
    "a plain instance and its state": an_instance,
    "a hook that appends to its list's copy": a_hook_that_appends,
    "a hook that adds a key to its dict's copy": a_hook_that_adds_a_key,
    "a hook that clears its list's copy": a_hook_that_clears_the_list,
    "a hook that clears its dict's copy": a_hook_that_clears_the_dict,
    "a hook that deletes a key still to come": a_hook_that_deletes_a_later_key,
    "long containers": long_containers,
}


@pytest.mark.parametrize("case", CASES)
def test_a_hook_finds_and_changes_the_half_made_copies_as_under_stdlib(case: str) -> None:
    expected = run(stdlib_copy.deepcopy, CASES[case])
    assert run(copium.deepcopy, CASES[case]) == expected


@pytest.mark.parametrize("case", CASES)
def test_a_pins_copies_show_their_hooks_the_same_half_made_copies(case: str) -> None:
    expected = run(stdlib_copy.deepcopy, CASES[case])
    original, watchers = CASES[case]()
    pinned = pin(original)
    for w in watchers:
        w.seen.clear()
    assert (describe(pinned.copy(), []), [w.seen for w in watchers]) == expected
    for w in watchers:
        w.seen.clear()
    assert (describe(copium.deepcopy(original), []), [w.seen for w in watchers]) == expected


@pytest.mark.parametrize("case", CASES)
def test_a_pinned_object_replayed_after_the_memo_was_handed_out_is_built_as_stdlib_builds_it(
    case: str,
) -> None:
    def build() -> tuple[Any, list[Watcher]]:
        original, watchers = CASES[case]()
        first = Watcher("before the pin")
        return [first, original], [watching(first, original), *watchers]

    expected = run(stdlib_copy.deepcopy, build)
    outer, watchers = build()
    pin(outer[1])
    for w in watchers:
        w.seen.clear()
    assert (describe(copium.deepcopy(outer), []), [w.seen for w in watchers]) == expected


def test_a_caller_memo_sees_the_same_half_made_copies() -> None:
    for case in CASES.values():
        expected = run(stdlib_copy.deepcopy, case)
        assert run(lambda x: copium.deepcopy(x, {}), case) == expected
