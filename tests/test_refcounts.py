"""Copying leaves the reference counts of the input and everything in it as they were.

Each check copies many times and drops the results, so a leak of a single reference per
call shows up as a large difference. Objects are fresh instances (never cached small ints
or interned strings, which are immortal on 3.12+).
"""

from __future__ import annotations

import gc
import sys

import pytest
from parity import reachable

import copium


class Payload:
    def __init__(self, *children):
        self.children = list(children)


class WithHook:
    def __init__(self, payload):
        self.payload = payload

    def __deepcopy__(self, memo):
        return WithHook(copium.deepcopy(self.payload, memo))


class Failing:
    def __deepcopy__(self, memo):
        raise ValueError("hook fails")

    def __reduce_ex__(self, protocol):
        raise ValueError("reduce fails")


class Reduced:
    def __init__(self, payload):
        self.payload = payload

    def __reduce_ex__(self, protocol):
        return (Reduced, (self.payload,), {"state": self.payload}, iter([]), iter([]))

    def append(self, item):
        pass

    def __setitem__(self, key, value):
        pass


REPEATS = 100


def _fresh_objects():
    text = "".join(["not", " interned"])
    number = int("1" * 30)
    leaf = Payload()
    shared = [text, number, leaf]
    return [
        text,
        number,
        leaf,
        shared,
        (shared, text),
        {"k": shared},
        {number, text},
        frozenset({leaf}),
    ]


def _tracked(root):
    """The root and every object reachable from it, except classes (instances refer to them)."""
    return [obj for obj in reachable(root).values() if not isinstance(obj, type)]


def _counts(objects):
    gc.collect()
    return [sys.getrefcount(obj) for obj in objects]


def _copy_repeatedly(operation, root, *, expect_error=None) -> None:
    for _ in range(REPEATS):
        try:
            operation(root)
        except Exception as error:  # noqa: BLE001 - dropped here so its traceback is freed
            if expect_error is None or not isinstance(error, expect_error):
                raise
        else:
            assert expect_error is None, "the copy was expected to fail"


def _make_inputs():
    objects = _fresh_objects()
    return {
        "containers": objects,
        "objects-through-reduce": [Payload(*objects), Reduced(objects[3])],
        "deepcopy-hooks-with-memo-proxy": [WithHook(objects), WithHook(objects[3])],
        "cycle": _cycle(),
    }


def _cycle():
    node = Payload()
    node.children.append(node)
    return [node, node.children]


@pytest.mark.parametrize(
    "name", ["containers", "objects-through-reduce", "deepcopy-hooks-with-memo-proxy", "cycle"]
)
@pytest.mark.parametrize("operation", [copium.deepcopy, copium.copy], ids=["deepcopy", "copy"])
def test_successful_copies_leave_refcounts_unchanged(name: str, operation) -> None:
    root = _make_inputs()[name]
    tracked = _tracked(root)
    before = _counts(tracked)
    _copy_repeatedly(operation, root)
    assert _counts(tracked) == before


def test_failed_deepcopies_leave_refcounts_unchanged() -> None:
    root = _fresh_objects() + [Failing()]  # fails after the other items were copied
    tracked = _tracked(root)
    before = _counts(tracked)
    _copy_repeatedly(copium.deepcopy, root, expect_error=ValueError)
    assert _counts(tracked) == before


def test_failed_shallow_copies_leave_refcounts_unchanged() -> None:
    failing = Failing()
    before = _counts([failing])
    _copy_repeatedly(copium.copy, failing, expect_error=ValueError)
    assert _counts([failing]) == before


def test_copies_with_a_caller_memo_release_everything_with_the_memo() -> None:
    root = _fresh_objects()
    tracked = _tracked(root)
    before = _counts(tracked)
    for _ in range(REPEATS):
        memo: dict = {}
        copium.deepcopy(root, memo)
        del memo
    assert _counts(tracked) == before


def test_atomic_values_come_back_without_a_leaked_reference() -> None:
    atom = int("9" * 40)
    before = _counts([atom])
    for _ in range(REPEATS):
        assert copium.deepcopy(atom) is atom
        assert copium.copy(atom) is atom
    assert _counts([atom]) == before


def test_copies_are_freed_once_dropped() -> None:
    import weakref

    original = Payload(Payload(), [Payload()])
    copy = copium.deepcopy(original)
    refs = [weakref.ref(copy), weakref.ref(copy.children[0]), weakref.ref(copy.children[1][0])]
    del copy
    gc.collect()
    assert [ref() for ref in refs] == [None, None, None]
