"""``memo[id(memo)]`` on a ``copium.memo``: one keepalive object, like a dict memo's one list.

With the stdlib, ``memo[id(memo)]`` is the list ``copy._keep_alive`` appends to, the same
object on every access, so identity checks on it hold. copium's memo proxy gives the same
``copium.keepalive`` view on every access too, and the view never keeps the memo (or the
copies in it) alive longer than a dict memo would.
"""

from __future__ import annotations

import copy as stdlib_copy
import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from isolated import describe, run_isolated
from parity import assert_twin_parity

import copium


class IdentityReport:
    """Reports how ``memo[id(memo)]`` compares with itself and with the mapping's views."""

    def __deepcopy__(self, memo: Any) -> dict[str, bool]:
        stdlib_copy._keep_alive(self, memo)
        kept = memo[id(memo)]
        return {
            "the same each time": memo[id(memo)] is kept,
            "in values()": kept in memo.values(),
            "is in values()": any(value is kept for value in memo.values()),
            "is in items()": any(value is kept for _, value in memo.items()),
            "from get()": memo.get(id(memo)) is kept,
            "from setdefault()": memo.setdefault(id(memo), []) is kept,
            "in a copy of the memo": dict(memo)[id(memo)] is kept,
            "holds what was kept": any(obj is self for obj in kept),
        }


def test_the_keepalive_entry_is_one_object_like_stdlibs() -> None:
    reference, candidate = assert_twin_parity(
        lambda: [[1], IdentityReport()], lambda module, x: module.deepcopy(x)
    )
    assert candidate.value[1] == reference.value[1] == dict.fromkeys(reference.value[1], True)


def test_appends_through_one_access_are_seen_through_the_next() -> None:
    seen: list[bool] = []

    class Appender:
        def __deepcopy__(self, memo: Any) -> str:
            token = object()
            memo.setdefault(id(memo), []).append(token)
            seen.append(any(obj is token for obj in memo[id(memo)]))
            return "appended"

    copium.deepcopy([Appender()])
    assert seen == [True]


@pytest.fixture
def gc_disabled() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.usefixtures("gc_disabled")
def test_using_the_keepalive_entry_leaves_nothing_for_the_garbage_collector() -> None:
    # The view returned from memo[id(memo)] must not form a reference cycle with its memo:
    # when the copy ends, what the memo kept alive goes at once, as with a dict memo.
    released: list[str] = []

    class Temporary:
        pass

    class UsesKeepalive:
        def __deepcopy__(self, memo: Any) -> str:
            temporary = Temporary()
            weakref.finalize(temporary, released.append, "temporary")
            stdlib_copy._keep_alive(temporary, memo)
            assert memo[id(memo)] is memo[id(memo)]
            return "done"

    assert copium.deepcopy([UsesKeepalive()]) == ["done"]
    assert released == ["temporary"]


def test_a_view_kept_after_the_call_still_holds_what_was_kept() -> None:
    kept: list[Any] = []
    marker = object()

    class Keeper:
        def __deepcopy__(self, memo: Any) -> str:
            stdlib_copy._keep_alive(marker, memo)
            kept.append(memo[id(memo)])
            return "kept"

    copium.deepcopy([Keeper()])
    gc.collect()
    (view,) = kept
    assert any(obj is marker for obj in view)
    view.append("late")
    assert list(view)[-1] == "late"


def test_a_view_kept_inside_its_own_memo_is_collected() -> None:
    released: list[str] = []

    class Sentinel:
        pass

    class KeepsItself:
        def __deepcopy__(self, memo: Any) -> str:
            sentinel = Sentinel()
            weakref.finalize(sentinel, released.append, "sentinel")
            view = memo.setdefault(id(memo), [])
            view.append(sentinel)
            view.append(view)  # memo -> view -> memo: only the garbage collector can free it
            return "cycle"

    copium.deepcopy([KeepsItself()])
    gc.collect()
    assert released == ["sentinel"]


def test_the_view_survives_its_memo_being_dropped_first() -> None:
    # Whichever of memo and view goes first, the other stays usable (in a fresh interpreter:
    # a mistake here would crash it).
    process = run_isolated(
        """
        import copy, gc
        import copium

        views, memos = [], []

        class Keeper:
            def __deepcopy__(self, memo):
                copy._keep_alive(self, memo)
                views.append(memo[id(memo)])
                memos.append(memo)
                return "kept"

        copium.deepcopy([Keeper()])
        memos.clear()
        gc.collect()
        view = views.pop()
        assert len(view) > 0 and any(type(obj) is Keeper for obj in view)
        view.append("x")
        del view
        gc.collect()

        copium.deepcopy([Keeper()])
        views.clear()
        gc.collect()
        memo = memos.pop()
        assert memo[id(memo)] is memo[id(memo)]
        assert any(type(obj) is Keeper for obj in memo[id(memo)])
        print("ok")
        """
    )
    assert process.returncode == 0 and process.stdout.strip() == "ok", describe(process)
