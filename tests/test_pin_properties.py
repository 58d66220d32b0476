"""Property-based checks of pins on generated object graphs (see ``strategies.py``): every
container and atomic type, one class per copy protocol, builtin subclasses, shared objects
and cycles, and now and then an object that cannot be copied.

For each graph: a copy from ``pin(graph)`` has the structure and identity graph of
``copy.deepcopy(graph)`` (or ``pin`` raises the exception type deepcopy raises, and pins
nothing); it calls the hooks that build the copy (``__deepcopy__``, ``__setstate__``,
``append``, ``__setitem__``) in stdlib's order, and of those that only describe an object,
which ran once at ``pin()``, only the ones a ``__deepcopy__`` causes by copying things itself. The same holds for a larger graph holding the pinned
one and parts of it, copied by ``copium.deepcopy``, and with the ``memo="dict"`` setting.
"""

from __future__ import annotations

import collections
import copy as stdlib_copy
from typing import Any, Callable

from engine_state import engine_settings
from parity import assert_same_outcome, outcome_of, reachable
from test_property_parity import assert_same_calls, check_property, traced

import copium
from copium.extra import clear_pins, pin, pins

DESCRIBING = ("__reduce__", "__reduce_ex__", "__getstate__", "__getnewargs")


def describes(call: Any) -> bool:
    return any(name in call[0] for name in DESCRIBING)


def building_calls(calls: list[Any]) -> list[Any]:
    """The hook calls that build a copy (all but those describing an object)."""
    return [call for call in calls if not describes(call)]


def describing_calls(calls: list[Any]) -> list[Any]:
    return [call for call in calls if describes(call)]


def check_pin(graph: Any, copy_from: Callable[[Any], Any], original: Any) -> bool:
    """Pin ``graph``; ``copy_from(pin)`` must do what ``copy.deepcopy(original)`` does."""
    clear_pins()
    try:
        reference, reference_calls = traced(stdlib_copy.deepcopy, original)
        pinned = outcome_of(pin, graph)
        if pinned.raised:
            assert reference.raised, f"pin raised, deepcopy {reference.describe()}"
            assert_same_outcome(original, reference, pinned)
            assert len(pins()) == 0, "a failed pin left a pin behind"
            return True
        candidate, candidate_calls = traced(copy_from, pinned.value)
        assert_same_outcome(original, reference, candidate)
        assert_same_calls(building_calls(reference_calls), building_calls(candidate_calls))
        # Describing hooks still run for what a __deepcopy__ copies itself, never for more.
        described = collections.Counter(describing_calls(candidate_calls))
        assert not described - collections.Counter(describing_calls(reference_calls))
        return False
    finally:
        clear_pins()


def test_copies_from_a_pin_match_deepcopy(figures) -> None:
    def check(graph: Any) -> bool:
        return check_pin(graph, lambda p: p.copy(), graph)

    check_property(figures, check, seed_value=31)


def test_a_pinned_graph_inside_a_larger_one_copies_like_deepcopy(figures) -> None:
    def check(graph: Any) -> bool:
        # The larger graph holds the pinned one and, after it, some of its parts.
        parts = list(reachable(graph).values())[:3]
        larger = {"pinned": graph, "parts": parts, "again": graph}
        return check_pin(graph, lambda p: copium.deepcopy(larger), larger)

    check_property(figures, check, seed_value=32)


def test_copies_from_a_pin_match_deepcopy_with_the_dict_memo_setting(figures) -> None:
    def copy_with_dict_memo(p: Any) -> Any:
        with engine_settings(memo="dict"):
            return p.copy()

    def check(graph: Any) -> bool:
        return check_pin(graph, copy_with_dict_memo, graph)

    check_property(figures, check, seed_value=33)
