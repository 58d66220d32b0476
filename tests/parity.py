"""Run the stdlib ``copy`` module and copium side by side and compare what they produce.

Equal values are not enough for parity: a copy must share structure exactly like the stdlib's
copy does. For every position reachable in the result this module checks that

* the type is the same,
* stdlib and copium agree on whether the object there is one of the input's own objects
  (kept as-is, like atoms, functions or a ``__deepcopy__`` returning ``self``) or a new one,
* the aliasing is the same: two positions hold one object in the stdlib result exactly
  when they hold one object in copium's result (this also covers cycles),
* leaves (objects with no references to follow) are equal.

The comparison follows list/tuple items, dict and frozendict keys and values, deque items, bound-method
parts, ``__dict__`` and ``__slots__``. Sets are compared by value plus which members are the
input's own objects, because their iteration order depends on hashes.

``indifference`` (Python 3.10+) is used on top of this where it is installed.
"""

from __future__ import annotations

import collections
import copy as stdlib_copy
import reprlib
import types
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Callable, Optional

from stdlib_semantics import FROZENDICT

import copium

try:
    import indifference
except ImportError:  # Python 3.9: indifference needs 3.10+; the graph check below still runs.
    indifference = None


@dataclass
class Outcome:
    """What one call did: returned ``value`` or raised ``error``."""

    value: Any = None
    error: Optional[BaseException] = None

    @property
    def raised(self) -> bool:
        return self.error is not None

    def describe(self) -> str:
        if self.raised:
            return f"raised {type(self.error).__name__}: {self.error}"
        return f"returned {_short_repr(self.value)}"


def outcome_of(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Outcome:
    try:
        return Outcome(value=function(*args, **kwargs))
    except Exception as error:  # noqa: BLE001 - the exception is the observation
        return Outcome(error=error)


# ------------------------------------------------------------------------------------------
# Walking an object graph
# ------------------------------------------------------------------------------------------

_MISSING = object()


_BOUNDED_REPR = reprlib.Repr()
_BOUNDED_REPR.maxlevel = 3
_BOUNDED_REPR.maxstring = _BOUNDED_REPR.maxother = 80


def _short_repr(obj: Any, limit: int = 100) -> str:
    # reprlib bounds nested containers, whose full repr can be exponential when they alias.
    try:
        text = _BOUNDED_REPR.repr(obj)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the real failure
        text = f"<{type(obj).__qualname__} with failing repr>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _slot_names(cls: type) -> Iterator[str]:
    for klass in cls.__mro__:
        slots = klass.__dict__.get("__slots__", ())
        if isinstance(slots, str):
            slots = (slots,)
        for name in slots:
            if name in ("__dict__", "__weakref__"):
                continue
            if name.startswith("__") and not name.endswith("__"):
                name = f"_{klass.__name__.lstrip('_')}{name}"  # private slots are name-mangled
            yield name


def _instance_dict(obj: Any) -> Optional[dict]:
    if isinstance(obj, (type, types.ModuleType)):
        return None  # class and module namespaces are never copied, only shared
    try:
        namespace = object.__getattribute__(obj, "__dict__")
    except (AttributeError, TypeError):
        return None
    return namespace if isinstance(namespace, dict) else None


def edges(obj: Any) -> list[tuple[str, Any]]:
    """The labelled references out of ``obj`` that a deep copy is expected to reproduce."""
    out: list[tuple[str, Any]] = []
    if isinstance(obj, (list, tuple, collections.deque)):
        out.extend((f"[{index}]", item) for index, item in enumerate(obj))
    elif isinstance(obj, dict) or (FROZENDICT is not None and isinstance(obj, FROZENDICT)):
        for index, (key, value) in enumerate(obj.items()):
            out.append((f"<key #{index}>", key))
            out.append((f"<value #{index}>", value))
    elif isinstance(obj, types.MethodType):
        out.append((".__func__", obj.__func__))
        out.append((".__self__", obj.__self__))
    elif isinstance(obj, weakref.ref):
        # A weak reference is compared through what it refers to: two copies may each hold a
        # new weakref to their own copy of an object (pandas' flags do), which is the same graph.
        referent = obj()
        if referent is not None:
            out.append(("()", referent))
    if isinstance(obj, collections.defaultdict):
        out.append((".default_factory", obj.default_factory))
    namespace = _instance_dict(obj)
    if namespace is not None:
        out.extend((f".{name}", namespace[name]) for name in sorted(namespace, key=str))
    for name in sorted(set(_slot_names(type(obj)))):
        value = getattr(obj, name, _MISSING)
        if value is not _MISSING:
            out.append((f".{name}", value))
    return out


def reachable(root: Any) -> dict[int, Any]:
    """Every object reachable from ``root`` through :func:`edges`, keyed by id."""
    seen: dict[int, Any] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = node
        if not isinstance(node, (set, frozenset)):
            stack.extend(child for _, child in edges(node))
        else:
            stack.extend(node)
    return seen


def twin_map(original: Any, twin: Any) -> dict[int, Any]:
    """Map each object reachable from ``original`` to the object at the same place in ``twin``.

    Twins are two inputs built by the same code, so stdlib and copium can each be given their
    own when a call has side effects on its input (hooks that count calls or mutate state).
    """
    mapping: dict[int, Any] = {}
    stack: list[tuple[str, Any, Any]] = [("x", original, twin)]
    while stack:
        path, left, right = stack.pop()
        if id(left) in mapping:
            continue
        mapping[id(left)] = right
        if type(left) is not type(right):
            raise AssertionError(f"twin inputs differ at {path}: {left!r} vs {right!r}")
        if isinstance(left, (set, frozenset)):
            # Members have no position: pair each with the identical or else an equal member.
            unpaired = list(right)
            for member in left:
                index = next((i for i, m in enumerate(unpaired) if m is member), None)
                if index is None:
                    index = next(
                        (i for i, m in enumerate(unpaired) if _values_equal(m, member)), None
                    )
                if index is None:
                    raise AssertionError(f"twin inputs differ at {path}: no twin for {member!r}")
                stack.append((f"{path}{{{member!r}}}", member, unpaired.pop(index)))
            continue
        left_edges, right_edges = edges(left), edges(right)
        if [label for label, _ in left_edges] != [label for label, _ in right_edges]:
            raise AssertionError(f"twin inputs differ in shape at {path}")
        for (label, left_child), (_, right_child) in zip(left_edges, right_edges):
            stack.append((path + label, left_child, right_child))
    return mapping


# ------------------------------------------------------------------------------------------
# Comparing two results
# ------------------------------------------------------------------------------------------


# Builtin value types whose subclasses may also carry attributes: their own value is compared
# as well as the attributes.
_SCALAR_BASES = (int, float, complex, str, bytes, bytearray)


def _values_equal(left: Any, right: Any) -> bool:
    if left is right:
        return True
    if isinstance(left, float) and left != left and right != right:
        return True  # NaN: copies of NaN are still NaN
    if type(left).__eq__ is object.__eq__:
        return True  # identity-based equality says nothing about copies; structure already checked
    try:
        return bool(left == right)
    except Exception:  # noqa: BLE001 - e.g. array-likes whose == is not a bool
        return repr(left) == repr(right)


class GraphMismatch(AssertionError):
    pass


class _GraphComparison:
    def __init__(self, original: Any, twin: Any) -> None:
        self.originals_ref = reachable(original)
        if twin is original:
            self.twin_of = dict(self.originals_ref)
            self.originals_cand = self.originals_ref
        else:
            self.twin_of = twin_map(original, twin)
            self.originals_cand = reachable(twin)
        self.original_of_twin = {
            id(twin_node): self.originals_ref[ref_id] for ref_id, twin_node in self.twin_of.items()
        }
        self.ref_to_cand: dict[int, Any] = {}
        self.cand_to_ref: dict[int, Any] = {}
        # Holding every visited node keeps ids unique for the whole walk.
        self.visited: list[Any] = []

    def fail(self, path: str, why: str, ref: Any, cand: Any) -> None:
        raise GraphMismatch(
            f"copium differs from stdlib at {path}: {why}\n"
            f"  stdlib: {type(ref).__qualname__} {_short_repr(ref)}\n"
            f"  copium: {type(cand).__qualname__} {_short_repr(cand)}"
        )

    def compare(self, reference: Any, candidate: Any, root: str = "result") -> None:
        stack: list[tuple[str, Any, Any]] = [(root, reference, candidate)]
        while stack:
            path, ref, cand = stack.pop()
            if self._already_paired(path, ref, cand):
                continue
            self.visited.append((ref, cand))
            self.ref_to_cand[id(ref)] = cand
            self.cand_to_ref[id(cand)] = ref
            if id(ref) in self.originals_ref:
                expected = self.twin_of.get(id(ref), _MISSING)
                if cand is not expected:
                    self.fail(
                        path, "stdlib kept the input's own object here, copium did not", ref, cand
                    )
                continue  # the same input object on both sides: nothing more to compare
            if id(cand) in self.originals_cand:
                self.fail(
                    path,
                    "copium kept the input's own object here, stdlib made a new one",
                    ref,
                    cand,
                )
            if type(ref) is not type(cand):
                self.fail(path, "different types", ref, cand)
            if isinstance(ref, (set, frozenset)):
                self._compare_sets(path, ref, cand)
                continue
            ref_edges, cand_edges = edges(ref), edges(cand)
            ref_labels = [label for label, _ in ref_edges]
            cand_labels = [label for label, _ in cand_edges]
            if ref_labels != cand_labels:
                self.fail(path, f"different contents {ref_labels} vs {cand_labels}", ref, cand)
            if (not ref_edges or isinstance(ref, _SCALAR_BASES)) and not _values_equal(ref, cand):
                self.fail(path, "different values", ref, cand)
            for (label, ref_child), (_, cand_child) in zip(
                reversed(ref_edges), reversed(cand_edges)
            ):
                stack.append((path + label, ref_child, cand_child))

    def _already_paired(self, path: str, ref: Any, cand: Any) -> bool:
        paired_cand = self.ref_to_cand.get(id(ref), _MISSING)
        paired_ref = self.cand_to_ref.get(id(cand), _MISSING)
        if paired_cand is _MISSING and paired_ref is _MISSING:
            return False
        if paired_cand is not cand or paired_ref is not ref:
            self.fail(
                path,
                "aliasing differs (one side shares an object here, the other does not)",
                ref,
                cand,
            )
        return True

    def _compare_sets(self, path: str, ref: Any, cand: Any) -> None:
        ref_kept = {id(member) for member in ref if id(member) in self.originals_ref}
        cand_kept = {
            id(self.original_of_twin.get(id(member), member))
            for member in cand
            if id(member) in self.originals_cand
        }
        if ref_kept != cand_kept:
            self.fail(path, "members kept from the input differ", ref, cand)
        if len(ref) != len(cand) or not _values_equal(ref, cand):
            self.fail(path, "different members", ref, cand)


def assert_same_graph(
    original: Any, reference: Any, candidate: Any, *, twin: Any = _MISSING
) -> dict[int, Any]:
    """Assert ``candidate`` relates to its input exactly as ``reference`` relates to ``original``.

    ``twin`` is the input copium was given when it is not ``original`` itself. Returns the
    mapping from id of each stdlib result node to the matching copium node.
    """
    comparison = _GraphComparison(original, original if twin is _MISSING else twin)
    comparison.compare(reference, candidate)
    return comparison.ref_to_cand


def assert_same_outcome(
    original: Any, reference: Outcome, candidate: Outcome, *, twin: Any = _MISSING
) -> None:
    """Same exception type, or results with the same graph (see :func:`assert_same_graph`)."""
    if reference.raised or candidate.raised:
        assert type(candidate.error) is type(reference.error), (
            f"stdlib {reference.describe()}\ncopium {candidate.describe()}"
        )
        return
    assert_same_graph(original, reference.value, candidate.value, twin=twin)
    if indifference is not None and twin is _MISSING:
        indifference.assert_equivalent_transformations(original, reference.value, candidate.value)


# ------------------------------------------------------------------------------------------
# The common parity checks
# ------------------------------------------------------------------------------------------


def assert_deepcopy_parity(obj: Any) -> Outcome:
    """``copium.deepcopy(obj)`` does what ``copy.deepcopy(obj)`` does. Returns copium's outcome."""
    reference = outcome_of(stdlib_copy.deepcopy, obj)
    candidate = outcome_of(copium.deepcopy, obj)
    assert_same_outcome(obj, reference, candidate)
    return candidate


def assert_copy_parity(obj: Any) -> Outcome:
    """``copium.copy(obj)`` does what ``copy.copy(obj)`` does. Returns copium's outcome."""
    reference = outcome_of(stdlib_copy.copy, obj)
    candidate = outcome_of(copium.copy, obj)
    assert_same_outcome(obj, reference, candidate)
    return candidate


def assert_twin_parity(
    make: Callable[[], Any], call: Callable[[Any, Any], Any]
) -> tuple[Outcome, Outcome]:
    """Give stdlib and copium each a fresh input from ``make`` and compare the outcomes.

    ``call(copy_module, x)`` runs the operation under test with ``copy_module`` being either
    the stdlib ``copy`` module or ``copium``. Use this when the operation has side effects.
    """
    original, twin = make(), make()
    reference = outcome_of(call, stdlib_copy, original)
    candidate = outcome_of(call, copium, twin)
    assert_same_outcome(original, reference, candidate, twin=twin)
    return reference, candidate
