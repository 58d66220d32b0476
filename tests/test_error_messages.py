"""copium fails with the running interpreter's exception type *and message*.

For every malformed reduce value, non-callable constructor or hook, arguments that are not
a tuple, bad state, listitems or dictitems, ``copium.deepcopy`` and ``copium.copy`` must
raise what ``copy.deepcopy`` and ``copy.copy`` raise for the same object on this Python.
Many of those messages come from Python itself (``_reconstruct() missing 1 required
positional argument: 'args'``, ``X() argument after * must be an iterable, not int``,
``too many values to unpack``) and change between versions; the expected value is always
what the stdlib does right now, never a stored text.
"""

from __future__ import annotations

import copy as stdlib_copy
import copyreg
import inspect
from typing import Any, Callable

import pytest

import copium
from copium import _reconstruct_steps


class Rebuilt:
    """What the reduce values below construct."""


def _rebuild(*args: Any) -> Rebuilt:
    return Rebuilt()


def _kwonly(*, a: Any) -> Rebuilt:
    return Rebuilt()


class WithSetState(Rebuilt):
    def __setstate__(self) -> None:  # takes no state: calling it fails
        pass


class Slotted:
    __slots__ = ("a", "b", "__dict__")


class SlotsOnly:
    __slots__ = ("a",)


class Appendable(list):  # type: ignore[type-arg]
    pass


class Assignable(dict):  # type: ignore[type-arg]
    pass


class FailingIter:
    def __iter__(self) -> Any:
        raise RuntimeError("iteration refused")


class IterRaisesTypeError:
    def __iter__(self) -> Any:
        raise TypeError("iteration refused with a TypeError")


class Yields:
    """Iterable with the given items, but no sequence (unpacking cannot count it first)."""

    def __init__(self, *items: Any) -> None:
        self.items = items

    def __iter__(self) -> Any:
        return iter(self.items)


class SizedOnly:
    def __len__(self) -> int:
        return 1


class IteratesDifferently(tuple):  # type: ignore[type-arg]
    """A tuple subclass whose own iteration stdlib's ``*rv`` uses."""

    def __iter__(self) -> Any:
        return iter((Rebuilt,))


class ItemsOf:
    """A slot state whose ``items()`` returns the given items."""

    def __init__(self, *items: Any) -> None:
        self._items = list(items)

    def items(self) -> list[Any]:
        return self._items


# Each maker returns a fresh reduce value: iterators are used up by the first call.
REDUCE_VALUES: dict[str, Callable[[], Any]] = {
    # the reduce value itself
    "none": lambda: None,
    "int": lambda: 5,
    "float": lambda: 1.5,
    "empty-tuple": lambda: (),
    "1-item": lambda: (Rebuilt,),
    "6-items": lambda: (Rebuilt, (1,), None, None, None, None),
    "6-items-the-6th-not-callable": lambda: (_rebuild, (1,), None, None, None, "not callable"),
    "7-items": lambda: (Rebuilt, (), None, None, None, None, None),
    "8-items": lambda: (Rebuilt, (), None, None, None, None, None, None),
    "list-of-1": lambda: [Rebuilt],
    "list-of-7": lambda: [Rebuilt, (), None, None, None, None, None],
    "dict-of-1": lambda: {"only": 1},
    "set-of-1": lambda: {Rebuilt},
    "iterator-of-1": lambda: iter([Rebuilt]),
    "generator-of-2": lambda: (item for item in (Rebuilt, (1,))),
    "iteration-fails": FailingIter,
    "iteration-raises-typeerror": IterRaisesTypeError,
    "tuple-subclass-iterating-differently": lambda: IteratesDifferently((Rebuilt, ())),
    # the callable
    "callable-is-an-int": lambda: (5, ()),
    "callable-is-none": lambda: (None, ()),
    "callable-is-a-str-with-args": lambda: ("f", (1,)),
    "callable-rejects-the-args": lambda: (Rebuilt, (1, 2)),
    "callable-is-keyword-only": lambda: (_kwonly, (1,)),
    # the arguments
    "args-none": lambda: (Rebuilt, None),
    "args-int": lambda: (Rebuilt, 5),
    "args-zero": lambda: (Rebuilt, 0),
    "args-float": lambda: (Rebuilt, 1.5),
    "args-sized-but-not-iterable": lambda: (_rebuild, SizedOnly()),
    "args-iteration-fails": lambda: (_rebuild, FailingIter()),
    "args-iteration-raises-typeerror": lambda: (_rebuild, IterRaisesTypeError()),
    "args-none-and-callable-an-int": lambda: (5, None),
    "args-int-and-callable-an-int": lambda: (5, 5),
    # the state
    "state-int-without-setstate": lambda: (Rebuilt, (), 5),
    "state-list-without-setstate": lambda: (Rebuilt, (), [1]),
    "state-str-without-setstate": lambda: (Rebuilt, (), "state"),
    "state-for-an-object-without-dict": lambda: (SlotsOnly, (), {"a": 1}),
    "state-pair-with-an-int-dict-part": lambda: (Rebuilt, (), (5, None)),
    "setstate-takes-no-state": lambda: (WithSetState, (), {"a": 1}),
    "slot-state-int": lambda: (Slotted, (), (None, 5)),
    "slot-state-list": lambda: (Slotted, (), (None, [1])),
    "slot-state-items-not-pairs": lambda: (Slotted, (), (None, ItemsOf(1))),
    "slot-state-items-of-3": lambda: (Slotted, (), (None, ItemsOf((1, 2, 3)))),
    "slot-state-items-of-1": lambda: (Slotted, (), (None, ItemsOf(("a",)))),
    "slot-state-key-not-a-str": lambda: (Slotted, (), (None, {1: 2})),
    "slot-state-unknown-slot": lambda: (SlotsOnly, (), (None, {"zz": 2})),
    # listitems
    "listitems-without-append": lambda: (Rebuilt, (), None, iter([1])),
    "listitems-not-iterable": lambda: (Appendable, (), None, 5),
    "listitems-iteration-fails": lambda: (Appendable, (), None, FailingIter()),
    # dictitems
    "dictitems-not-iterable": lambda: (Assignable, (), None, None, 5),
    "dictitems-ints": lambda: (Assignable, (), None, None, iter([1, 2])),
    "dictitems-tuple-of-1": lambda: (Assignable, (), None, None, [(1,)]),
    "dictitems-tuple-of-3": lambda: (Assignable, (), None, None, [(1, 2, 3)]),
    "dictitems-list-of-3": lambda: (Assignable, (), None, None, [[1, 2, 3]]),
    "dictitems-iterable-of-1": lambda: (Assignable, (), None, None, [Yields(1)]),
    "dictitems-iterable-of-3": lambda: (Assignable, (), None, None, [Yields(1, 2, 3)]),
    "dictitems-str-of-3": lambda: (Assignable, (), None, None, ["abc"]),
    "dictitems-unhashable-key": lambda: (Assignable, (), None, None, [([1], 2)]),
    "dictitems-without-setitem": lambda: (Rebuilt, (), None, None, [(1, 2)]),
}


class ReducesTo:
    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make

    def __reduce_ex__(self, protocol: int) -> Any:
        return self.make()


def outcome(operation: Callable[[Any], Any], obj: Any) -> tuple[type, str] | str:
    try:
        operation(obj)
    except Exception as error:  # noqa: BLE001 - the exception is the observation
        return type(error), str(error)
    return "no error"


def assert_same_failure(make_input: Callable[[], Any], operation: str) -> None:
    expected = outcome(getattr(stdlib_copy, operation), make_input())
    assert outcome(getattr(copium, operation), make_input()) == expected


@pytest.mark.parametrize("make", list(REDUCE_VALUES.values()), ids=list(REDUCE_VALUES))
@pytest.mark.parametrize("operation", ["deepcopy", "copy"])
def test_a_bad_reduce_value_fails_with_stdlibs_type_and_message(
    make: Callable[[], Any], operation: str
) -> None:
    assert_same_failure(lambda: ReducesTo(make), operation)


def test_every_reduce_case_fails_in_the_stdlib_at_least_one_way() -> None:
    # Guards the table: a case stdlib accepts both ways would test nothing here.
    for name, make in REDUCE_VALUES.items():
        outcomes = {outcome(op, ReducesTo(make)) for op in (stdlib_copy.deepcopy, stdlib_copy.copy)}
        assert outcomes != {"no error"}, name


class DeepcopyHookIsAnInt:
    __deepcopy__ = 5


class CopyHookIsAnInt:
    __copy__ = 5


class ReduceExIsAnInt:
    __reduce_ex__ = 5


class ReduceIsAnInt:
    __reduce_ex__ = None
    __reduce__ = 5


class NoWayToReduce:
    __reduce_ex__ = None
    __reduce__ = None


class ReduceExRaisesTypeError:
    def __reduce_ex__(self, protocol: int) -> Any:
        raise TypeError("cannot pickle 'ReduceExRaisesTypeError' object")


class Registered:
    pass


HOOKS: dict[str, Callable[[], Any]] = {
    "__deepcopy__-not-callable": DeepcopyHookIsAnInt,
    "__copy__-not-callable": CopyHookIsAnInt,
    "__reduce_ex__-not-callable": ReduceExIsAnInt,
    "__reduce__-not-callable": ReduceIsAnInt,
    "no-reduce-at-all": NoWayToReduce,
    "__reduce_ex__-raises": ReduceExRaisesTypeError,
    "copyreg-reducer-not-callable": Registered,
}


@pytest.fixture
def non_callable_copyreg_reducer() -> Any:
    copyreg.dispatch_table[Registered] = 5  # type: ignore[assignment]
    yield
    del copyreg.dispatch_table[Registered]


@pytest.mark.usefixtures("non_callable_copyreg_reducer")
@pytest.mark.parametrize("make", list(HOOKS.values()), ids=list(HOOKS))
@pytest.mark.parametrize("operation", ["deepcopy", "copy"])
def test_a_bad_copy_hook_fails_with_stdlibs_type_and_message(
    make: Callable[[], Any], operation: str
) -> None:
    assert_same_failure(make, operation)


# ---------------------------------------------------------------------- how copium gets the wording


def _positional_deepcopy(  # type: ignore[no-untyped-def]
    x, memo, func, args, state=None, listiter=None, dictiter=None, deepcopy=None
):
    pass


def _keyword_deepcopy(  # type: ignore[no-untyped-def]
    x, memo, func, args, state=None, listiter=None, dictiter=None, *, deepcopy=None
):
    pass


def _positional_only(x, memo, /, func, args, state=None, *, deepcopy):  # type: ignore[no-untyped-def]
    pass


def parameters(function: Any) -> list[tuple[str, Any, bool]]:
    return [
        (p.name, p.kind, p.default is not inspect.Parameter.empty)
        for p in inspect.signature(function).parameters.values()
    ]


def test_the_parameter_twin_of_this_pythons_reconstruct_has_its_parameters() -> None:
    reconstruct = stdlib_copy._reconstruct  # type: ignore[attr-defined]
    twin = _reconstruct_steps._parameter_twin(reconstruct)
    assert twin.__name__ == reconstruct.__name__
    assert parameters(twin) == parameters(reconstruct)


@pytest.mark.parametrize(
    "function",
    [_positional_deepcopy, _keyword_deepcopy, _positional_only],
    ids=["like-3.9", "like-3.10-on", "positional-only"],
)
def test_the_parameter_twin_binds_arguments_like_the_function_it_copies(function: Any) -> None:
    # copium binds unusual reduce values against a twin of stdlib's _reconstruct: it must
    # accept and refuse exactly the calls the original does, in the same words.
    twin = _reconstruct_steps._parameter_twin(function)
    assert parameters(twin) == parameters(function)
    for count in range(10):
        outcomes = []
        for candidate in (function, twin):
            try:
                candidate(*[None] * count)
                outcomes.append("accepted")
            except TypeError as error:
                # The originals are module-level here, the twin too: only names differ.
                outcomes.append(str(error).replace(function.__name__, "f"))
        assert outcomes[0] == outcomes[1], count
