"""Hostile cases: copying re-entered from inside a copy.

A ``__deepcopy__`` that starts a new top-level copy (with or without the memo, or with a
memo of its own), a nested copy that fails and is caught, finalizers (``__del__``) that
copy while a failed copy is being torn down or while a finished copy releases its
temporaries, the garbage collector walking every object, including copies still being
built, from inside a hook, and a hook that waits for another thread copying the same input.
"""

from __future__ import annotations

import gc
import threading
from typing import Any, Callable

from hostile_cases import CASES, Case, case
from parity import Outcome, assert_same_graph
from sample_types import Uncopyable

Copier = Callable[..., Any]


def _copier(module: Any) -> Copier:
    """``module.deepcopy`` wrapped in a Python function, so twins hold objects of one type."""
    return lambda x, *memo: module.deepcopy(x, *memo)


class Wrapped:
    def __init__(self, payload: Any) -> None:
        self.payload = payload


class Reenters:
    """``__deepcopy__`` runs ``self.how(self, memo)`` and wraps what it returns."""

    def __init__(self, how: Callable[[Any, Any], Any], payload: Any, copier: Copier) -> None:
        self.how, self.payload, self.copier = how, payload, copier

    def __deepcopy__(self, memo: Any) -> Wrapped:
        return Wrapped(self.how(self, memo))


def _reentrant(how: Callable[[Any, Any], Any]) -> Callable[[Any], Any]:
    def make(module: Any) -> Any:
        shared = ["shared"]
        return [shared, Reenters(how, [shared, {"k": shared}], _copier(module)), shared]

    return make


case("re-entry: a hook deep-copies its payload without the memo")(
    _reentrant(lambda self, memo: self.copier(self.payload))
)
case("re-entry: a hook deep-copies its payload with the memo")(
    _reentrant(lambda self, memo: self.copier(self.payload, memo))
)
case("re-entry: a hook deep-copies its payload with a new dict memo")(
    _reentrant(lambda self, memo: self.copier(self.payload, {}))
)
case("re-entry: a hook deep-copies itself with the memo (endless)")(
    _reentrant(lambda self, memo: self.copier(self, memo))
)
case("re-entry: a hook makes 300 top-level copies in a row")(
    _reentrant(lambda self, memo: [self.copier(self.payload) for _ in range(300)][-1])
)


def _copy_and_catch(self: Any, memo: Any) -> Any:
    try:
        return self.copier([self.payload, Uncopyable()], memo)
    except Exception as error:  # noqa: BLE001 - the hook recovers from any failure
        return f"recovered from {type(error).__name__}"


case("re-entry: a nested copy with the memo fails and the hook recovers")(
    _reentrant(_copy_and_catch)
)


def _copy_without_memo_and_catch(self: Any, memo: Any) -> Any:
    try:
        return self.copier([self.payload, Uncopyable()])
    except Exception as error:  # noqa: BLE001 - the hook recovers from any failure
        return f"recovered from {type(error).__name__}"


case("re-entry: a nested top-level copy fails and the hook recovers")(
    _reentrant(_copy_without_memo_and_catch)
)


def _copy_then_fail(self: Any, memo: Any) -> Any:
    self.copier(self.payload, memo)
    raise LookupError("after a nested copy")


case("re-entry: a hook fails after a nested copy with the memo")(_reentrant(_copy_then_fail))


@case("re-entry: 50 hooks, each starting a new top-level copy of the next")
def reentry_chain(module: Any) -> Any:
    copier = _copier(module)
    node: Any = ["end"]
    for _ in range(50):
        node = Reenters(lambda self, memo: self.copier(self.payload), node, copier)
    return node


@case("re-entry: a hook makes a shallow copy of the list being copied")
def reentry_shallow_copy_of_parent(module: Any) -> Any:
    parent: list[Any] = [["first"]]
    parent.append(Reenters(lambda self, memo: module.copy(self.payload), parent, _copier(module)))
    parent.append(["last"])
    return parent


# ------------------------------------------------------------------ finalizers that copy


# What finalizers copied, per implementation: each entry must be a correct copy.
FINALIZER_COPIES: dict[str, list[Any]] = {}
FINALIZER_INPUT = [1, [2, {"three": (3,)}]]


class CopiesWhenFreed:
    """Its copies (not the original) deep-copy FINALIZER_INPUT when they are freed, and
    ``record`` the result. Both are functions, which copying shares instead of copying."""

    def __init__(self, copier: Copier, record: Callable[[Any], None]) -> None:
        self.copier, self.record, self.is_copy = copier, record, False

    def __reduce__(self) -> Any:
        return (_rebuild_copy, (self.copier, self.record))

    def __del__(self) -> None:
        if self.is_copy:
            self.record(self.copier(FINALIZER_INPUT))


def _rebuild_copy(copier: Copier, record: Callable[[Any], None]) -> CopiesWhenFreed:
    clone = CopiesWhenFreed(copier, record)
    clone.is_copy = True
    return clone


def _finalizer_log(module: Any) -> Callable[[Any], None]:
    log: list[Any] = []
    FINALIZER_COPIES[module.__name__] = log
    return log.append


def _check_finalizer_copies(
    original: Any, reference: Outcome, twin: Any, candidate: Outcome
) -> None:
    gc.collect()
    log = FINALIZER_COPIES["copium"]
    assert log, "no finalizer ran"
    for copied in log:
        assert (
            copied == FINALIZER_INPUT
            and copied is not FINALIZER_INPUT
            and copied[1] is not FINALIZER_INPUT[1]
        )


def _register_finalizer_case(name: str, make: Callable[[Any], Any]) -> None:
    # Not reusable: the finalizers of every copy append to the input's log.
    CASES[name] = Case(
        name,
        make,
        lambda module, x: module.deepcopy(x),
        check=_check_finalizer_copies,
        reusable=False,
    )


def _partial_copies_freed_on_failure(module: Any) -> Any:
    copier, record = _copier(module), _finalizer_log(module)
    # The list copy holds two finished copies when the third item fails.
    return [CopiesWhenFreed(copier, record), [CopiesWhenFreed(copier, record)], Uncopyable()]


class HoldsTemporary:
    """Rebuilt from a fresh CopiesWhenFreed copy that only the memo keeps alive once it is
    copied: that temporary is freed when the call releases its memo."""

    def __init__(self, copier: Copier, record: Callable[[Any], None]) -> None:
        self.copier, self.record = copier, record

    def __reduce__(self) -> Any:
        return (Wrapped, (_rebuild_copy(self.copier, self.record),))


def _temporaries_freed_at_the_end(module: Any) -> Any:
    holder = HoldsTemporary(_copier(module), _finalizer_log(module))
    return [holder, [holder]]


_register_finalizer_case(
    "finalizer: freed partial copies of a failed copy start new copies",
    _partial_copies_freed_on_failure,
)
_register_finalizer_case(
    "finalizer: temporaries freed at the end of a copy start new copies",
    _temporaries_freed_at_the_end,
)


# ------------------------------------------------------------------ the garbage collector


def _touch_every_container() -> int:
    touched = 0
    for obj in gc.get_objects():
        if isinstance(obj, (list, tuple, dict, set, frozenset)):
            touched += len(obj)
            for item in obj:  # an object with a missing item would crash here
                touched += item is None
    return touched


@case("gc: a hook runs a full collection in the middle of a copy")
def gc_collect_in_hook(module: Any) -> Any:
    shared: list[Any] = ["shared"]
    cycle: list[Any] = [shared]
    cycle.append(cycle)
    return (
        shared,
        [Reenters(lambda self, memo: gc.collect() * 0, None, _copier(module))],
        cycle,
        (cycle, shared),
    )


@case(
    "gc: a hook iterates every object the collector tracks, copies being built included",
    leak_loop=False,
)
def gc_walk_in_hook(module: Any) -> Any:
    shared: list[Any] = ["shared"]
    inner = ([shared], {"k": (shared, [1])})
    hook = Reenters(lambda self, memo: _touch_every_container() * 0, None, _copier(module))
    return ((inner, hook, [inner]), {"t": (hook, inner)}, frozenset({(1, 2)}))


@case("gc: a hook walks what refers to the original list, copies included", leak_loop=False)
def gc_referrers_in_hook(module: Any) -> Any:
    target: list[Any] = ["target"]

    def walk(self: Any, memo: Any) -> int:
        for referrer in gc.get_referrers(target):
            if isinstance(referrer, (list, tuple, dict)):
                list(referrer)
        return 0

    return [target, (target, Reenters(walk, None, _copier(module))), {"again": target}]


# ------------------------------------------------------------------ another thread, same input


class WaitsForAnotherThread:
    """The first time it is copied, copies the whole input again in another thread and waits."""

    def __init__(self, copier: Copier) -> None:
        self.copier, self.root, self.fired = copier, None, False
        self.other_thread_result: list[Any] = []

    def __deepcopy__(self, memo: Any) -> Wrapped:
        if not self.fired:
            self.fired = True
            worker = threading.Thread(
                target=lambda: self.other_thread_result.append(self.copier(self.root))
            )
            worker.start()
            worker.join()
        return Wrapped("copied")


def _check_other_thread_copy(
    original: Any, reference: Outcome, twin: Any, candidate: Outcome
) -> None:
    [expected], [result] = original[1].other_thread_result, twin[1].other_thread_result
    assert_same_graph(original, expected, result, twin=twin)


def _copied_by_two_threads(module: Any) -> Any:
    hook = WaitsForAnotherThread(_copier(module))
    shared: list[Any] = ["shared"]
    root = [shared, hook, {"k": shared}]
    hook.root = root
    return root


CASES["threads: a hook waits for another thread copying the same input"] = Case(
    "threads: a hook waits for another thread copying the same input",
    _copied_by_two_threads,
    lambda module, x: module.deepcopy(x),
    check=_check_other_thread_copy,
)
