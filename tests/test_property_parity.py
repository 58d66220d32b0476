"""Property-based parity: on generated object graphs, copium does exactly what the stdlib does.

Each test draws object graphs from ``strategies.object_graphs``: every container and atomic
type, instances of one class per copy protocol (``__reduce__``, ``__reduce_ex__``,
``__deepcopy__``, ``__getstate__``/``__setstate__``, ``__slots__``, ``__getnewargs_ex__``),
subclasses of builtin containers, shared references and cycles, and now and then an
object that cannot be copied. For each graph, copium's result must have the stdlib's
structure and identity graph (see ``parity.py``), or both must raise the same exception
type; and copium must call the objects' hooks in the stdlib's order. The same holds with
a caller memo (whose final contents must match too), with the ``memo="dict"`` setting,
through the ``copy.deepcopy`` patch, for shallow copies and for ``replicate``.

Each test has its own fixed seed: every run checks the same graphs, and the tests do not
all check the same ones. ``COPIUM_PROPERTY_EXAMPLES`` sets how many graphs each test
checks (400 by default, 200 in a reduced run, see ``suite_size.py``); the counts are
printed in the "reliability figures" section of the pytest summary.

A failing graph is reported as found, not shrunk: on these graphs Hypothesis's shrinker was
seen to grow past 7 GB and run for minutes (CPython 3.15), until the test process's memory
cap ended it with no report at all. ``COPIUM_PROPERTY_SHRINK=1`` turns shrinking back on.
"""

from __future__ import annotations

import collections
import copy as stdlib_copy
import os
from typing import Any, Callable

from engine_state import engine_settings, patch_state
from hypothesis import HealthCheck, Phase, given, seed, settings
from parity import Outcome, assert_same_graph, assert_same_outcome, outcome_of, reachable
from sample_types import HOOK_CALLS
from strategies import graph_traits, is_structure, object_graphs
from suite_size import scaled
from test_user_memo import MEMO_KINDS

import copium

EXAMPLES = int(os.environ.get("COPIUM_PROPERTY_EXAMPLES", scaled("400", "200")))
SHRINK = os.environ.get("COPIUM_PROPERTY_SHRINK") == "1"

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    # Graphs are built by running their objects' constructors; that is slower than
    # Hypothesis expects of a strategy but is what this suite is about.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=[phase for phase in Phase if SHRINK or phase not in (Phase.shrink, Phase.explain)],
)


class Tally:
    """What the examples of one test covered."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = collections.Counter()
        self.kinds: set = set()

    def add(self, graph: Any, raised: bool) -> None:
        traits = graph_traits(graph)
        self.kinds |= traits["kinds"]
        self.counts["examples"] += 1
        self.counts["with shared objects"] += traits["shared"]
        self.counts["with cycles"] += traits["cyclic"]
        self.counts["both raised"] += raised

    def report(self, figures: Callable[[str, Any], None]) -> None:
        for name, value in self.counts.items():
            figures(name, value)
        figures("types covered", len(self.kinds))


def check_property(
    figures: Callable[[str, Any], None], check: Callable[[Any], bool], *, seed_value: int
) -> None:
    """Run ``check(graph)`` on EXAMPLES generated graphs; it returns whether the copy raised."""
    tally = Tally()

    @seed(seed_value)
    @SETTINGS
    @given(object_graphs(failures=True))
    def property_holds(graph: Any) -> None:
        tally.add(graph, check(graph))

    property_holds()
    tally.report(figures)
    assert tally.counts["examples"] >= EXAMPLES, "Hypothesis ran fewer examples than asked"


def traced(function: Callable[..., Any], *args: Any) -> tuple[Outcome, list[Any]]:
    """Call ``function(*args)``; return its outcome and the hook calls it caused, in order."""
    HOOK_CALLS.clear()
    try:
        return outcome_of(function, *args), HOOK_CALLS[:]
    finally:
        HOOK_CALLS.clear()


def assert_same_calls(reference: list[Any], candidate: list[Any]) -> None:
    differ = next(
        (n for n, (r, c) in enumerate(zip(reference, candidate)) if r != c),
        min(len(reference), len(candidate)),
    )
    assert candidate == reference, (
        f"hooks were called differently from call #{differ} on:\n"
        f"  stdlib: {reference[differ : differ + 4]}\n  copium: {candidate[differ : differ + 4]}"
    )


def assert_same_behaviour(
    graph: Any, reference: Callable[[], Any], candidate: Callable[[], Any]
) -> bool:
    """Run both calls on ``graph``: same hook calls, same result graph or exception type.
    Returns whether they raised."""
    reference_outcome, reference_calls = traced(reference)
    candidate_outcome, candidate_calls = traced(candidate)
    assert_same_outcome(graph, reference_outcome, candidate_outcome)
    assert_same_calls(reference_calls, candidate_calls)
    return candidate_outcome.raised


# ------------------------------------------------------------------ the properties


def test_deepcopy_matches_stdlib(figures) -> None:
    def check(graph: Any) -> bool:
        return assert_same_behaviour(
            graph, lambda: stdlib_copy.deepcopy(graph), lambda: copium.deepcopy(graph)
        )

    check_property(figures, check, seed_value=1)


def test_deepcopy_with_a_caller_memo_matches_stdlib_and_fills_the_memo_alike(figures) -> None:
    memo_kinds = list(MEMO_KINDS.values())

    def check(graph: Any) -> bool:
        # The memo kind follows from the graph, so each example stays reproducible.
        make_memo = memo_kinds[len(reachable(graph)) % len(memo_kinds)]
        memo_ref, memo_cand = make_memo(), make_memo()
        reference, reference_calls = traced(stdlib_copy.deepcopy, graph, memo_ref)
        candidate, candidate_calls = traced(copium.deepcopy, graph, memo_cand)
        assert_same_calls(reference_calls, candidate_calls)
        if reference.raised or candidate.raised:
            assert_same_outcome(graph, reference, candidate)
            return True
        assert_same_memo(graph, reference.value, memo_ref, candidate.value, memo_cand)
        return False

    check_property(figures, check, seed_value=2)


def assert_same_memo(
    graph: Any, reference: Any, memo_ref: Any, candidate: Any, memo_cand: Any
) -> None:
    """The caller's memo ends up holding what the stdlib's does, and the results match.

    Keys are ids. Objects of the input have the same id in both runs; temporaries (such as
    the argument tuples ``__reduce__`` returns) differ, and are matched through the
    keep-alive lists at ``memo[id(memo)]``, which hold them in the order they were recorded.
    """
    keep_ref = memo_ref.get(id(memo_ref))
    keep_cand = memo_cand.get(id(memo_cand))
    assert type(keep_cand) is type(keep_ref), "the keep-alive entry at memo[id(memo)] differs"
    keep_ref, keep_cand = keep_ref or [], keep_cand or []
    assert len(keep_cand) == len(keep_ref), "the keep-alive lists differ in length"
    key_for = {id(memo_ref): id(memo_cand)}
    key_for.update(
        (id(kept_ref), id(kept_cand)) for kept_ref, kept_cand in zip(keep_ref, keep_cand)
    )
    ref_keys = [key for key in memo_ref if key != id(memo_ref)]
    assert [key_for.get(key, key) for key in memo_ref] == list(memo_cand), (
        "the memos differ in keys or their order"
    )
    assert_same_graph(
        graph,
        [reference, [memo_ref[key] for key in ref_keys], keep_ref],
        [candidate, [memo_cand[key_for.get(key, key)] for key in ref_keys], keep_cand],
    )


def test_deepcopy_with_the_dict_memo_setting_matches_stdlib(figures) -> None:
    def copium_with_dict_memo(graph: Any) -> Any:
        with engine_settings(memo="dict"):
            return copium.deepcopy(graph)

    def check(graph: Any) -> bool:
        return assert_same_behaviour(
            graph, lambda: stdlib_copy.deepcopy(graph), lambda: copium_with_dict_memo(graph)
        )

    check_property(figures, check, seed_value=3)


def test_patched_copy_deepcopy_matches_the_unpatched_stdlib(figures) -> None:
    # Hooks in the graphs call copy.deepcopy themselves: patched, those calls reach copium
    # with copium's memo and continue natively.
    def deepcopy_with_patch(graph: Any, enabled: bool) -> Any:
        with patch_state(enabled):
            return stdlib_copy.deepcopy(graph)

    def check(graph: Any) -> bool:
        return assert_same_behaviour(
            graph,
            lambda: deepcopy_with_patch(graph, False),
            lambda: deepcopy_with_patch(graph, True),
        )

    check_property(figures, check, seed_value=4)


def test_shallow_copy_matches_stdlib(figures) -> None:
    def check(graph: Any) -> bool:
        return assert_same_behaviour(
            graph, lambda: stdlib_copy.copy(graph), lambda: copium.copy(graph)
        )

    check_property(figures, check, seed_value=5)


def test_replicate_makes_independent_copies_like_stdlib(figures) -> None:
    def check(graph: Any) -> bool:
        reference, reference_calls = traced(stdlib_copy.deepcopy, graph)
        candidate, candidate_calls = traced(copium.extra.replicate, graph, 2)
        if reference.raised or candidate.raised:
            assert type(candidate.error) is type(reference.error), (
                reference.describe(),
                candidate.describe(),
            )
            assert_same_calls(reference_calls, candidate_calls)
            return True
        assert_same_calls(reference_calls * 2, candidate_calls)
        first, second = candidate.value
        assert_same_graph(graph, reference.value, first)
        assert_same_graph(graph, reference.value, second)
        originals = reachable(graph)
        in_second = reachable(second)
        shared = [
            node
            for key, node in reachable(first).items()
            if key in in_second and key not in originals
        ]
        assert not [node for node in shared if is_structure(node)], (
            "two replicas share a new object"
        )
        return False

    check_property(figures, check, seed_value=6)
