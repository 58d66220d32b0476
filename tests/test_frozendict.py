"""The builtin ``frozendict`` (PEP 814, Python 3.15+).

``copy.deepcopy`` copies a frozendict's items into a new dict (each value before its key),
checks the memo again in case the frozendict was reached through its own items, and returns
a new frozendict of the copies: always a new object, even when every item is atomic. It is
not memoized by its handler, only afterwards, like any copy that differs from its original.
A subclass goes through the reduce protocol. ``copy.copy`` returns a frozendict as it is.
copium copies it natively, with the same results.
"""

from __future__ import annotations

import copy as stdlib_copy
from typing import Any

import pytest
from parity import assert_copy_parity, assert_deepcopy_parity
from stdlib_semantics import FROZENDICT

import copium

pytestmark = pytest.mark.skipif(FROZENDICT is None, reason="frozendict is new in Python 3.15")


def fd(*args: Any, **kwargs: Any) -> Any:
    assert FROZENDICT is not None
    return FROZENDICT(*args, **kwargs)


def test_items_are_copied_into_a_new_frozendict() -> None:
    original = fd(a=[1, 2], b={"c": (3, [4])}, d="text")
    result = assert_deepcopy_parity(original).value
    assert type(result) is FROZENDICT
    assert result == original and result is not original
    assert result["a"] is not original["a"]
    assert result["d"] is original["d"]


@pytest.mark.parametrize(
    "original",
    [
        pytest.param({"a": 1, "b": "two", "c": None, 3: 4.5}, id="atoms"),
        pytest.param({}, id="empty"),
    ],
)
def test_a_frozendict_of_atoms_is_still_a_new_object(original: dict) -> None:
    frozen = fd(original)
    result = assert_deepcopy_parity(frozen).value
    assert result is not frozen
    assert type(result) is FROZENDICT and result == frozen
    assert list(result.items()) == list(frozen.items())


def test_keys_keep_their_order() -> None:
    original = fd([("z", [1]), ("a", 2), ("m", [3])])
    assert list(copium.deepcopy(original)) == ["z", "a", "m"]


def test_a_list_shared_by_two_values_stays_shared() -> None:
    shared = [1]
    original = fd(x=shared, y=shared)
    result = assert_deepcopy_parity(original).value
    assert result["x"] is result["y"] is not shared


def test_the_same_frozendict_twice_is_copied_once() -> None:
    inner = fd(k=[1])
    result = assert_deepcopy_parity([inner, inner, {"again": inner}]).value
    assert result[0] is result[1] is result[2]["again"] is not inner


def test_a_frozendict_reached_again_through_its_own_items() -> None:
    # The copy of the list holds the copy of the frozendict: the handler finds it in the
    # memo after copying the items, and returns that one instead of building another.
    holder: list[Any] = []
    original = fd(h=holder)
    holder.append(original)
    result = assert_deepcopy_parity(original).value
    assert result["h"][0] is result


def test_as_a_dict_key() -> None:
    key = fd(a=1, b=(2, 3))
    original = {key: [1], "other": key}
    result = assert_deepcopy_parity(original).value
    (copied_key,) = [k for k in result if k != "other"]
    assert copied_key == key and copied_key is not key
    assert result["other"] is copied_key


def test_a_subclass_goes_through_reduce_like_the_stdlib() -> None:
    class Frozen(FROZENDICT):  # type: ignore[misc, valid-type]
        pass

    original = Frozen(a=[1], b=2)
    result = assert_deepcopy_parity(original).value
    assert type(result) is Frozen and result == original
    assert result["a"] is not original["a"]


def test_with_a_caller_memo_the_memo_ends_up_the_same() -> None:
    shared = [1]
    original = [fd(a=shared), shared]
    stdlib_memo: dict = {}
    copium_memo: dict = {}
    stdlib_copy.deepcopy(original, stdlib_memo)
    result = copium.deepcopy(original, copium_memo)
    assert set(stdlib_memo) - {id(stdlib_memo)} == set(copium_memo) - {id(copium_memo)}
    assert copium_memo[id(original[0])] is result[0]
    kept = copium_memo[id(copium_memo)]
    assert [id(x) for x in kept] == [id(x) for x in stdlib_memo[id(stdlib_memo)]]


def test_shallow_copy_returns_the_frozendict_itself() -> None:
    original = fd(a=[1])
    assert copium.copy(original) is original
    assert_copy_parity(original)


def test_shallow_copy_of_a_subclass_is_a_new_object_sharing_the_items() -> None:
    class Frozen(FROZENDICT):  # type: ignore[misc, valid-type]
        pass

    original = Frozen(a=[1])
    result = assert_copy_parity(original).value
    assert result is not original and result["a"] is original["a"]


def test_an_uncopyable_value_raises_what_the_stdlib_raises() -> None:
    import threading

    original = fd(lock=threading.Lock())
    with pytest.raises(TypeError) as stdlib_error:
        stdlib_copy.deepcopy(original)
    with pytest.raises(TypeError) as copium_error:
        copium.deepcopy(original)
    assert str(copium_error.value) == str(stdlib_error.value)
