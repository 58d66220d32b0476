"""The dict-memo retry starts from the memo as the failed attempt found it.

When a ``__deepcopy__`` raises TypeError or AssertionError on copium's native memo, copium
copies that object again with a dict memo (see ``copium.config``). Anything the failed
attempt stored in the memo before it failed (a half-made copy of a list whose items could
not be copied, say) is taken out first: otherwise the retry would find it and return it as
if it were a finished copy, where the stdlib raises.
"""

from __future__ import annotations

import copy as stdlib_copy
import threading
import warnings
from typing import Any

import pytest

import copium


class CopiesItsPayload:
    """A __deepcopy__ that copies its payload with the memo it was given."""

    def __init__(self, payload: Any) -> None:
        self.payload = payload

    def __deepcopy__(self, memo: Any) -> CopiesItsPayload:
        return CopiesItsPayload(stdlib_copy.deepcopy(self.payload, memo))


class StoresThenRejects:
    """Stores a placeholder for its payload, then insists on a dict memo."""

    def __init__(self, payload: Any) -> None:
        self.payload = payload

    def __deepcopy__(self, memo: Any) -> StoresThenRejects:
        memo[id(self.payload)] = "placeholder from an attempt that failed"
        if not isinstance(memo, dict):
            raise TypeError("this __deepcopy__ needs a dict memo")
        del memo[id(self.payload)]
        return StoresThenRejects(stdlib_copy.deepcopy(self.payload, memo))


def test_a_half_made_copy_from_the_failed_attempt_is_not_returned() -> None:
    original = CopiesItsPayload([1, threading.Lock()])
    with pytest.raises(TypeError) as stdlib_error:
        stdlib_copy.deepcopy(original)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(TypeError) as copium_error:
            copium.deepcopy(original)
    assert str(copium_error.value) == str(stdlib_error.value)


def test_entries_of_the_failed_attempt_are_gone_when_the_retry_runs() -> None:
    payload = [1, [2]]
    shared_elsewhere = [payload]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = copium.deepcopy([StoresThenRejects(payload), shared_elsewhere])
    expected = stdlib_copy.deepcopy([StoresThenRejects(payload), shared_elsewhere])
    assert result[0].payload == expected[0].payload == [1, [2]]
    assert result[1][0] is result[0].payload
