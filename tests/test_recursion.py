"""Cycles are reproduced, and very deep structures never crash the interpreter.

The stdlib raises RecursionError on deep nesting; copium may copy instead, but it must do
one or the other and leave the thread usable. Deep cases run in a child interpreter so that
a stack overflow shows up as a failed test rather than killing pytest.
"""

from __future__ import annotations

import pytest
from isolated import describe, run_isolated
from parity import assert_deepcopy_parity, assert_twin_parity

import copium


class Node:
    def __init__(self, **attributes):
        self.__dict__.update(attributes)


def _self_referencing_object():
    node = Node()
    node.me = node
    return node


def _cycle_through_tuple_and_dict():
    holder = {}
    pair = (holder, [holder])
    holder["pair"] = pair
    return pair


def _cycle_through_bound_method():
    node = Node()
    node.method = node.__init__
    return node


def _cycle_through_deepcopy_hook():
    class Hook:
        def __deepcopy__(self, memo):
            clone = Hook.__new__(Hook)
            memo[id(self)] = clone
            clone.others = copium.deepcopy(self.others, memo)
            return clone

    hook = Hook()
    hook.others = [hook, {"again": hook}]
    return hook


def _long_ring(length=500):
    first = Node()
    node = first
    for _ in range(length):
        node.next = Node()
        node = node.next
    node.next = first
    return first


CYCLES = {
    "object-refers-to-itself": _self_referencing_object,
    "through-tuple-and-dict": _cycle_through_tuple_and_dict,
    "through-bound-method": _cycle_through_bound_method,
    "through-deepcopy-hook": _cycle_through_deepcopy_hook,
    "ring-of-500-objects": _long_ring,
}


@pytest.mark.parametrize("make", list(CYCLES.values()), ids=list(CYCLES))
def test_cycle_is_reproduced_like_stdlib(make) -> None:
    assert_deepcopy_parity(make())


def test_self_referencing_list_copy_refers_to_the_copy() -> None:
    original = []
    original.append(original)
    result = copium.deepcopy(original)
    assert result is not original
    assert result[0] is result


# ---------------------------------------------------------------------- deep nesting, in a child interpreter

DEEP_SNIPPET = """
import sys, threading
import copium

{prelude}

DEPTH = {depth}

def build():
{build}

def check(original, copy):
{check}

def attempt():
    original = build()
    try:
        result = copium.deepcopy(original)
    except RecursionError:
        outcome = "RecursionError"
    else:
        check(original, result)
        outcome = "copied"
    # The same thread keeps working after either outcome.
    small = [[1], {{"k": (2, [3])}}]
    again = copium.deepcopy(small)
    assert again == small and again[0] is not small[0]
    return outcome

{run}
"""

RUN_IN_MAIN_THREAD = "print(attempt())"

RUN_IN_THREAD_WITH_2_MIB_STACK = """
threading.stack_size(2 * 1024 * 1024)
outcomes = []
worker = threading.Thread(target=lambda: outcomes.append(attempt()))
worker.start()
worker.join()
print(outcomes[0] if outcomes else "thread died")
"""

NESTED_LISTS = {
    "build": """
    root = node = []
    for _ in range(DEPTH):
        child = []
        node.append(child)
        node = child
    return root
""",
    "check": """
    depth = 0
    while original:
        assert type(copy) is list and copy is not original and len(copy) == 1
        original, copy = original[0], copy[0]
        depth += 1
    assert depth == DEPTH and copy == [] and copy is not original
""",
}

NESTED_DICTS = {
    "build": """
    root = node = {}
    for _ in range(DEPTH):
        child = {}
        node["k"] = child
        node = child
    return root
""",
    "check": """
    depth = 0
    while original:
        assert type(copy) is dict and copy is not original and list(copy) == ["k"]
        original, copy = original["k"], copy["k"]
        depth += 1
    assert depth == DEPTH and copy == {} and copy is not original
""",
}

NESTED_TUPLES_OF_ATOMS = {
    "build": """
    node = "leaf"
    for _ in range(DEPTH):
        node = (node,)
    return node
""",
    "check": """
    assert copy is original  # every level copies to itself, so the whole tuple is kept
""",
}

NESTED_TUPLES_AROUND_A_LIST = {
    "build": """
    node = ["leaf"]
    for _ in range(DEPTH):
        node = (node,)
    return node
""",
    "check": """
    depth = 0
    while type(original) is tuple:
        assert type(copy) is tuple and copy is not original
        original, copy = original[0], copy[0]
        depth += 1
    assert depth == DEPTH and copy == ["leaf"] and copy is not original
""",
}

NESTED_OBJECTS = {
    "prelude": """
class Node:
    pass
""",
    "build": """
    root = node = Node()
    for _ in range(DEPTH):
        node.child = Node()
        node = node.child
    return root
""",
    "check": """
    depth = 0
    while hasattr(original, "child"):
        assert type(copy) is Node and copy is not original
        original, copy = original.child, copy.child
        depth += 1
    assert depth == DEPTH and not hasattr(copy, "child") and copy is not original
""",
}

NESTED_DEEPCOPY_HOOKS = {
    "prelude": """
class Hooked:
    def __init__(self, child):
        self.child = child

    def __deepcopy__(self, memo):
        return Hooked(copium.deepcopy(self.child, memo))
""",
    "build": """
    node = None
    for _ in range(DEPTH):
        node = Hooked(node)
    return node
""",
    "check": """
    depth = 0
    while original is not None:
        assert type(copy) is Hooked and copy is not original
        original, copy = original.child, copy.child
        depth += 1
    assert depth == DEPTH and copy is None
""",
}


def _deep_snippet(
    shape: dict, depth: int, *, run: str = RUN_IN_MAIN_THREAD, prelude: str = ""
) -> str:
    return DEEP_SNIPPET.format(
        prelude=prelude + shape.get("prelude", ""),
        depth=depth,
        build=shape["build"].strip("\n"),
        check=shape["check"].strip("\n"),
        run=run,
    )


def assert_copies_or_raises_recursion_error(source: str) -> str:
    process = run_isolated(source, timeout=300)
    assert process.returncode == 0, "the interpreter crashed or failed\n" + describe(process)
    outcome = process.stdout.strip()
    assert outcome in ("copied", "RecursionError"), describe(process)
    return outcome


SHAPES = {
    "lists": NESTED_LISTS,
    "dicts": NESTED_DICTS,
    "tuples-of-atoms": NESTED_TUPLES_OF_ATOMS,
    "tuples-around-a-list": NESTED_TUPLES_AROUND_A_LIST,
    "objects": NESTED_OBJECTS,
    "deepcopy-hooks": NESTED_DEEPCOPY_HOOKS,
}


@pytest.mark.parametrize("shape", list(SHAPES.values()), ids=list(SHAPES))
def test_100_000_deep_nesting_copies_or_raises_recursion_error(shape: dict) -> None:
    assert_copies_or_raises_recursion_error(_deep_snippet(shape, 100_000))


@pytest.mark.slow
def test_1_000_000_deep_nested_list_copies_or_raises_recursion_error() -> None:
    assert_copies_or_raises_recursion_error(_deep_snippet(NESTED_LISTS, 1_000_000))


@pytest.mark.slow
def test_1_000_000_deep_nested_dict_copies_or_raises_recursion_error() -> None:
    assert_copies_or_raises_recursion_error(_deep_snippet(NESTED_DICTS, 1_000_000))


@pytest.mark.parametrize("shape", [NESTED_LISTS, NESTED_OBJECTS], ids=["lists", "objects"])
def test_deep_nesting_in_a_thread_with_a_small_stack(shape: dict) -> None:
    # The stdlib itself copes with 2 MiB on every supported version.
    assert_copies_or_raises_recursion_error(
        _deep_snippet(shape, 100_000, run=RUN_IN_THREAD_WITH_2_MIB_STACK)
    )


@pytest.mark.slow
@pytest.mark.parametrize("shape", [NESTED_LISTS, NESTED_DICTS], ids=["lists", "dicts"])
def test_deep_nesting_with_a_raised_recursion_limit_does_not_crash(shape: dict) -> None:
    # A program may raise the limit far beyond what the C stack holds. From 3.11 on the
    # stdlib then copies this structure; a native engine must still not overflow its stack.
    assert_copies_or_raises_recursion_error(
        _deep_snippet(shape, 200_000, prelude="sys.setrecursionlimit(10**7)\n")
    )


def test_object_in_its_own_reduce_args_fails_like_stdlib() -> None:
    # args are copied before the object exists, so this recursion never ends.
    process = run_isolated(
        """
        import copy
        import copium

        class InOwnArgs:
            def __reduce_ex__(self, protocol):
                return (InOwnArgs.rebuild, (self,))

            @staticmethod
            def rebuild(other):
                return InOwnArgs()

        outcomes = []
        for deepcopy in (copy.deepcopy, copium.deepcopy):
            try:
                deepcopy(InOwnArgs())
            except RecursionError:
                outcomes.append("RecursionError")
            else:
                outcomes.append("copied")
        print(*outcomes)
        """
    )
    assert process.returncode == 0, describe(process)
    assert process.stdout.split() == ["RecursionError", "RecursionError"]


def test_recursion_error_inside_a_hook_leaves_copium_usable() -> None:
    def make():
        class Bottomless:
            def __deepcopy__(self, memo):
                return copium.deepcopy(Bottomless(), memo)

        return [Bottomless()]

    reference, candidate = assert_twin_parity(make, lambda module, x: module.deepcopy(x))
    assert isinstance(candidate.error, RecursionError)
    assert copium.deepcopy([[1]]) == [[1]]
