"""Hostile cases: very large and very deep inputs.

Containers of 10**7 items must copy correctly (the memo and the keep-alive list grow to
match). Nesting 10**6 levels deep must either copy or raise RecursionError, also with the
recursion limit raised far beyond what the C stack holds and in a thread with a small
stack, and must never overflow the stack. (Deep lists and dicts are also in
test_recursion.py; these add tuples, objects and mixed kinds.)

A reduced run (``suite_size.py``) makes every size and depth ten times smaller, 10**6 items
and 10**5 levels: still many growths of the memo and keep-alive buffers, and still at least
five times deeper than the main thread's stack allows. The case names say the size used.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Callable

from hostile_cases import scenario
from sample_types import Plain
from suite_size import scaled

import copium

# The exponents of the sizes below: 10**SIZE items, 10**DEPTH levels.
SIZE = scaled(7, 6)
DEPTH = SIZE - 1
ITEMS = 10**SIZE
LEVELS = 10**DEPTH


def _small_ints(count: int) -> list[int]:
    # Cached small ints: the list is about 8 bytes per item.
    return (list(range(256)) * (count // 256 + 1))[:count]


@scenario(f"size: a list of 10**{SIZE} small ints", slow=True)
def list_of_ten_million() -> None:
    original = _small_ints(ITEMS)
    copied = copium.deepcopy(original)
    assert copied is not original and copied == original


@scenario(f"size: a list of 10**{SIZE} references to one object", slow=True)
def list_of_one_object_ten_million_times() -> None:
    shared = Plain(["payload"])
    original = [shared] * ITEMS
    copied = copium.deepcopy(original)
    first = copied[0]
    assert first is not shared and type(first) is Plain and first.payload == ["payload"]
    assert copied.count(first) == ITEMS  # Plain compares by identity


@scenario(f"size: a tuple of 10**{SIZE} atoms is its own copy", slow=True)
def tuple_of_ten_million_atoms() -> None:
    original = tuple(_small_ints(ITEMS))
    assert copium.deepcopy(original) is original


@scenario(f"size: a tuple of 10**{SIZE} atoms ending with a list is copied", slow=True)
def tuple_of_ten_million_with_a_list() -> None:
    original = tuple(_small_ints(ITEMS - 1)) + (["last"],)
    copied = copium.deepcopy(original)
    assert copied is not original and copied == original and copied[-1] is not original[-1]


@scenario(f"size: a dict of 10**{SIZE} items", slow=True)
def dict_of_ten_million() -> None:
    original = dict.fromkeys(range(ITEMS), "value")
    copied = copium.deepcopy(original)
    assert copied is not original and copied == original


@scenario(f"size: a set of 10**{SIZE} items", slow=True)
def set_of_ten_million() -> None:
    original = set(range(ITEMS))
    copied = copium.deepcopy(original)
    assert copied is not original and copied == original


@scenario(f"size: a bytearray of 10**{SIZE + 1} bytes", slow=True)
def bytearray_of_hundred_million() -> None:
    original = bytearray(b"\x01") * (10 * ITEMS)
    copied = copium.deepcopy(original)
    assert copied is not original and copied == original


@scenario(f"size: a list of 10**{DEPTH} distinct lists (a memo of 10**{DEPTH} entries)", slow=True)
def list_of_a_million_lists() -> None:
    original = [[n] for n in range(LEVELS)]
    original.append(original[12345])  # one shared item, found through the memo
    copied = copium.deepcopy(original)
    assert copied == original and copied[-1] is copied[12345] and copied[0] is not original[0]


# ------------------------------------------------------------------ depth


def _nested(depth: int, wrap: Callable[[Any], Any]) -> Any:
    node: Any = ["leaf"]
    for level in range(depth):
        node = wrap(node, level)
    return node


def _tuple_level(child: Any, level: int) -> Any:
    return (child,)


def _object_level(child: Any, level: int) -> Any:
    return Plain(child)


def _mixed_level(child: Any, level: int) -> Any:
    kind = level % 4
    if kind == 0:
        return [child]
    if kind == 1:
        return {"k": child}
    if kind == 2:
        return (child,)
    return Plain(child)


def _unwrap(node: Any) -> Any:
    if isinstance(node, dict):
        return node["k"]
    if isinstance(node, Plain):
        return node.payload
    return node[0]


def _copy_or_recursion_error(original: Any) -> tuple[str, Any]:
    try:
        return "copied", copium.deepcopy(original)
    except RecursionError:
        return "RecursionError", None


def _assert_copied_correctly(original: Any, copied: Any, depth: int) -> None:
    left, right = original, copied
    for _ in range(depth):
        assert type(left) is type(right) and left is not right
        left, right = _unwrap(left), _unwrap(right)
    assert left == right == ["leaf"] and left is not right


def _check_deep_copy(
    depth: int, wrap: Callable[[Any, int], Any], copy_in: Callable[[Callable[[], Any]], Any]
) -> None:
    """Copy a ``depth``-deep structure through ``copy_in``; it must copy or raise RecursionError."""
    original = _nested(depth, wrap)
    outcome, copied = copy_in(lambda: _copy_or_recursion_error(original))
    if outcome == "copied":
        _assert_copied_correctly(original, copied, depth)
    print(f"depth {depth}: {outcome}")


def _here(run: Callable[[], Any]) -> Any:
    return run()


def _in_thread_with_small_stack(run: Callable[[], Any]) -> Any:
    # Only the copy runs in the small thread: the structures are built and freed in the
    # main thread, because CPython 3.13 itself overflows a 512 KiB stack freeing them.
    threading.stack_size(512 * 1024)
    try:
        outcome: list[Any] = []
        worker = threading.Thread(target=lambda: outcome.append(run()))
        worker.start()
        worker.join()
    finally:
        threading.stack_size(0)
    assert outcome, "the thread died"
    return outcome[0]


for _name, _wrap in {
    "tuples": _tuple_level,
    "objects": _object_level,
    "mixed lists, dicts, tuples, objects": _mixed_level,
}.items():

    def _default_limit(wrap: Callable[[Any, int], Any] = _wrap) -> None:
        _check_deep_copy(LEVELS, wrap, _here)

    def _raised_limit(wrap: Callable[[Any, int], Any] = _wrap) -> None:
        previous = sys.getrecursionlimit()
        sys.setrecursionlimit(10**8)
        try:
            _check_deep_copy(LEVELS, wrap, _here)
        finally:
            sys.setrecursionlimit(previous)

    def _small_stack(wrap: Callable[[Any, int], Any] = _wrap) -> None:
        _check_deep_copy(LEVELS, wrap, _in_thread_with_small_stack)

    scenario(f"depth: 10**{DEPTH} nested {_name}", slow=True)(_default_limit)
    scenario(f"depth: 10**{DEPTH} nested {_name}, recursion limit raised to 10**8", slow=True)(
        _raised_limit
    )
    scenario(
        f"depth: 10**{DEPTH} nested {_name}, copied in a thread with a 512 KiB stack", slow=True
    )(_small_stack)
