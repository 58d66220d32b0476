"""Classes changed after a first copy are copied according to what they are now.

The stdlib looks every hook up again on each copy. Anything copium remembers about a type
between calls must not outlive a change to that type.
"""

from __future__ import annotations

import copy as stdlib_copy

import pytest
from parity import assert_deepcopy_parity

import copium


def _fresh_class():
    class Changing:
        def __init__(self):
            self.payload = [1]

    return Changing


def _add_deepcopy(cls):
    cls.__deepcopy__ = lambda self, memo: "from the added __deepcopy__"


def _add_copy(cls):
    cls.__copy__ = lambda self: "from the added __copy__"


def _add_reduce_ex(cls):
    cls.__reduce_ex__ = lambda self, protocol: (str, ("from the added __reduce_ex__",))


def _add_setstate(cls):
    def __setstate__(self, state):
        self.restored = sorted(state)

    cls.__setstate__ = __setstate__


def _add_getstate(cls):
    cls.__getstate__ = lambda self: {"only": "this"}


def _add_class_attribute(cls):
    cls.payload = "class attribute shadowed by the instance"


def _remove_added_deepcopy(cls):
    cls.__deepcopy__ = lambda self, memo: "temporary"
    copium.deepcopy(cls())
    del cls.__deepcopy__


def _make_uncopyable(cls):
    cls.__reduce_ex__ = None
    cls.__reduce__ = None


CHANGES = {
    "gains-__deepcopy__": _add_deepcopy,
    "gains-__copy__": _add_copy,
    "gains-__reduce_ex__": _add_reduce_ex,
    "gains-__setstate__": _add_setstate,
    "gains-__getstate__": _add_getstate,
    "gains-a-class-attribute": _add_class_attribute,
    "loses-__deepcopy__-again": _remove_added_deepcopy,
    "becomes-uncopyable": _make_uncopyable,
}


@pytest.mark.parametrize("change", list(CHANGES.values()), ids=list(CHANGES))
@pytest.mark.parametrize("operation", ["deepcopy", "copy"])
def test_change_to_a_class_after_a_first_copy_is_honoured(change, operation: str) -> None:
    cls = _fresh_class()
    copy_function = getattr(copium, operation)
    stdlib_function = getattr(stdlib_copy, operation)
    for _ in range(3):  # let any per-type knowledge settle in first
        assert type(copy_function(cls())) is cls
    change(cls)
    instance = cls()
    expected = _outcome(stdlib_function, instance)
    actual = _outcome(copy_function, instance)
    assert actual == expected


def _outcome(function, instance):
    try:
        result = function(instance)
    except Exception as error:  # noqa: BLE001 - the exception type is the outcome
        return ("raised", type(error))
    if isinstance(result, str):
        return ("returned", result)
    return ("returned", type(result).__name__, sorted(vars(result).items()))


def test_instance_class_reassigned_between_copies() -> None:
    class First:
        pass

    class Second:
        def __deepcopy__(self, memo):
            return "from Second"

    instance = First()
    assert type(copium.deepcopy(instance)) is First
    instance.__class__ = Second
    assert copium.deepcopy(instance) == "from Second"


def test_copyreg_is_consulted_again_after_a_class_changed() -> None:
    cls = _fresh_class()
    copium.deepcopy(cls())
    cls.__reduce_ex__ = lambda self, protocol: (list, ([1, 2],))
    assert_deepcopy_parity(cls())


# Enum members: enum.Enum.__deepcopy__ (3.11+) returns the member itself, so copium answers
# without calling it. Any other __deepcopy__ a member would get must still run.


def _colours():
    import enum

    class Colour(enum.Enum):
        RED = 1
        BLUE = 2

    return Colour


def test_an_enum_member_is_its_own_copy() -> None:
    colour = _colours()
    original = [colour.RED, {"c": colour.BLUE}]
    result = copium.deepcopy(original)
    assert result[0] is colour.RED and result[1]["c"] is colour.BLUE
    assert_deepcopy_parity(original)


def test_an_enum_class_with_its_own_deepcopy_has_it_called() -> None:
    colour = _colours()
    colour.__deepcopy__ = lambda self, memo: "from the enum's own __deepcopy__"
    assert copium.deepcopy([colour.RED]) == ["from the enum's own __deepcopy__"]
    assert_deepcopy_parity([colour.RED])


def test_an_enum_member_with_a_deepcopy_in_its_instance_dict_has_it_called() -> None:
    colour = _colours()
    colour.RED.__dict__["__deepcopy__"] = lambda memo: "from the member's own __deepcopy__"
    assert copium.deepcopy([colour.RED, colour.BLUE]) == [
        "from the member's own __deepcopy__",
        colour.BLUE,
    ]
    assert_deepcopy_parity([colour.RED, colour.BLUE])


def test_a_replaced_enum_deepcopy_is_the_one_called(monkeypatch: pytest.MonkeyPatch) -> None:
    import enum

    colour = _colours()
    monkeypatch.setattr(enum.Enum, "__deepcopy__", lambda self, memo: "replaced", raising=False)
    assert copium.deepcopy(colour.RED) == "replaced"
    assert_deepcopy_parity(colour.RED)
