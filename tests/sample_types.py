"""Classes the property-based parity tests put into generated structures, one per way an
object can take part in copying.

Every class keeps what it carries in ``payload`` (or in list/dict items), so the generated
structures can nest and alias through them. None defines ``__eq__``: results are compared
by structure and identity (see ``parity.py``), never by a class's own idea of equality.
Classes are defined at module level because ``__reduce__`` results refer to them.

Every hook records its call in ``HOOK_CALLS``: a copy must call the same hooks in the same
order as the stdlib (the order is visible to user code: side effects, which exception
wins, the order of memo entries).
"""

from __future__ import annotations

import collections
import copy as stdlib_copy
import dataclasses
import enum
import threading
from typing import Any, NamedTuple

import copium

HOOK_CALLS: list = []


def _called(hook: str, original: Any = None) -> None:
    """Record a hook call; ``original`` is the input object it was called on, if any (the
    same object in the stdlib run and the copium run, so its id identifies it in both)."""
    HOOK_CALLS.append((hook, None if original is None else id(original)))


# ------------------------------------------------------------------ plain instances and slots


class Plain:
    """A ``__dict__`` instance: copied through ``object.__reduce_ex__(4)``."""

    def __init__(self, payload: Any = None) -> None:
        self.payload = payload

    def method(self) -> Any:
        return self.payload


class Slotted:
    """Only ``__slots__``; ``spare`` is left unset, which the copy must preserve."""

    __slots__ = ("payload", "spare")

    def __init__(self, payload: Any = None) -> None:
        self.payload = payload


class SlottedWithDict(Slotted):
    """Slots plus a ``__dict__``: the state is a (dict, slots) pair."""

    __slots__ = ("__dict__", "extra")

    def __init__(self, payload: Any = None) -> None:
        super().__init__(payload)
        self.extra = "slot"
        self.note = payload


@dataclasses.dataclass(frozen=True)
class FrozenRecord:
    """Frozen dataclass: its state is restored without calling its ``__setattr__``."""

    payload: Any


class Point(NamedTuple):
    """A tuple subclass whose items are rebuilt through ``__new__`` arguments."""

    x: Any
    y: Any


class Colour(enum.Enum):
    """Enum members are their own copies."""

    RED = 1
    BLUE = 2


# ------------------------------------------------------------------ the reduce protocol


class ReduceArgs:
    """``__reduce__`` rebuilds from arguments: the payload is copied before the object exists."""

    def __init__(self, payload: Any = None) -> None:
        self.payload = payload

    def __reduce__(self):
        _called("ReduceArgs.__reduce__", self)
        return (ReduceArgs, (self.payload,))


def _blank_reduce_state() -> ReduceState:
    return ReduceState.__new__(ReduceState)


class ReduceState:
    """``__reduce__`` with an empty constructor and a state dict applied afterwards."""

    def __init__(self, payload: Any = None) -> None:
        self.payload = payload

    def __reduce__(self):
        _called("ReduceState.__reduce__", self)
        return (_blank_reduce_state, (), {"payload": self.payload})


class ReduceExItems:
    """``__reduce_ex__`` with list items and dict items, fed back through append/[]=."""

    def __init__(self, items: Any = (), mapping: Any = None) -> None:
        self.items = list(items)
        self.mapping = dict(mapping or {})

    def __reduce_ex__(self, protocol: int):
        _called(f"ReduceExItems.__reduce_ex__({protocol})", self)
        return (ReduceExItems, (), None, iter(self.items), iter(self.mapping.items()))

    def append(self, item: Any) -> None:
        _called("ReduceExItems.append")
        self.items.append(item)

    def __setitem__(self, key: Any, value: Any) -> None:
        _called("ReduceExItems.__setitem__")
        self.mapping[key] = value


class ReduceToName:
    """``__reduce__`` returning a string means "a global": the object is its own copy."""

    def __reduce__(self):
        return "ReduceToName"


class StateHooks:
    """``__getstate__``/``__setstate__`` with a state that is not the instance dict."""

    def __init__(self, payload: Any = None) -> None:
        self.payload = payload

    def __getstate__(self):
        _called("StateHooks.__getstate__", self)
        return ("state", self.payload)

    def __setstate__(self, state) -> None:
        _called("StateHooks.__setstate__")
        tag, self.payload = state
        assert tag == "state"


class SlottedStateHooks:
    """Slots with ``__getstate__``/``__setstate__``."""

    __slots__ = ("payload",)

    def __init__(self, payload: Any = None) -> None:
        self.payload = payload

    def __getstate__(self):
        _called("SlottedStateHooks.__getstate__", self)
        return {"p": self.payload}

    def __setstate__(self, state) -> None:
        _called("SlottedStateHooks.__setstate__")
        self.payload = state["p"]


class NewArgsEx:
    """``__getnewargs_ex__``: the payload travels through ``__new__``."""

    def __new__(cls, payload: Any = None, *, label: str = "n"):
        self = super().__new__(cls)
        self.payload = payload
        self.label = label
        return self

    def __getnewargs_ex__(self):
        _called("NewArgsEx.__getnewargs_ex__", self)
        return ((self.payload,), {"label": self.label})


# ------------------------------------------------------------------ custom __deepcopy__


class DeepcopyHook:
    """The usual hand-written hook: memoize the clone first, then copy the payload with the
    memo, through the stdlib ``copy.deepcopy`` (which then meets copium's memo proxy)."""

    def __init__(self, payload: Any = None) -> None:
        self.payload = payload

    def __deepcopy__(self, memo):
        _called("DeepcopyHook.__deepcopy__", self)
        clone = type(self).__new__(type(self))
        memo[id(self)] = clone
        clone.payload = stdlib_copy.deepcopy(self.payload, memo)
        return clone


class CopiumDeepcopyHook(DeepcopyHook):
    """The same hook calling ``copium.deepcopy`` (so the stdlib run hands copium a dict memo)."""

    def __deepcopy__(self, memo):
        _called("CopiumDeepcopyHook.__deepcopy__", self)
        clone = type(self).__new__(type(self))
        memo[id(self)] = clone
        clone.payload = copium.deepcopy(self.payload, memo)
        return clone


class MemoReadingHook:
    """A hook that reads the memo like a mapping before copying (``in``, ``get``, ``len``)."""

    def __init__(self, payload: Any = None) -> None:
        self.payload = payload

    def __deepcopy__(self, memo):
        _called("MemoReadingHook.__deepcopy__", self)
        seen = id(self.payload) in memo and memo.get(id(self.payload)) is not None
        clone = MemoReadingHook(stdlib_copy.deepcopy(self.payload, memo))
        clone.seen_before = seen
        return clone


class SelfCopyHook:
    """``__deepcopy__`` returning ``self``: the original is shared, not copied."""

    def __init__(self, payload: Any = None) -> None:
        self.payload = payload

    def __deepcopy__(self, memo):
        _called("SelfCopyHook.__deepcopy__", self)
        return self


# ------------------------------------------------------------------ builtin subclasses


class ListSub(list):
    pass


class DictSub(dict):
    pass


class SetSub(set):
    pass


class FrozenSetSub(frozenset):
    pass


class TupleSub(tuple):
    pass


class StrSub(str):
    pass


class IntSub(int):
    pass


class BytesSub(bytes):
    pass


class DequeSub(collections.deque):
    pass


# ------------------------------------------------------------------ objects that cannot be copied


class Uncopyable:
    """No reduce method at all: ``copy.Error``."""

    __reduce_ex__ = None
    __reduce__ = None


class FailingDeepcopy:
    def __deepcopy__(self, memo):
        _called("FailingDeepcopy.__deepcopy__", self)
        raise ValueError("this object refuses to be copied")


def _blank_failing_setstate() -> FailingSetstate:
    return FailingSetstate.__new__(FailingSetstate)


class FailingSetstate:
    def __reduce__(self):
        return (_blank_failing_setstate, (), {"state": 1})

    def __setstate__(self, state) -> None:
        _called("FailingSetstate.__setstate__")
        raise LookupError("state rejected")


def uncopyable_lock() -> Any:
    """A builtin with no copy support (TypeError: cannot pickle)."""
    return threading.Lock()
