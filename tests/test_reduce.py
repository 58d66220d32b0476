"""Objects copied through the pickle reduce protocol are rebuilt exactly like the stdlib does.

``copy`` asks, in this order: ``__deepcopy__`` (deepcopy only) / ``__copy__`` (copy only),
``copyreg.dispatch_table[type(x)]``, ``x.__reduce_ex__(4)``, ``x.__reduce__()``. A string
result means "return x itself"; otherwise the 2 to 5 items are (callable, args, state,
listitems, dictitems). Malformed results must fail with the stdlib's exception type.
"""

from __future__ import annotations

import copy as stdlib_copy
import copyreg

import pytest
from parity import assert_copy_parity, assert_deepcopy_parity, assert_twin_parity

import copium


def _rebuild(*args, **kwargs):
    obj = Rebuilt()
    obj.args = args
    obj.kwargs = kwargs
    return obj


class Rebuilt:
    """The object the reduce callables in this module construct."""


class ReducesTo:
    """An object whose ``__reduce_ex__`` returns ``result`` and records each call's protocol."""

    def __init__(self, result):
        self.result = result
        self.protocols = []

    def __reduce_ex__(self, protocol):
        self.protocols.append(protocol)
        return self.result


class WithSetState(Rebuilt):
    def __setstate__(self, state):
        self.received_state = state


def _with_setstate(*args):
    return WithSetState()


class Slotted:
    __slots__ = ("a", "b", "__dict__")


def _slotted():
    return Slotted()


class Appendable(list):
    pass


class Assignable(dict):
    pass


def _appendable():
    return Appendable()


def _assignable():
    return Assignable()


class ReduceTuple(tuple):
    pass


LEGAL_RESULTS = {
    "string-means-the-object-itself": lambda: "global_name",
    "2-items": lambda: (_rebuild, ([1], "a")),
    "2-items-empty-args": lambda: (Rebuilt, ()),
    "2-items-args-as-list": lambda: (_rebuild, [[1], 2]),
    "3-items-dict-state": lambda: (Rebuilt, (), {"x": [1], "y": (2, [3])}),
    "3-items-none-state": lambda: (_rebuild, ([1],), None),
    "3-items-empty-dict-state": lambda: (Rebuilt, (), {}),
    "3-items-state-to-setstate": lambda: (_with_setstate, (), {"x": [1]}),
    "3-items-falsy-state-to-setstate": lambda: (_with_setstate, (), 0),
    "3-items-tuple-state-to-setstate": lambda: (_with_setstate, (), ({"x": 1}, {"y": 2})),
    "3-items-dict-and-slots-state": lambda: (_slotted, (), ({"extra": [1]}, {"a": [2], "b": (3,)})),
    "3-items-none-and-slots-state": lambda: (_slotted, (), (None, {"a": [2]})),
    "4-items-listitems": lambda: (_appendable, (), None, iter([[1], 2, "three"])),
    "4-items-listitems-none": lambda: (_appendable, (), {"x": 1}, None),
    "5-items-dictitems": lambda: (
        _assignable,
        (),
        None,
        None,
        iter([("k", [1]), ((2,), {"v": 2})]),
    ),
    "5-items-all": lambda: (_appendable, (), {"x": [0]}, iter([[1]]), None),
    "5-items-state-listitems-dictitems": lambda: (
        _assignable,
        (),
        {"x": [0]},
        None,
        iter({"k": [1]}.items()),
    ),
    "listitems-and-dictitems-as-lists": lambda: (_assignable, (), None, None, [("k", [1])]),
    "result-as-a-list": lambda: [Rebuilt, (), {"x": [1]}],
    "result-as-a-tuple-subclass": lambda: ReduceTuple((Rebuilt, (), {"x": [1]})),
}


@pytest.mark.parametrize("make_result", list(LEGAL_RESULTS.values()), ids=list(LEGAL_RESULTS))
def test_legal_reduce_result_deepcopies_like_stdlib(make_result) -> None:
    # Iterators are single-use, so each side gets its own object built from a fresh result.
    assert_twin_parity(lambda: ReducesTo(make_result()), lambda module, x: module.deepcopy(x))


@pytest.mark.parametrize("make_result", list(LEGAL_RESULTS.values()), ids=list(LEGAL_RESULTS))
def test_legal_reduce_result_copies_like_stdlib(make_result) -> None:
    assert_twin_parity(lambda: ReducesTo(make_result()), lambda module, x: module.copy(x))


def test_string_reduce_result_returns_the_object_and_leaves_no_memo_entry() -> None:
    original = ReducesTo("global_name")
    memo: dict = {}
    assert copium.deepcopy(original, memo) is original
    assert memo == {}


def test_reduce_ex_is_asked_with_protocol_4() -> None:
    original = ReducesTo((Rebuilt, ()))
    copium.deepcopy(original)
    copium.copy(original)
    assert original.protocols == [4, 4]


def test_reduced_object_is_memoized_before_its_state_is_copied() -> None:
    # The state refers back to the object: the copy's state must refer to the copy.
    original = ReducesTo(None)
    original.result = (Rebuilt, (), {"me": original, "box": [original]})
    result = copium.deepcopy(original)
    assert type(result) is Rebuilt
    assert result.me is result
    assert result.box[0] is result
    assert_deepcopy_parity(original)


def test_setstate_receives_a_deep_copy_of_the_state() -> None:
    state = {"payload": [1, 2]}
    result = copium.deepcopy(ReducesTo((_with_setstate, (), state)))
    assert result.received_state == state
    assert result.received_state is not state
    assert result.received_state["payload"] is not state["payload"]


def test_shallow_copy_hands_over_the_state_itself() -> None:
    state = {"payload": [1, 2]}
    result = copium.copy(ReducesTo((_with_setstate, (), state)))
    assert result.received_state is state


MALFORMED_RESULTS = {
    "none": lambda: None,
    "int": lambda: 5,
    "empty-tuple": lambda: (),
    "1-item": lambda: (Rebuilt,),
    "7-items": lambda: (Rebuilt, (), None, None, None, None, None),
    "callable-is-not-callable": lambda: (5, ()),
    "args-is-none": lambda: (Rebuilt, None),
    "args-is-an-int": lambda: (Rebuilt, 5),
    "args-do-not-fit-the-callable": lambda: (Rebuilt, (1, 2)),
    "state-without-setstate-is-not-a-dict": lambda: (Rebuilt, (), 5),
    "slot-state-is-not-a-mapping": lambda: (_slotted, (), (None, 5)),
    "listitems-on-object-without-append": lambda: (Rebuilt, (), None, iter([1])),
    "listitems-is-not-iterable": lambda: (_appendable, (), None, 5),
    "dictitems-are-not-pairs": lambda: (_assignable, (), None, None, iter([1, 2])),
    "dictitems-with-unhashable-key": lambda: (_assignable, (), None, None, iter([([1], 2)])),
}


@pytest.mark.parametrize(
    "make_result", list(MALFORMED_RESULTS.values()), ids=list(MALFORMED_RESULTS)
)
def test_malformed_reduce_result_fails_like_stdlib_for_deepcopy(make_result) -> None:
    reference, _ = assert_twin_parity(
        lambda: ReducesTo(make_result()), lambda module, x: module.deepcopy(x)
    )
    assert reference.raised, "the case must be one the stdlib rejects"


@pytest.mark.parametrize(
    "make_result", list(MALFORMED_RESULTS.values()), ids=list(MALFORMED_RESULTS)
)
def test_malformed_reduce_result_fails_like_stdlib_for_copy(make_result) -> None:
    assert_twin_parity(lambda: ReducesTo(make_result()), lambda module, x: module.copy(x))


@pytest.mark.parametrize("operation", ["deepcopy", "copy"])
def test_six_item_reduce_result_is_handled_like_this_versions_stdlib(operation: str) -> None:
    # 3.10+ rejects 6 items. 3.9's _reconstruct had a 6th positional parameter (the deepcopy
    # function it recursed with), so there a shallow copy ignores the 6th item and a deep
    # copy of non-empty args calls it.
    assert_twin_parity(
        lambda: ReducesTo((_rebuild, ([1],), None, None, None, "not callable")),
        lambda module, x: getattr(module, operation)(x),
    )


# ---------------------------------------------------------------------- which hook wins


class Recorder:
    """Records which copy hooks were consulted, in order."""

    def __init__(self):
        self.calls = []


class OnlyReduce(Recorder):
    def __reduce__(self):
        self.calls.append("__reduce__")
        return (Rebuilt, ())


class ReduceExAndReduce(Recorder):
    def __reduce_ex__(self, protocol):
        self.calls.append("__reduce_ex__")
        return (Rebuilt, (), {"via": "__reduce_ex__"})

    def __reduce__(self):
        self.calls.append("__reduce__")
        return (Rebuilt, (), {"via": "__reduce__"})


class ReduceExIsNone(Recorder):
    __reduce_ex__ = None

    def __reduce__(self):
        self.calls.append("__reduce__")
        return (Rebuilt, (), {"via": "__reduce__"})


class DeepcopyHookAndReduce(Recorder):
    def __deepcopy__(self, memo):
        self.calls.append("__deepcopy__")
        return "from __deepcopy__"

    def __reduce_ex__(self, protocol):
        self.calls.append("__reduce_ex__")
        return (Rebuilt, ())


class CopyHookAndReduce(Recorder):
    def __copy__(self):
        self.calls.append("__copy__")
        return "from __copy__"

    def __reduce_ex__(self, protocol):
        self.calls.append("__reduce_ex__")
        return (Rebuilt, ())


class HooksSetToNone(Recorder):
    __deepcopy__ = None
    __copy__ = None

    def __reduce_ex__(self, protocol):
        self.calls.append("__reduce_ex__")
        return (Rebuilt, (), {"via": "__reduce_ex__"})


def _instance_with_own_deepcopy_attribute():
    obj = Recorder()
    obj.__deepcopy__ = lambda memo: obj.calls.append("instance __deepcopy__") or "from the instance"
    return obj


def _instance_with_own_copy_attribute():
    obj = Recorder()
    obj.__copy__ = lambda: obj.calls.append("instance __copy__") or "from the instance"
    return obj


def _instance_with_own_reduce_ex_attribute(cls=Recorder):
    obj = cls()
    obj.__reduce_ex__ = lambda protocol: (
        obj.calls.append(f"instance __reduce_ex__({protocol})") or (Rebuilt, ())
    )
    return obj


class DeepcopyAsStaticMethod(Recorder):
    @staticmethod
    def __deepcopy__(memo):
        return "from a staticmethod"


class CallableHook:
    """A class attribute that is callable but not a descriptor: called without self."""

    def __call__(self, *args):
        return ("called with", len(args))


class HookIsCallableObject(Recorder):
    __deepcopy__ = CallableHook()
    __copy__ = CallableHook()


class HooksFromGetattr(Recorder):
    """Like a proxy object: the hooks only exist through __getattr__."""

    def __getattr__(self, name):
        if name in ("__deepcopy__", "__copy__"):
            return lambda *args: f"{name} from __getattr__"
        raise AttributeError(name)


class SetStateIsNone(Recorder):
    # The stdlib tests hasattr(y, "__setstate__"), so None here is called and fails.
    __setstate__ = None

    def __reduce_ex__(self, protocol):
        self.calls.append("__reduce_ex__")
        return (SetStateIsNone, (), {"state": 1})


class OnlyReduceIsNone(Recorder):
    # object.__reduce_ex__ sees an overridden __reduce__ and calls it.
    __reduce__ = None


class GetStateIsNone(Recorder):
    __getstate__ = None


PRECEDENCE_CASES = {
    "__setstate__-none-is-still-called": SetStateIsNone,
    "__reduce__-none-under-object-__reduce_ex__": OnlyReduceIsNone,
    "__getstate__-none": GetStateIsNone,
    "__deepcopy__-as-staticmethod": DeepcopyAsStaticMethod,
    "hooks-are-callable-objects": HookIsCallableObject,
    "hooks-come-from-__getattr__": HooksFromGetattr,
    "only-__reduce__": OnlyReduce,
    "__reduce_ex__-over-__reduce__": ReduceExAndReduce,
    "__reduce_ex__-none-falls-back-to-__reduce__": ReduceExIsNone,
    "__deepcopy__-over-reduce": DeepcopyHookAndReduce,
    "__copy__-over-reduce": CopyHookAndReduce,
    "hooks-set-to-none-are-skipped": HooksSetToNone,
    "__deepcopy__-on-the-instance": _instance_with_own_deepcopy_attribute,
    "__copy__-on-the-instance": _instance_with_own_copy_attribute,
    "__reduce_ex__-on-the-instance": _instance_with_own_reduce_ex_attribute,
}


@pytest.mark.parametrize("make", list(PRECEDENCE_CASES.values()), ids=list(PRECEDENCE_CASES))
@pytest.mark.parametrize("operation", ["deepcopy", "copy"])
def test_hook_precedence_matches_stdlib(make, operation: str) -> None:
    def run(module, obj):
        result = getattr(module, operation)(obj)
        return result, obj.calls

    assert_twin_parity(make, run)


# ------------------------------------------------- a class's own __reduce__, under object's
#
# With only __reduce__ overridden, x.__reduce_ex__(4) is object's, which sees that
# getattr(type(x), "__reduce__") is not object's and returns x.__reduce__(). copium makes that
# last call directly when it can tell the outcome is the same; each case below differs from
# the plain one in something that decides whether it is.


class OwnReduce(Recorder):
    def __init__(self, payload=None):
        super().__init__()
        self.payload = [1, [2]] if payload is None else payload

    def __reduce__(self):
        self.calls.append("__reduce__")
        return (OwnReduce, (self.payload,))


class InheritsOwnReduce(OwnReduce):
    pass


class OwnReduceAsStaticMethod(Recorder):
    @staticmethod
    def __reduce__():
        return (Rebuilt, (), {"via": "a staticmethod"})


class OwnReduceAsClassMethod(Recorder):
    @classmethod
    def __reduce__(cls):
        return (Rebuilt, (), {"via": cls.__name__})


class ReportsObjectsReduce(type):
    """getattr(cls, "__reduce__") is object's, so object.__reduce_ex__ sees no override."""

    def __getattribute__(cls, name):
        if name == "__reduce__":
            return object.__reduce__
        return super().__getattribute__(name)


class OwnReduceHiddenByTheMetaclass(Recorder, metaclass=ReportsObjectsReduce):
    def __reduce__(self):
        self.calls.append("__reduce__")
        return (Rebuilt, (), {"via": "__reduce__"})


class ObjectsReduceForTheClass:
    """A descriptor that is object's __reduce__ on the class, another method on instances."""

    def __get__(self, obj, cls=None):
        if obj is None:
            return object.__reduce__
        return lambda: (Rebuilt, (), {"via": "the descriptor"})


class OwnReduceLooksLikeObjectsToTheClass(Recorder):
    __reduce__ = ObjectsReduceForTheClass()


class OwnReduceHiddenFromInstances(Recorder):
    """x.__reduce__ fails, so object.__reduce_ex__ falls back to its own reduce."""

    def __getattribute__(self, name):
        if name == "__reduce__":
            raise AttributeError(name)
        return super().__getattribute__(name)

    def __reduce__(self):
        raise AssertionError("hidden from the instance, so never called")


class OwnReduceRaises(Recorder):
    def __reduce__(self):
        raise ValueError("cannot reduce this one")


class DictWithOwnReduce(dict):
    def __reduce__(self):
        return (DictWithOwnReduce, (), None, None, iter(self.items()))


class ListWithOwnReduce(list):
    def __reduce__(self):
        return (ListWithOwnReduce, (), None, iter(self))


def _own_reduce_with_reduce_on_the_instance():
    obj = OwnReduce()
    obj.__reduce__ = lambda: obj.calls.append("instance __reduce__") or (Rebuilt, ())
    return obj


def _own_reduce_with_another_objects_reduce_ex():
    obj = OwnReduce(["mine"])
    obj.__reduce_ex__ = OwnReduce(["the other's"]).__reduce_ex__
    return obj


def _own_reduce_with_another_builtin_method_as_reduce_ex():
    obj = OwnReduce()
    obj.__reduce_ex__ = obj.__format__  # bound to obj, but called with 4 it fails
    return obj


def _own_reduce_with_a_shared_payload():
    shared = [1, 2]
    return [OwnReduce(shared), OwnReduce(shared), shared]


OWN_REDUCE_CASES = {
    "plain": OwnReduce,
    "inherited": InheritsOwnReduce,
    "staticmethod": OwnReduceAsStaticMethod,
    "classmethod": OwnReduceAsClassMethod,
    "metaclass-reports-objects-reduce": OwnReduceHiddenByTheMetaclass,
    "descriptor-is-objects-reduce-on-the-class": OwnReduceLooksLikeObjectsToTheClass,
    "hidden-by-__getattribute__": OwnReduceHiddenFromInstances,
    "raises": OwnReduceRaises,
    "__reduce__-on-the-instance": _own_reduce_with_reduce_on_the_instance,
    "__reduce_ex__-on-the-instance": lambda: _instance_with_own_reduce_ex_attribute(OwnReduce),
    "another-objects-__reduce_ex__-on-the-instance": _own_reduce_with_another_objects_reduce_ex,
    "another-builtin-method-as-__reduce_ex__": _own_reduce_with_another_builtin_method_as_reduce_ex,
    "shared-payload": _own_reduce_with_a_shared_payload,
    "dict-subclass": lambda: DictWithOwnReduce(a=[1], b=2),
    "list-subclass": lambda: ListWithOwnReduce([[1], 2]),
}


def _calls_of(x):
    return [getattr(item, "calls", None) for item in x] if isinstance(x, list) else x.__dict__


@pytest.mark.parametrize("make", list(OWN_REDUCE_CASES.values()), ids=list(OWN_REDUCE_CASES))
@pytest.mark.parametrize("operation", ["deepcopy", "copy"])
def test_a_classs_own_reduce_is_used_exactly_as_stdlib_uses_it(make, operation: str) -> None:
    def run(module, obj):
        result = getattr(module, operation)(obj)
        return result, _calls_of(obj)

    assert_twin_parity(make, run)


def test_a_reduce_assigned_to_the_class_later_is_the_one_called() -> None:
    class Changing(Recorder):
        def __reduce__(self):
            return (Rebuilt, (), {"via": "the first"})

    first = copium.deepcopy(Changing())
    Changing.__reduce__ = lambda self: (Rebuilt, (), {"via": "the second"})
    second = copium.deepcopy(Changing())
    del Changing.__reduce__
    third = copium.deepcopy(Changing())
    assert (first.via, second.via) == ("the first", "the second")
    assert type(third) is Changing and third.calls == []


def test_a_caller_memo_gets_the_entries_stdlib_gives_it() -> None:
    def run(module, obj):
        memo = {}
        result = module.deepcopy(obj, memo)
        return result, [(type(v).__name__, v is result) for v in memo.values()]

    assert_twin_parity(_own_reduce_with_a_shared_payload, run)


# ---------------------------------------------------------------------- copyreg


class Registered:
    def __init__(self, payload):
        self.payload = payload

    def __reduce_ex__(self, protocol):
        raise AssertionError("the copyreg reducer must be used instead")


class RegisteredSubclass(Registered):
    def __reduce_ex__(self, protocol):
        return (RegisteredSubclass, (["from __reduce_ex__"],))


def _reduce_registered(obj):
    return (Registered, (obj.payload + ["via copyreg"],))


@pytest.fixture
def registered_reducer():
    copyreg.pickle(Registered, _reduce_registered)
    yield
    del copyreg.dispatch_table[Registered]


@pytest.mark.usefixtures("registered_reducer")
def test_copyreg_dispatch_table_wins_over_reduce_ex() -> None:
    original = Registered([1])
    assert_deepcopy_parity(original)
    assert_copy_parity(original)
    assert copium.deepcopy(original).payload == [1, "via copyreg"]


@pytest.mark.usefixtures("registered_reducer")
def test_copyreg_entry_applies_to_the_exact_type_only() -> None:
    original = RegisteredSubclass([1])
    assert_deepcopy_parity(original)
    assert copium.deepcopy(original).payload == ["from __reduce_ex__"]


def test_copyreg_entry_added_after_a_first_copy_is_honoured() -> None:
    class Late:
        pass

    first = copium.deepcopy(Late())
    assert type(first) is Late
    copyreg.pickle(Late, lambda obj: (str, ("registered late",)))
    try:
        assert copium.deepcopy(Late()) == "registered late"
        assert copium.copy(Late()) == "registered late"
    finally:
        del copyreg.dispatch_table[Late]
    assert type(copium.deepcopy(Late())) is Late


def test_copyreg_reducer_returning_a_string_returns_the_object() -> None:
    class Named:
        pass

    copyreg.pickle(Named, lambda obj: "Named")
    try:
        original = Named()
        assert copium.deepcopy(original) is original
        assert stdlib_copy.deepcopy(original) is original
    finally:
        del copyreg.dispatch_table[Named]


# ---------------------------------------------------------------------- stdlib protocols


class WithNewArgsEx:
    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        obj.new_args = (args, kwargs)
        return obj

    def __getnewargs_ex__(self):
        return ((["positional"],), {"keyword": [1]})


class WithNewArgs(int):
    def __new__(cls, value, payload):
        obj = super().__new__(cls, value)
        obj.payload = payload
        return obj

    def __getnewargs__(self):
        return (int(self), self.payload)


class WithGetState:
    def __init__(self):
        self.visible = [1]
        self.hidden = "not copied"

    def __getstate__(self):
        return {"visible": self.visible}


class WithGetStateAndSetState:
    def __init__(self):
        self.data = [1]

    def __getstate__(self):
        return ("packed", self.data)

    def __setstate__(self, state):
        self.unpacked = state


class SlotsOnly:
    __slots__ = ("x", "y")

    def __init__(self):
        self.x = [1]  # y is left unset on purpose


@pytest.mark.parametrize(
    "make",
    [WithNewArgsEx, lambda: WithNewArgs(7, [1]), WithGetState, WithGetStateAndSetState, SlotsOnly],
    ids=[
        "__getnewargs_ex__",
        "__getnewargs__",
        "__getstate__",
        "__getstate__-and-__setstate__",
        "slots-partly-set",
    ],
)
def test_object_reduce_ex_protocols_match_stdlib(make) -> None:
    assert_twin_parity(make, lambda module, x: module.deepcopy(x))
    assert_twin_parity(make, lambda module, x: module.copy(x))
