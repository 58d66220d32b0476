"""Randomly built object graphs copy exactly like they do with the stdlib.

Hypothesis builds trees of lists, dicts, tuples, sets, frozensets, bytearrays and plain
objects over a mix of atoms, then wires extra references between the mutable nodes, which
makes shared subgraphs and cycles. Every graph is copied deeply and shallowly, with and
without a caller memo, and compared with the stdlib's result by :mod:`parity`.
"""

from __future__ import annotations

import copy as stdlib_copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parity import assert_copy_parity, assert_deepcopy_parity, assert_same_graph, reachable

import copium


class Node:
    """A plain object copied through the reduce protocol."""

    def __init__(self, children):
        self.children = children


class SlottedNode:
    __slots__ = ("left", "right")

    def __init__(self, left, right):
        self.left, self.right = left, right


atoms = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.binary(max_size=5),
    st.complex_numbers(allow_nan=False),
    st.sampled_from([Ellipsis, NotImplemented, len, int, range(3)]),
)

hashables = st.recursive(
    atoms, lambda inner: st.tuples(inner, inner) | st.frozensets(inner, max_size=3), max_leaves=6
)


def _containers(children):
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(hashables, children, max_size=4),
        st.tuples(children, children),
        st.lists(children, max_size=3).map(tuple),
        st.sets(hashables, max_size=3),
        st.frozensets(hashables, max_size=3),
        st.binary(max_size=4).map(bytearray),
        st.lists(children, max_size=3).map(Node),
        st.tuples(children, children).map(lambda pair: SlottedNode(*pair)),
    )


trees = st.recursive(atoms, _containers, max_leaves=25)


@st.composite
def graphs(draw):
    """A tree plus extra references from its lists, dicts and objects to other nodes."""
    root = draw(trees)
    nodes = list(reachable(root).values())
    holders = [node for node in nodes if isinstance(node, (list, dict, Node))]
    if holders:
        for _ in range(draw(st.integers(0, 6))):
            holder = draw(st.sampled_from(holders))
            target = draw(st.sampled_from(nodes + [root]))
            if isinstance(holder, list):
                holder.append(target)
            elif isinstance(holder, dict):
                holder[f"ref{len(holder)}"] = target
            else:
                holder.children.append(target)
    return root


PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY_SETTINGS
@given(graphs())
def test_random_graph_deepcopies_like_stdlib(graph) -> None:
    assert_deepcopy_parity(graph)


@PROPERTY_SETTINGS
@given(graphs())
def test_random_graph_copies_like_stdlib(graph) -> None:
    assert_copy_parity(graph)


@PROPERTY_SETTINGS
@given(graphs())
def test_random_graph_with_a_caller_memo_deepcopies_like_stdlib(graph) -> None:
    memo_ref: dict = {}
    memo_cand: dict = {}
    reference = stdlib_copy.deepcopy(graph, memo_ref)
    candidate = copium.deepcopy(graph, memo_cand)
    assert_same_graph(graph, reference, candidate)
    # Same input, so the keys for the input's own objects (their ids) must match exactly.
    # Other keys are ids of temporaries (reduce arguments and states, kept alive in the
    # keep-alive list), which differ between the two calls; only their number must match.
    input_ids = set(reachable(graph))
    keys_ref = set(memo_ref) - {id(memo_ref)}
    keys_cand = set(memo_cand) - {id(memo_cand)}
    assert keys_cand & input_ids == keys_ref & input_ids
    assert len(keys_cand) == len(keys_ref)
    shared_keys = list(keys_ref & input_ids)
    assert_same_graph(
        graph, [memo_ref[key] for key in shared_keys], [memo_cand[key] for key in shared_keys]
    )
