"""Hypothesis strategies for object graphs to copy.

``object_graphs()`` draws a tree of every container and atomic type copying supports, with
instances of the classes in ``sample_types`` (one per copy protocol) and subclasses of the
builtin containers, then adds a few extra references from mutable containers to any node
of the tree. Those extra references create the shared objects and cycles that a deep copy
must reproduce. With ``failures=True``, some graphs also hold an object that cannot be
copied, so that both implementations must raise the same exception.

Set and frozenset members are hashable atoms only: copies of other objects are new objects
with identity hashes, so sets of them cannot be compared between two implementations.
"""

from __future__ import annotations

import collections
import datetime
import re
import types
import weakref
from collections.abc import Iterator
from typing import Any, Callable

import sample_types as t
from hypothesis import strategies as st
from parity import edges, reachable
from stdlib_semantics import FROZENDICT


def _module_function() -> None:
    """A plain function: functions are atoms for deepcopy."""


# Objects a deep copy returns as they are: atoms, types, functions, and objects whose
# copy hooks return the object itself (enum members, compiled patterns, a reduce to a name).
ATOM_CONSTANTS: list[Any] = [
    None,
    True,
    False,
    Ellipsis,
    NotImplemented,
    int,
    list,
    type(None),
    t.Plain,
    _module_function,
    _module_function.__code__,
    len,
    property(),
    re.compile("a+b"),
    weakref.ref(_module_function),
    range(3),
    range(0, 10, 2),
    t.Colour.RED,
    t.Colour.BLUE,
    t.ReduceToName(),
]

_small_ints = st.integers(min_value=-5, max_value=300)  # includes CPython's cached small ints
_big_ints = st.integers(min_value=2**62, max_value=2**200) | st.integers(max_value=-(2**62))

hashable_atoms = st.one_of(
    st.sampled_from([None, True, False, Ellipsis, int, t.Colour.RED, t.ReduceToName()]),
    _small_ints,
    _big_ints,
    st.floats(),  # NaN and infinities included
    st.complex_numbers(max_magnitude=1e6),
    st.text(max_size=6),
    st.binary(max_size=6),
    st.fractions(max_denominator=50),
    st.decimals(allow_nan=False, places=3, min_value=-100, max_value=100),
    st.dates(),
    st.timedeltas(max_value=datetime.timedelta(days=9999)),
)

# Hashable, and equal after copying: members of sets and frozensets.
set_members = st.one_of(
    hashable_atoms,
    st.tuples(hashable_atoms, hashable_atoms),
    st.frozensets(hashable_atoms, max_size=3),
)


def _with_label(cls: type) -> Callable[[Any], Any]:
    def build(value: Any) -> Any:
        obj = cls(value)
        obj.label = f"{cls.__name__} instance"
        return obj

    return build


atoms = st.one_of(
    st.sampled_from(ATOM_CONSTANTS),
    hashable_atoms,
    st.datetimes(timezones=st.none() | st.just(datetime.timezone.utc)),
    st.builds(
        slice, _small_ints | st.none(), _small_ints | st.none(), st.integers(1, 3) | st.none()
    ),
    st.binary(max_size=8).map(bytearray),
    # Subclasses of str, int and bytes get values that the plain text, integers and binary
    # strategies above cannot produce: while shrinking, Hypothesis 6.168 offers a drawn
    # value back to every strategy of a one_of, and one that accepts a subclass instance
    # crashes Hypothesis itself ("KeyError: <class 'StrSub'>" in _pop_choice).
    st.text(min_size=7, max_size=9).map(_with_label(t.StrSub)),
    st.integers(1000, 10**6).map(_with_label(t.IntSub)),
    st.binary(min_size=7, max_size=9).map(t.BytesSub),
    st.sets(set_members, max_size=4),
    st.frozensets(set_members, max_size=4),
    st.sets(hashable_atoms, max_size=3).map(_with_label(t.SetSub)),
    st.frozensets(hashable_atoms, max_size=3).map(t.FrozenSetSub),
)

uncopyable_leaves = st.sampled_from(
    [t.Uncopyable, t.FailingDeepcopy, t.FailingSetstate, t.uncopyable_lock]
).map(lambda make: make())


def _dict_keys() -> Any:
    # Instances hash by identity, so they are valid keys whose copies are new objects; keys
    # with hooks show in which order a dict's keys and values are copied.
    return st.one_of(
        hashable_atoms,
        st.tuples(hashable_atoms, hashable_atoms),
        st.builds(t.Plain, hashable_atoms),
        st.builds(t.DeepcopyHook, hashable_atoms),
        st.builds(t.ReduceState, hashable_atoms),
    )


def _list_sub(items: list[Any], attribute: Any) -> t.ListSub:
    obj = t.ListSub(items)
    obj.attribute = attribute
    return obj


def _dict_sub(mapping: dict, attribute: Any) -> t.DictSub:
    obj = t.DictSub(mapping)
    obj.attribute = attribute
    return obj


def _tuple_sub(items: list[Any]) -> t.TupleSub:
    obj = t.TupleSub(items)
    obj.attribute = "tuple attribute"
    return obj


def _deque_sub(items: list[Any]) -> t.DequeSub:
    obj = t.DequeSub(items)
    obj.attribute = len(items)
    return obj


def _namespace(mapping: dict) -> types.SimpleNamespace:
    return types.SimpleNamespace(**mapping)


def _half_slotted(payload: Any) -> t.Slotted:
    obj = t.Slotted(payload)
    obj.spare = "set"
    return obj


def _containers(nested: Any) -> Any:
    # Hypothesis builds the repr of a strategy from the reprs of its arguments; each level
    # of st.recursive would repeat the previous level's about thirty times. A deferred
    # strategy is shown by its source line instead.
    children = st.deferred(lambda: nested)
    keys = _dict_keys()
    few = st.lists(children, max_size=4)
    mappings = st.dictionaries(keys, children, max_size=3)
    names = st.sampled_from(["a", "b", "c", "d"])
    # The builtin frozendict (3.15+) is copied natively, like dict.
    frozendicts = [mappings.map(FROZENDICT)] if FROZENDICT is not None else []
    return st.one_of(
        # builtin containers
        few,
        few.map(tuple),
        mappings,
        *frozendicts,
        few.map(collections.deque),
        st.builds(collections.deque, few, st.integers(1, 3)),
        mappings.map(collections.OrderedDict),
        mappings.map(lambda d: collections.defaultdict(list, d)),
        st.dictionaries(hashable_atoms, st.integers(), max_size=3).map(collections.Counter),
        st.dictionaries(names, children, max_size=3).map(_namespace),
        children.map(lambda c: t.Plain(c).method),  # bound method: its __self__ is copied
        # subclasses of builtin containers, carrying an attribute too
        st.builds(_list_sub, few, children),
        st.builds(_dict_sub, mappings, children),
        few.map(_tuple_sub),
        st.builds(t.Point, children, children),
        few.map(_deque_sub),
        # one class per copy protocol
        st.builds(t.Plain, children),
        st.builds(t.Slotted, children),
        children.map(_half_slotted),
        st.builds(t.SlottedWithDict, children),
        st.builds(t.FrozenRecord, children),
        st.builds(t.ReduceArgs, children),
        st.builds(t.ReduceState, children),
        st.builds(t.ReduceExItems, few, mappings),
        st.builds(t.StateHooks, children),
        st.builds(t.SlottedStateHooks, children),
        st.builds(t.NewArgsEx, children),
        st.builds(t.DeepcopyHook, children),
        st.builds(t.CopiumDeepcopyHook, children),
        st.builds(t.MemoReadingHook, children),
        st.builds(t.SelfCopyHook, children),
    )


# Built once: a recursive strategy is costly to validate, and a composite draws it often.
_TREES = st.recursive(atoms, _containers, max_leaves=16)


def trees() -> Any:
    return _TREES


# ------------------------------------------------------------------ shared references and cycles

_LIST_LIKE = (list, collections.deque, t.ReduceExItems)
_DICT_LIKE = (dict,)
_ATTRIBUTE_HOLDERS = (t.Plain, types.SimpleNamespace)


def _can_hold(node: Any) -> bool:
    if isinstance(node, collections.Counter):
        return False  # stays a mapping of counts
    if isinstance(node, (t.ReduceToName, t.Colour)):
        return False  # module-level constants shared by every example
    return isinstance(node, _LIST_LIKE + _DICT_LIKE + _ATTRIBUTE_HOLDERS)


def _is_hashable(node: Any) -> bool:
    try:
        hash(node)
    except TypeError:
        return False
    return True


def _link(holder: Any, node: Any, name: str, as_key: bool) -> None:
    """Add one more reference to ``node`` from ``holder``."""
    if isinstance(holder, _LIST_LIKE):
        holder.append(node)
    elif isinstance(holder, _DICT_LIKE):
        if as_key and _is_hashable(node):
            holder[node] = name
        else:
            holder[name] = node
    else:
        setattr(holder, name, node)


@st.composite
def object_graphs(draw: Any, failures: bool = False) -> Any:
    """A tree from :func:`trees` plus up to four extra references (shared nodes and cycles)
    and, with ``failures``, sometimes an object that cannot be copied."""
    root = draw(trees())
    nodes = list(reachable(root).values())
    holders = [node for node in nodes if _can_hold(node)]
    if holders:
        # Nodes are picked by index: Hypothesis shows the strategies of a failing example,
        # and a sampled_from(nodes) would show the repr of every node, cycles included.
        def pick(candidates: list[Any]) -> Any:
            return candidates[draw(st.integers(0, len(candidates) - 1))]

        for number in range(draw(st.integers(0, 4))):
            _link(pick(holders), pick(nodes), f"link{number}", as_key=draw(st.booleans()))
        # Drawn as a number, not through one_of, so that failing graphs stay a minority.
        if failures and draw(st.integers(0, 9)) == 7:
            _link(pick(holders), draw(uncopyable_leaves), "failing", as_key=False)
    return root


# ------------------------------------------------------------------ describing what was generated


def _children(node: Any) -> list[Any]:
    if isinstance(node, (set, frozenset)):
        return list(node)
    return [child for _, child in edges(node)]


def is_structure(node: Any) -> bool:
    return isinstance(node, (list, dict, set, collections.deque, bytearray)) or bool(edges(node))


def graph_traits(root: Any) -> dict[str, Any]:
    """What a generated graph contains: its types, and whether it shares or cycles."""
    nodes = reachable(root)
    incoming: dict[int, int] = collections.Counter()
    for node in nodes.values():
        for child in _children(node):
            incoming[id(child)] += 1
    shared = any(incoming[key] > 1 and is_structure(node) for key, node in nodes.items())
    return {
        "kinds": {type(node).__qualname__ for node in nodes.values()},
        "shared": shared,
        "cyclic": _has_cycle(root),
    }


def _has_cycle(root: Any) -> bool:
    on_path: set[int] = set()
    done: set[int] = set()
    stack: list[tuple[Any, Iterator[Any]]] = [(root, iter(_children(root)))]
    on_path.add(id(root))
    while stack:
        node, pending = stack[-1]
        child = next(pending, _END)
        if child is _END:
            stack.pop()
            on_path.discard(id(node))
            done.add(id(node))
        elif id(child) in on_path:
            return True
        elif id(child) not in done:
            on_path.add(id(child))
            stack.append((child, iter(_children(child))))
    return False


_END = object()
