"""Objects whose class's own ``__deepcopy__`` returns the object itself.

``re.Pattern``, ``re.Match`` and ``decimal.Decimal`` have a C ``__deepcopy__`` that returns
its instance; ``fractions.Fraction``'s Python one returns it for the exact class. The stdlib
calls the method, gets the object back and stores nothing in the memo; copium gives the same
result without the call, and only where the call is exactly that method: a subclass, a class
whose method was replaced, a class whose attribute lookup was replaced and an instance that
shadows the method all take the general path, whose result must match the stdlib's too.
"""

from __future__ import annotations

import copy as stdlib_copy
import decimal
import fractions
import gc
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from typing import Any, Callable

import pytest
from isolated import describe
from parity import assert_deepcopy_parity, assert_twin_parity
from test_caller_memo_protocol import RecordingMemo

import copium
import copium.config
from copium import __about__

EXACT: dict[str, Callable[[], Any]] = {
    "compiled pattern": lambda: re.compile(r"item-(\d+)"),
    "match": lambda: re.match(r"(a)(b)?", "ab"),
    "decimal": lambda: decimal.Decimal("1.25"),
    "fraction": lambda: fractions.Fraction(3, 7),
}


class DecimalSub(decimal.Decimal):
    """A subclass: the C method still returns the instance, through the general path."""


class FractionSub(fractions.Fraction):
    """A subclass: ``Fraction.__deepcopy__`` makes a new instance for it."""


class FractionSubWithDict(fractions.Fraction):
    """Instances have a ``__dict__``, so one can shadow ``__deepcopy__``."""

    __slots__ = ("__dict__",)


@pytest.fixture(autouse=True, params=["native", "dict"])
def memo_setting(request: pytest.FixtureRequest) -> Iterator[str]:
    # Both memo settings: a dict memo reaches the same shortcut through the caller's memo.
    settings = copium.config.get()
    copium.config.apply(memo=request.param)
    yield request.param
    copium.config.apply(**settings)


@pytest.mark.parametrize("name", EXACT)
def test_an_instance_of_the_exact_class_is_its_own_copy(name: str) -> None:
    obj = EXACT[name]()
    assert stdlib_copy.deepcopy(obj) is obj
    assert copium.deepcopy(obj) is obj


@pytest.mark.parametrize("name", EXACT)
def test_containers_of_them_keep_them(name: str) -> None:
    obj = EXACT[name]()
    for container in ([obj, obj], {"k": obj, "j": [obj]}, (obj, [obj]), {1: (obj,)}):
        copied = copium.deepcopy(container)
        assert_deepcopy_parity(container)
        assert copied is not container
    assert copium.deepcopy([obj])[0] is obj


def memo_proxies_alive() -> int:
    return sum(isinstance(o, copium.memo) for o in gc.get_objects())


class CountsMemoProxies:
    """Copied by reduce, which hands it no memo: counts the ``copium.memo`` proxies alive
    meanwhile, of which a copy makes one only when it hands its memo to a ``__deepcopy__``."""

    seen: list[int] = []

    def __reduce_ex__(self, protocol: Any) -> Any:
        CountsMemoProxies.seen.append(memo_proxies_alive())
        return (CountsMemoProxies, ())


def copied_without_the_call(name: str) -> bool:
    """Whether copium can tell, here, that the class's method is the registered one: through
    the interpreter's type attribute lookup (which ``COPIUM_LIMITED_API_ONLY`` turns off), or,
    for a C class from 3.10 on, through its slots alone. (copium knows these classes up to
    3.15, the newest version it was checked on.)"""
    if sys.version_info[:2] > (3, 15):
        return False
    if "type attribute lookup" in __about__.__internals__:
        return True
    return name != "fraction" and sys.version_info >= (3, 10)


@pytest.mark.parametrize("name", EXACT)
def test_copying_one_hands_the_memo_to_no_code(name: str, memo_setting: str) -> None:
    if memo_setting == "dict":
        pytest.skip("a dict memo has no proxy to count")
    CountsMemoProxies.seen.clear()
    gc.collect()
    # Proxies earlier tests kept alive.
    kept = memo_proxies_alive()
    copium.deepcopy([[EXACT[name]()], CountsMemoProxies()])
    copium.deepcopy([DecimalSub("1"), CountsMemoProxies()])
    # Without the shortcut the method is called with the memo, as a subclass's always is:
    # the count then sees that proxy.
    shortcut = copied_without_the_call(name)
    assert CountsMemoProxies.seen == [kept if shortcut else kept + 1, kept + 1]


def test_a_list_mixing_all_of_them_matches_the_stdlib() -> None:
    items = [make() for make in EXACT.values()] * 5
    assert_deepcopy_parity(items)
    assert all(a is b for a, b in zip(copium.deepcopy(items), items))


def test_a_decimal_subclass_goes_through_its_method_and_gets_itself_back() -> None:
    obj = DecimalSub("2.5")
    assert stdlib_copy.deepcopy(obj) is obj
    assert copium.deepcopy(obj) is obj
    assert_deepcopy_parity([obj, obj])


def test_a_fraction_subclass_gets_a_new_instance_as_the_stdlib_gives() -> None:
    obj = FractionSub(1, 3)
    copied = copium.deepcopy(obj)
    assert copied is not obj
    assert type(copied) is FractionSub and copied == obj
    assert_deepcopy_parity([obj, obj])


def test_an_instance_shadowing_the_method_has_its_own_called() -> None:
    obj = FractionSubWithDict(1, 4)
    obj.__deepcopy__ = lambda memo: "from the instance"
    assert stdlib_copy.deepcopy(obj) == "from the instance"
    assert copium.deepcopy(obj) == "from the instance"
    assert copium.deepcopy([obj]) == ["from the instance"]


def test_a_replaced_fraction_method_is_called(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []

    def replaced(self: fractions.Fraction, memo: Any) -> str:
        calls.append(self)
        return "replaced"

    obj = fractions.Fraction(2, 9)
    assert copium.deepcopy([obj])[0] is obj  # registered and copied as itself first
    monkeypatch.setattr(fractions.Fraction, "__deepcopy__", replaced)
    assert stdlib_copy.deepcopy([obj, obj]) == ["replaced", "replaced"]
    assert calls == [obj]  # the second is a memo hit
    assert copium.deepcopy([obj, obj]) == ["replaced", "replaced"]
    assert calls == [obj, obj]
    monkeypatch.undo()
    assert copium.deepcopy([obj])[0] is obj


def test_a_deleted_fraction_method_falls_back_to_reduce(monkeypatch: pytest.MonkeyPatch) -> None:
    obj = fractions.Fraction(5, 6)
    copium.deepcopy(obj)
    monkeypatch.delattr(fractions.Fraction, "__deepcopy__")
    assert_deepcopy_parity([obj])
    assert copium.deepcopy(obj) == obj


def test_a_replaced_attribute_lookup_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    looked_up: list[str] = []

    def getattribute(self: Any, name: str) -> Any:
        looked_up.append(name)
        return object.__getattribute__(self, name)

    obj = fractions.Fraction(7, 8)
    copium.deepcopy(obj)
    monkeypatch.setattr(fractions.Fraction, "__getattribute__", getattribute)
    assert copium.deepcopy(obj) is obj
    assert "__deepcopy__" in looked_up
    looked_up.clear()
    assert stdlib_copy.deepcopy(obj) is obj
    assert "__deepcopy__" in looked_up


@pytest.mark.parametrize("cls", [decimal.Decimal, re.Pattern])
def test_c_classes_cannot_have_their_method_replaced(cls: type) -> None:
    with pytest.raises(TypeError):
        cls.__deepcopy__ = lambda self, memo: "never"  # type: ignore[method-assign]


@pytest.mark.parametrize("name", EXACT)
def test_a_memo_entry_for_the_object_wins(name: str) -> None:
    obj = EXACT[name]()
    memo = {id(obj): "from the memo"}
    assert stdlib_copy.deepcopy([obj], dict(memo)) == ["from the memo"]
    assert copium.deepcopy([obj], dict(memo)) == ["from the memo"]


class StoresAnEntry:
    """Its ``__deepcopy__`` stores a memo entry for another object, and returns "hook"."""

    def __init__(self, shared: Any) -> None:
        self.shared = shared

    def __deepcopy__(self, memo: Any) -> str:
        memo[id(self.shared)] = "stored by a hook"
        return "hook"


def test_an_entry_stored_through_the_native_memo_wins() -> None:
    shared = decimal.Decimal("3.5")
    for copy_module in (stdlib_copy, copium):
        got = copy_module.deepcopy([StoresAnEntry(shared), shared])
        assert got == ["hook", "stored by a hook"]


# Each container handler checks its items in a loop of its own: these shapes put a hook
# before the object in each (a set's order is not guaranteed, so its hook comes before it in
# the list around it).
HOOK_FIRST: dict[str, Callable[[Any, Any], Any]] = {
    "list": lambda hook, obj: [hook, obj, obj],
    "dict value": lambda hook, obj: {"hook": hook, "obj": obj, "again": obj},
    "tuple": lambda hook, obj: (hook, obj, obj),
    "nested": lambda hook, obj: [{"hook": hook}, (obj, [obj])],
    "set after the hook": lambda hook, obj: [hook, {obj}],
}


@pytest.mark.parametrize("shape", HOOK_FIRST)
def test_an_entry_a_hook_stores_wins_in_every_container(shape: str) -> None:
    shared = decimal.Decimal("4.5")

    def run(copy_module: Any, x: Any) -> Any:
        return copy_module.deepcopy(x)

    assert_twin_parity(lambda: HOOK_FIRST[shape](StoresAnEntry(shared), shared), run)
    copied = copium.deepcopy(HOOK_FIRST[shape](StoresAnEntry(shared), shared))
    assert "stored by a hook" in repr(copied)


class ReplacesTheFractionMethod:
    """Copied through its reduce, which sees no memo, and replaces Fraction's method meanwhile."""

    def __reduce__(self) -> tuple[Any, ...]:
        fractions.Fraction.__deepcopy__ = lambda self, memo: "replaced"  # type: ignore[method-assign]
        return (ReplacesTheFractionMethod, ())


@pytest.mark.parametrize("shape", HOOK_FIRST)
def test_a_method_replaced_mid_copy_is_called_for_later_items(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    obj = fractions.Fraction(1, 11)
    assert copium.deepcopy([obj])[0] is obj
    original = fractions.Fraction.__deepcopy__

    def run(copy_module: Any, x: Any) -> Any:
        # Each run starts from the original method; monkeypatch restores it after the test.
        monkeypatch.setattr(fractions.Fraction, "__deepcopy__", original)
        return copy_module.deepcopy(x)

    reference, _ = assert_twin_parity(
        lambda: HOOK_FIRST[shape](ReplacesTheFractionMethod(), fractions.Fraction(3, 11)), run
    )
    assert "replaced" in repr(reference.value)


@pytest.mark.parametrize("name", EXACT)
def test_a_caller_memo_sees_the_stdlib_calls(name: str) -> None:
    def calls(deepcopy: Callable[..., Any]) -> list[tuple[str, ...]]:
        obj = EXACT[name]()
        memo = RecordingMemo()
        result = deepcopy([obj, (obj,), {"k": obj}], memo)
        assert result[0] is obj
        return memo.calls

    assert calls(copium.deepcopy) == calls(stdlib_copy.deepcopy)


def test_a_dict_memo_holds_what_the_stdlib_leaves_in_it() -> None:
    obj = decimal.Decimal("9.75")
    container = [obj, fractions.Fraction(1, 2)]
    reference: dict[int, Any] = {}
    ours: dict[int, Any] = {}
    stdlib_copy.deepcopy(container, reference)
    copium.deepcopy(container, ours)
    # Each memo keeps its keepalive list under its own id.
    assert set(ours) - {id(ours)} == set(reference) - {id(reference)} == {id(container)}
    assert [id(x) for x in ours[id(ours)]] == [id(x) for x in reference[id(reference)]]


SCRIPT = """
import sys
import copium
assert "fractions" not in sys.modules and "decimal" not in sys.modules, sorted(sys.modules)
assert copium.deepcopy([1]) == [1]
import fractions, decimal
f, d = fractions.Fraction(1, 3), decimal.Decimal("0.5")
assert copium.deepcopy(f) is f and copium.deepcopy([d])[0] is d
class Sub(fractions.Fraction):
    pass
s = Sub(2, 3)
c = copium.deepcopy(s)
assert c is not s and type(c) is Sub and c == s
print("ok")
"""


def test_classes_imported_after_copium_are_found() -> None:
    # copium imports none of these modules itself.
    child = subprocess.run(
        [sys.executable, "-I", "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tempfile.gettempdir(),
    )
    assert child.returncode == 0, describe(child)
    assert child.stdout.strip() == "ok"
