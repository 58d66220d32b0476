"""Which failed ``__deepcopy__`` calls are retried with a dict memo.

When a ``__deepcopy__`` raises TypeError or AssertionError on copium's native memo, copium
may copy that object again with a dict memo (see ``copium.config``). It does so only when
the failed attempt left the memo as it found it: a ``__deepcopy__`` that rejects the memo's
type does so before using it, while one that stored into the memo accepted it, so its error
is its own, and the stdlib raises it too. Such a hook runs once, exactly as under the stdlib,
and is never handed the half-made copies its failed attempt left in the memo.
"""

from __future__ import annotations

import copy as stdlib_copy
import threading
import warnings
from typing import Any

import pytest

import copium


class MemoizesThenCopies:
    """The usual hand-written hook: memoize the clone, then copy the payload with the memo."""

    calls = 0

    def __init__(self, payload: Any) -> None:
        self.payload = payload

    def __deepcopy__(self, memo: Any) -> MemoizesThenCopies:
        type(self).calls += 1
        clone = MemoizesThenCopies(None)
        memo[id(self)] = clone
        clone.payload = stdlib_copy.deepcopy(self.payload, memo)
        return clone


class ChecksTheMemoFirst:
    """Rejects anything but a dict before touching the memo, as extension types do."""

    calls = 0

    def __init__(self, payload: Any) -> None:
        self.payload = payload

    def __deepcopy__(self, memo: Any) -> ChecksTheMemoFirst:
        type(self).calls += 1
        if not isinstance(memo, dict):
            raise TypeError("memo must be a dict")
        return ChecksTheMemoFirst(stdlib_copy.deepcopy(self.payload, memo))


@pytest.fixture(autouse=True)
def reset_counts() -> None:
    MemoizesThenCopies.calls = ChecksTheMemoFirst.calls = 0


def deepcopy_quietly(x: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return copium.deepcopy(x)


def test_an_error_after_the_memo_was_used_is_raised_as_the_stdlib_raises_it() -> None:
    with pytest.raises(TypeError) as stdlib_error:
        stdlib_copy.deepcopy(MemoizesThenCopies([1, threading.Lock()]))
    MemoizesThenCopies.calls = 0
    with pytest.raises(TypeError) as copium_error:
        deepcopy_quietly(MemoizesThenCopies([1, threading.Lock()]))
    assert str(copium_error.value) == str(stdlib_error.value)
    assert MemoizesThenCopies.calls == 1


def test_a_hook_that_rejects_the_memo_before_using_it_is_retried_with_a_dict() -> None:
    shared = [1]
    result = deepcopy_quietly([ChecksTheMemoFirst(shared), shared])
    assert ChecksTheMemoFirst.calls == 2
    assert result[0].payload == [1] and result[0].payload is result[1]


def test_when_the_retry_fails_too_the_hook_ran_twice_at_most() -> None:
    with pytest.raises(TypeError):
        deepcopy_quietly(ChecksTheMemoFirst([threading.Lock()]))
    assert ChecksTheMemoFirst.calls == 2
