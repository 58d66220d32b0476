"""Hostile cases: copy protocols used wrongly.

``__reduce_ex__`` returning values of the wrong type or length, non-callables and
arguments the callable rejects; broken ``__deepcopy__``, ``__setstate__``,
``__getstate__``, ``__getattr__`` and ``__class__``; builtin subclasses whose overridden
methods lie or fail; keys whose ``__hash__`` or ``__eq__`` fail once copied. Each is
compared with the stdlib: same exception type, or the same copy.
"""

from __future__ import annotations

import copyreg
import sys
from typing import Any, Callable

from hostile_cases import case, shallow_call
from sample_types import DictSub, ListSub, Plain, StrSub

# ------------------------------------------------------------------ __reduce_ex__ return values


class Rebuilt:
    """What the reduce values rebuild: takes any arguments, list items and dict items."""

    def __init__(self, *args: Any) -> None:
        self.args = list(args)
        self.mapping: dict[Any, Any] = {}

    def append(self, item: Any) -> None:
        self.args.append(item)

    def __setitem__(self, key: Any, value: Any) -> None:
        self.mapping[key] = value


class StrictRebuilt:
    def __init__(self, only: Any) -> None:
        self.only = only


class KeywordRebuilt:
    def __new__(cls, *args: Any, **kwargs: Any) -> KeywordRebuilt:
        self = super().__new__(cls)
        self.args, self.kwargs = list(args), dict(kwargs)
        return self


def _returns_none() -> None:
    return None


def _returns_int() -> int:
    return 12345


class Reduces:
    """An object whose ``__reduce_ex__`` returns ``reduce_value(self)``."""

    def __init__(self, reduce_value: Callable[[Any], Any]) -> None:
        self.reduce_value = reduce_value
        self.payload = [["payload"]]

    def __reduce_ex__(self, protocol: int) -> Any:
        return self.reduce_value(self)


REDUCE_VALUES: dict[str, Callable[[Any], Any]] = {
    "an int": lambda self: 42,
    "None": lambda self: None,
    "an empty tuple": lambda self: (),
    "a 1-tuple": lambda self: (Rebuilt,),
    "a 7-tuple": lambda self: (Rebuilt, (), None, None, None, None, None),
    "a list instead of a tuple": lambda self: [Rebuilt, (1, [2])],
    "a generator instead of a tuple": lambda self: (part for part in (Rebuilt, ([1],))),
    "an int as the callable": lambda self: (5, ()),
    "None as the callable": lambda self: (None, ()),
    "None as the arguments": lambda self: (Rebuilt, None),
    "an int as the arguments": lambda self: (Rebuilt, 5),
    "a list as the arguments": lambda self: (Rebuilt, [[1], 2]),
    "a string as the arguments": lambda self: (Rebuilt, "ab"),
    "a dict as the arguments": lambda self: (Rebuilt, {"key": [1]}),
    "a generator as the arguments": lambda self: (Rebuilt, (item for item in [[1]])),
    "arguments the callable rejects": lambda self: (StrictRebuilt, (1, 2, 3)),
    "arguments that refer back to the object": lambda self: (Rebuilt, (self,)),
    "a list as the state (no __setstate__)": lambda self: (Rebuilt, (), [1, 2]),
    "a list of pairs as the state": lambda self: (Rebuilt, (), [("a", [1])]),
    "a 3-tuple as the state": lambda self: (Rebuilt, (), (1, 2, 3)),
    "a slot state that is not a dict": lambda self: (Rebuilt, (), (None, [1])),
    "a slot state with a non-str name": lambda self: (Rebuilt, (), (None, {1: 2})),
    "a state dict with a non-str key": lambda self: (Rebuilt, (), {1: [2]}),
    "a state that refers back to the object": lambda self: (Rebuilt, (), {"me": self}),
    "an int as the list items": lambda self: (Rebuilt, (), None, 5),
    "a list (not an iterator) as the list items": lambda self: (Rebuilt, (), None, [[1], [2]]),
    "list items for an object without append": lambda self: (Plain, (), None, iter([[1]])),
    "list items that include the object": lambda self: (Rebuilt, (), None, iter([self])),
    "an int as the dict items": lambda self: (Rebuilt, (), None, None, 5),
    "dict items that are not pairs": lambda self: (Rebuilt, (), None, None, iter([1])),
    "dict items that are triples": lambda self: (Rebuilt, (), None, None, iter([(1, 2, 3)])),
    "dict items with an unhashable key": lambda self: (dict, (), None, None, iter([([1], 2)])),
    "a callable returning None": lambda self: (_returns_none, ()),
    "a callable returning None, and a state": lambda self: (_returns_none, (), {"a": 1}),
    "a callable returning an int, and a state": lambda self: (_returns_int, (), {"a": 1}),
    "a callable returning the original, and a state": lambda self: (
        (lambda: self),
        (),
        {"changed": [1]},
    ),
    "a name (a string)": lambda self: "no_such_global",
    "a str subclass": lambda self: StrSub("no_such_global"),
    "copyreg.__newobj__ with a non-type": lambda self: (copyreg.__newobj__, (5,)),
    "copyreg.__newobj__ with another class": lambda self: (
        copyreg.__newobj__,
        (Plain,),
        {"payload": [1]},
    ),
    "copyreg.__newobj_ex__ with non-dict kwargs": lambda self: (
        copyreg.__newobj_ex__,
        (KeywordRebuilt, (), [1]),
    ),
    "copyreg.__newobj_ex__ with kwargs": lambda self: (
        copyreg.__newobj_ex__,
        (KeywordRebuilt, ([1],), {"k": [2]}),
    ),
}


def _register_reduce_case(description: str, reduce_value: Callable[[Any], Any]) -> None:
    def make(module: Any) -> list[Any]:
        return [["before"], Reduces(reduce_value), ["after"]]

    case(f"__reduce_ex__ returns {description}")(make)
    case(f"__reduce_ex__ returns {description} (shallow copy)", call=shallow_call)(
        lambda module: Reduces(reduce_value)
    )


for _description, _reduce_value in REDUCE_VALUES.items():
    _register_reduce_case(_description, _reduce_value)


_CLASSES: dict[str, type] = {}


def _fresh_class(base: type, **namespace: Any) -> type:
    """A subclass of ``base`` with ``namespace``, made once per place that asks for it:
    twin inputs must be of one class, and copyreg registrations must not pile up."""
    caller = sys._getframe(1)
    key = f"{caller.f_code.co_name}:{caller.f_lineno}"
    if key not in _CLASSES:
        _CLASSES[key] = type(base.__name__, (base,), namespace)
    return _CLASSES[key]


@case("copyreg.dispatch_table reducer returns an int")
def dispatch_table_reducer_returns_int(module: Any) -> list[Any]:
    cls = _fresh_class(Plain)
    copyreg.pickle(cls, lambda obj: 42)
    return [cls([1])]


@case("copyreg.dispatch_table reducer returns a 1-tuple")
def dispatch_table_reducer_returns_short_tuple(module: Any) -> list[Any]:
    cls = _fresh_class(Plain)
    copyreg.pickle(cls, lambda obj: (Rebuilt,))
    return [cls([1])]


@case("__reduce_ex__ is not callable")
def reduce_ex_not_callable(module: Any) -> Any:
    return _fresh_class(Plain, __reduce_ex__=5)([1])


@case("__reduce_ex__ takes no protocol argument")
def reduce_ex_without_protocol(module: Any) -> Any:
    return _fresh_class(Plain, __reduce_ex__=lambda self: (Rebuilt, ()))([1])


@case("__reduce_ex__ is None and __reduce__ works")
def reduce_ex_none(module: Any) -> Any:
    return _fresh_class(Plain, __reduce_ex__=None, __reduce__=lambda self: (Rebuilt, ([1],)))([1])


@case("__getnewargs_ex__ returns a list")
def getnewargs_ex_list(module: Any) -> Any:
    return _fresh_class(Plain, __getnewargs_ex__=lambda self: [(), {}])([1])


@case("__getnewargs__ returns a non-tuple")
def getnewargs_not_tuple(module: Any) -> Any:
    return _fresh_class(Plain, __getnewargs__=lambda self: [1])([1])


# ------------------------------------------------------------------ __deepcopy__, __copy__


@case("__deepcopy__ is not callable")
def deepcopy_not_callable(module: Any) -> Any:
    return [_fresh_class(Plain, __deepcopy__=5)([1])]


@case("__deepcopy__ = None means there is no hook")
def deepcopy_none(module: Any) -> Any:
    return [_fresh_class(Plain, __deepcopy__=None)([1])]


@case("__deepcopy__ takes no memo argument")
def deepcopy_without_memo(module: Any) -> Any:
    return [_fresh_class(Plain, __deepcopy__=lambda self: Plain("copied"))([1])]


@case("__deepcopy__ is a staticmethod")
def deepcopy_staticmethod(module: Any) -> Any:
    return [_fresh_class(Plain, __deepcopy__=staticmethod(lambda memo: ["static"]))([1])]


@case("__deepcopy__ is a classmethod")
def deepcopy_classmethod(module: Any) -> Any:
    return [
        _fresh_class(Plain, __deepcopy__=classmethod(lambda cls, memo: cls("from classmethod")))(
            [1]
        )
    ]


@case("__deepcopy__ returns None")
def deepcopy_returns_none(module: Any) -> Any:
    hooked = _fresh_class(Plain, __deepcopy__=lambda self, memo: None)([1])
    return [hooked, hooked]


@case("__deepcopy__ returns an object of another type")
def deepcopy_returns_other_type(module: Any) -> Any:
    hooked = _fresh_class(Plain, __deepcopy__=lambda self, memo: {"not": "a Plain"})([1])
    return [hooked, [hooked]]


@case("__deepcopy__ returns the container being copied")
def deepcopy_returns_parent(module: Any) -> Any:
    parent: list[Any] = [["first"]]
    hooked = _fresh_class(Plain, __deepcopy__=lambda self, memo: self.payload)(parent)
    parent.append(hooked)
    return parent


@case("__copy__ raises", call=shallow_call)
def copy_raises(module: Any) -> Any:
    return _fresh_class(Plain, __copy__=lambda self: {}["missing"])([1])


@case("__copy__ = None means there is no hook", call=shallow_call)
def copy_none(module: Any) -> Any:
    return _fresh_class(Plain, __copy__=None)([1])


@case("__copy__ returns another type", call=shallow_call)
def copy_other_type(module: Any) -> Any:
    return _fresh_class(Plain, __copy__=lambda self: ("tuple", self))([1])


# ------------------------------------------------------------------ state hooks


@case("__setstate__ = None")
def setstate_none(module: Any) -> Any:
    return [_fresh_class(Plain, __setstate__=None)([1])]


@case("__setstate__ raises")
def setstate_raises(module: Any) -> Any:
    return [[1], _fresh_class(Plain, __setstate__=lambda self, state: [][1])([1])]


@case("__setstate__ changes the object's class")
def setstate_changes_class(module: Any) -> Any:
    def setstate(self: Any, state: Any) -> None:
        self.__class__ = Rebuilt
        self.__dict__.update(state)

    return [_fresh_class(Plain, __setstate__=setstate)([1])]


@case("__getstate__ returns the object itself")
def getstate_returns_self(module: Any) -> Any:
    return [_fresh_class(Plain, __getstate__=lambda self: self)([1])]


@case("__getstate__ returns False")
def getstate_returns_false(module: Any) -> Any:
    return [_fresh_class(Plain, __getstate__=lambda self: False)([1])]


@case("__getstate__ returns a list, without __setstate__")
def getstate_returns_list(module: Any) -> Any:
    return [_fresh_class(Plain, __getstate__=lambda self: [1, 2])([1])]


class Guarded:
    __slots__ = ("value",)

    def __setattr__(self, name: str, value: Any) -> None:
        raise PermissionError(name)


@case("__setattr__ raises while slot state is restored")
def setattr_raises_for_slots(module: Any) -> Any:
    guarded = Guarded()
    object.__setattr__(guarded, "value", [1])
    return [guarded]


@case("__dict__ is a property returning a list")
def dict_property(module: Any) -> Any:
    return [_fresh_class(Plain, __dict__=property(lambda self: [1]))()]


# ------------------------------------------------------------------ attribute lookup


@case("__getattr__ answers every name with an int")
def getattr_answers_int(module: Any) -> Any:
    return [_fresh_class(Plain, __getattr__=lambda self, name: 5)([1])]


@case("__getattr__ answers every name with a function")
def getattr_answers_function(module: Any) -> Any:
    return [_fresh_class(Plain, __getattr__=lambda self, name: lambda *args: ["from", name])([1])]


@case("__getattr__ raises ValueError instead of AttributeError")
def getattr_raises_value_error(module: Any) -> Any:
    def lookup(self: Any, name: str) -> Any:
        raise ValueError(name)

    return [_fresh_class(Plain, __getattr__=lookup)([1])]


@case("__getattribute__ raises AttributeError for every name")
def getattribute_refuses_everything(module: Any) -> Any:
    def lookup(self: Any, name: str) -> Any:
        raise AttributeError(name)

    return [_fresh_class(Plain, __getattribute__=lookup)()]


@case("__class__ is a property naming another class")
def class_property_lies(module: Any) -> Any:
    return [_fresh_class(Plain, __class__=property(lambda self: int))([1])]


class MetaWithDeepcopy(type):
    def __deepcopy__(cls, memo: Any) -> str:
        return "not a class"


class WithMeta(metaclass=MetaWithDeepcopy):
    pass


@case("a class whose metaclass defines __deepcopy__ is still copied as a class")
def metaclass_deepcopy(module: Any) -> Any:
    return [WithMeta, WithMeta()]


# ------------------------------------------------------------------ lying builtin subclasses


@case("dict subclass whose items() raises")
def dict_items_raise(module: Any) -> Any:
    return [_fresh_class(DictSub, items=lambda self: [][0])(a=[1])]


# What the lying methods below return instead of the real contents: always the same
# objects, so that the parity walker (which calls them too) sees one consistent graph.
OTHER_ITEMS = [["other item"]]
OTHER_PAIRS = [("other key", ["other value"])]


@case("dict subclass whose items() returns other pairs")
def dict_items_lie(module: Any) -> Any:
    return [_fresh_class(DictSub, items=lambda self: iter(OTHER_PAIRS))(a=[1])]


@case("list subclass whose __iter__ raises")
def list_iter_raises(module: Any) -> Any:
    return [_fresh_class(ListSub, __iter__=lambda self: iter([][0]))([[1]])]


@case("list subclass whose __iter__ yields other items")
def list_iter_lies(module: Any) -> Any:
    return [_fresh_class(ListSub, __iter__=lambda self: iter(OTHER_ITEMS))([[1]])]


@case("list subclass whose append ignores items")
def list_append_ignores(module: Any) -> Any:
    return [_fresh_class(ListSub, append=lambda self, item: None)([[1], [2]])]


# ------------------------------------------------------------------ keys whose copies misbehave


class FailsOnceArmed:
    """Hashes and compares fine until ``armed``; its copies are armed too (copied state)."""

    def __init__(self, failure: Callable[[], Any], hash_fails: bool) -> None:
        self.failure = failure
        self.hash_fails = hash_fails
        self.armed = False

    def __hash__(self) -> int:
        if self.armed and self.hash_fails:
            self.failure()
        return 7  # every instance collides, so inserting a second one calls __eq__

    def __eq__(self, other: Any) -> bool:
        if self.armed and not self.hash_fails:
            self.failure()
        return self is other


class AmbiguousOnceArmed(FailsOnceArmed):
    """Once armed, ``==`` returns an object that cannot be used as a bool."""

    __hash__ = FailsOnceArmed.__hash__

    def __eq__(self, other: Any) -> Any:
        return Ambiguous() if self.armed else self is other


class Ambiguous:
    def __bool__(self) -> bool:
        raise ArithmeticError("truth value is ambiguous")


def _armed(hash_fails: bool, cls: type = FailsOnceArmed) -> FailsOnceArmed:
    return cls(lambda: [][1], hash_fails)


def _arm(*keys: FailsOnceArmed) -> None:
    for key in keys:
        key.armed = True


@case("dict key whose copy fails to hash")
def dict_key_copy_hash_fails(module: Any) -> Any:
    key = _armed(hash_fails=True)
    mapping = {key: [1], "other": [2]}
    _arm(key)
    return mapping


@case("dict keys whose copies collide and fail to compare")
def dict_key_copy_eq_fails(module: Any) -> Any:
    first, second = _armed(hash_fails=False), _armed(hash_fails=False)
    mapping = {first: [1], second: [2]}
    _arm(first, second)
    return mapping


class HashTurnsToStr(Plain):
    def __hash__(self) -> Any:
        return 7 if "copied" not in self.__dict__ else "seven"


@case("dict key whose copy's __hash__ returns a str")
def dict_key_hash_not_int(module: Any) -> Any:
    key = HashTurnsToStr()
    mapping = {key: [1]}
    key.copied = True
    return mapping


@case("dict keys whose copies' __eq__ returns an object whose __bool__ raises")
def dict_key_eq_bool_raises(module: Any) -> Any:
    first, second = _armed(False, AmbiguousOnceArmed), _armed(False, AmbiguousOnceArmed)
    mapping = {first: 1, second: 2}
    _arm(first, second)
    return mapping


@case("set member whose copy fails to hash")
def set_member_copy_hash_fails(module: Any) -> Any:
    key = _armed(hash_fails=True)
    members = {key, "other"}
    _arm(key)
    return members


@case("frozenset members whose copies collide and fail to compare")
def frozenset_member_copy_eq_fails(module: Any) -> Any:
    first, second = _armed(hash_fails=False), _armed(hash_fails=False)
    members = frozenset([first, second])
    _arm(first, second)
    return [members]


# ------------------------------------------------------------------ the order of hooks


class Ticket:
    """Its copy records when it was made, so the order of copies shows in the result."""

    counter: list[int]

    def __init__(self, counter: list[int]) -> None:
        self.counter = counter

    def __deepcopy__(self, memo: Any) -> Stamped:
        self.counter[0] += 1
        return Stamped(self.counter[0])

    def __hash__(self) -> int:
        return id(self)


class Stamped:
    def __init__(self, order: int) -> None:
        self.order = order


@case("dict: each value is copied before its key, as in the stdlib")
def dict_value_before_key(module: Any) -> Any:
    counter = [0]
    return {Ticket(counter): Ticket(counter), Ticket(counter): [Ticket(counter)]}


@case("dict: a key and its value both fail; the value's error is the one raised")
def dict_value_error_wins(module: Any) -> Any:
    failing_key = _fresh_class(Plain, __deepcopy__=lambda self, memo: [][1])()
    failing_value = _fresh_class(Plain, __deepcopy__=lambda self, memo: {}["missing"])()
    return {failing_key: failing_value}
