"""Hostile cases: the memo proxy (``copium.memo``) kept by a hook and used later.

A hook can keep the memo it received and use it after its call ended, in a later call,
from another thread while its own call is paused, as the memo of new calls, or from a
finalizer that runs while the proxy's own table releases its copies. The stdlib's memo is
a plain dict, which allows all of that; the proxy must allow it too, behave like that
dict where the stdlib defines the outcome, and never crash or panic.
"""

from __future__ import annotations

import copy as stdlib_copy
import gc
import pickle
import threading
import weakref
from typing import Any, Callable

from hostile_cases import CASES, Case, scenario
from parity import assert_same_graph

import copium


class Stolen:
    """What a Thief's copy is."""


# The memos Thief objects kept. Kept outside the input, whose graph must stay the same.
STOLEN: list[Any] = []


class Thief:
    """Keeps the memo its ``__deepcopy__`` receives (the last one is ``STOLEN[-1]``)."""

    def __deepcopy__(self, memo: Any) -> Stolen:
        STOLEN.append(memo)
        return Stolen()


def _steal(module: Any, x: Any, thief: Thief) -> Any:
    STOLEN.clear()
    result = module.deepcopy(x)
    memo = STOLEN[-1]
    STOLEN.clear()
    return result, memo


def _kept_alive(memo: Any) -> list[Any]:
    return list(memo.get(id(memo), []))


def _assert_no_engine_error(error: BaseException) -> None:
    """Misuse may raise, but only an ordinary error: never SystemError or a Rust panic."""
    assert isinstance(error, Exception), f"{type(error).__name__} escaped: {error!r}"
    assert not isinstance(error, SystemError), repr(error)
    assert "panic" not in type(error).__name__.lower(), repr(error)


def _attempt(operation: Callable[[], Any]) -> Any:
    try:
        return operation()
    except BaseException as error:  # noqa: BLE001 - checked just below
        _assert_no_engine_error(error)
        return error


# ------------------------------------------------------------------ after the call


def _input_with_thief() -> Any:
    thief = Thief()
    shared = ["shared"]
    later = {"later": [1]}
    return [shared, thief, {"k": shared}, (shared, later)], thief


@scenario("memo proxy: kept after its call, it holds what the stdlib's memo holds")
def proxy_after_call_matches_dict() -> None:
    x, thief = _input_with_thief()
    reference, memo_ref = _steal(stdlib_copy, x, thief)
    result, proxy = _steal(copium, x, thief)
    assert type(proxy) is copium.memo
    ref_keys = [key for key in memo_ref if key != id(memo_ref)]
    assert sorted(ref_keys) == sorted(key for key in proxy if key != id(proxy)), "different entries"
    assert len(proxy) == len(memo_ref)
    assert_same_graph(
        x,
        [reference, [memo_ref[key] for key in ref_keys]],
        [result, [proxy[key] for key in ref_keys]],
    )
    assert [id(obj) for obj in _kept_alive(proxy)] == [id(obj) for obj in _kept_alive(memo_ref)]
    assert proxy[id(x)] is result and proxy.get(id(x[0])) is result[0]


@scenario("memo proxy: kept after its call, it works as the memo of new calls")
def proxy_reused_as_memo() -> None:
    x, thief = _input_with_thief()
    _, memo_ref = _steal(stdlib_copy, x, thief)
    result, proxy = _steal(copium, x, thief)
    # Everything copied before comes back from the memo, like with a dict memo.
    assert copium.deepcopy(x, proxy) is result
    assert copium.deepcopy(x[0], proxy) is result[0]
    assert stdlib_copy.deepcopy(x[2], proxy) is result[2]
    newcomer = [x[0], ["new"]]
    expected = stdlib_copy.deepcopy(newcomer, memo_ref)
    copied = copium.deepcopy(newcomer, proxy)
    assert copied[0] is result[0] and copied[1] == expected[1] and copied[1] is not newcomer[1]
    assert id(newcomer) in proxy and proxy[id(newcomer)] is copied


@scenario("memo proxy: kept after its call, every mapping operation behaves like on a dict")
def proxy_mapping_operations_after_call() -> None:
    x, thief = _input_with_thief()
    _, memo_ref = _steal(stdlib_copy, x, thief)
    _, proxy = _steal(copium, x, thief)
    shared_key, later_key = id(x[0]), id(x[3][1])
    operations: dict[str, Callable[[Any], Any]] = {
        "get missing": lambda memo: memo.get(12345),
        "get missing with default": lambda memo: memo.get(12345, "default"),
        "contains": lambda memo: (shared_key in memo, 12345 in memo, "text" in memo),
        "set and get a foreign key": lambda memo: (memo.__setitem__("text", 1), memo["text"])[1],
        "setdefault existing": lambda memo: memo.setdefault(shared_key, "ignored") == ["shared"],
        "setdefault new": lambda memo: memo.setdefault(999, "set"),
        "pop with default": lambda memo: memo.pop(12345, "absent"),
        "pop existing": lambda memo: memo.pop(999),
        "delete existing": lambda memo: (memo.__delitem__(later_key), later_key in memo)[1],
        "delete missing": lambda memo: memo.__delitem__(12345),
        "getitem missing": lambda memo: memo[12345],
        "update": lambda memo: (memo.update({1000: "a"}, **{"kw": "b"}), memo[1000], memo["kw"])[
            1:
        ],
        "length": lambda memo: len(memo),
        "keys are ints or foreign keys": lambda memo: sorted(
            str(type(key).__name__) for key in memo
        ),
        "popitem takes the newest": lambda memo: memo.popitem()[1],
        "clear": lambda memo: (memo.clear(), len(memo), list(memo))[1:],
        "reuse after clear": lambda memo: (memo.__setitem__(1, "one"), dict(memo.items()))[1],
    }
    for name, operation in operations.items():
        expected = _outcome(operation, memo_ref)
        actual = _outcome(operation, proxy)
        assert actual == expected, f"{name}: dict gives {expected!r}, copium.memo gives {actual!r}"


def _outcome(operation: Callable[[Any], Any], memo: Any) -> Any:
    try:
        return ("returned", operation(memo))
    except Exception as error:  # noqa: BLE001 - compared between the two memos
        return ("raised", type(error))


@scenario("memo proxy: kept after its call, the ids it holds are not reused by new objects")
def proxy_keeps_originals_alive() -> None:
    thief = Thief()
    x = [[f"old {n}"] for n in range(2000)] + [thief]
    _, proxy = _steal(copium, x, thief)
    del x, thief
    gc.collect()
    # New objects are allocated where freed ones were; an id the proxy still maps must
    # belong to an object it keeps alive, or a new object would get an old copy.
    for n in range(20000):
        fresh = [f"fresh {n}"]
        copied = copium.deepcopy(fresh, proxy)
        assert copied == fresh and copied is not fresh, f"a new object got an old copy: {copied!r}"


@scenario("memo proxy: kept proxy and keep-alive list copied, pickled, compared and printed")
def proxy_misuse() -> None:
    x, thief = _input_with_thief()
    _, proxy = _steal(copium, x, thief)
    kept = proxy[id(proxy)]
    for operation in (
        lambda: copium.deepcopy(proxy),
        lambda: stdlib_copy.deepcopy(proxy),
        lambda: copium.copy(proxy),
        lambda: stdlib_copy.copy(proxy),
        lambda: pickle.dumps(proxy),
        lambda: proxy == dict(proxy.items()),
        lambda: proxy == proxy,
        lambda: repr(proxy) + str(proxy),
        lambda: bool(proxy),
        lambda: hash(proxy),
        lambda: proxy.copy(),
        lambda: list(proxy.values()),
        lambda: copium.deepcopy(kept),
        lambda: pickle.dumps(kept),
        lambda: (len(kept), list(kept), kept[0], kept[-1]),
        lambda: kept[10**9],
        lambda: kept[-(10**9)],
        lambda: kept["0"],
        lambda: kept.append(["appended"]),
        lambda: repr(kept),
        lambda: weakref.ref(proxy),
    ):
        _attempt(operation)
    assert copium.deepcopy(x, proxy)[0] is proxy[id(x[0])]


# ------------------------------------------------------------------ while calls run


class Pauser:
    """Keeps the memo, lets another thread use it, and waits until that thread is done."""

    def __init__(self, with_memo: Callable[[Any], None]) -> None:
        self.with_memo = with_memo

    def __deepcopy__(self, memo: Any) -> Stolen:
        worker = threading.Thread(target=self.with_memo, args=(memo,))
        worker.start()
        worker.join()
        return Stolen()


def _used_by_another_thread(module: Any) -> Any:
    shared, later = ["shared"], ["later"]
    seen: list[Any] = []

    def with_memo(memo: Any) -> None:
        # The call that owns this memo is paused in Pauser.__deepcopy__ meanwhile.
        seen.append(len(memo))
        seen.append(sorted(type(key).__name__ for key in memo))
        memo[id(later)] = ["set by another thread"]
        del memo[id(shared)]
        seen.append(module.deepcopy([shared, {"nested": shared}], memo))

    return {"x": [shared, Pauser(with_memo), shared, later, [later]], "seen": seen}


def _call_paused_in_hook(module: Any, box: Any) -> Any:
    # A new list, so that what the other thread saw is compared too.
    return module.deepcopy(box["x"]), list(box["seen"])


CASES["memo proxy: used by another thread while its call is paused in a hook"] = Case(
    "memo proxy: used by another thread while its call is paused in a hook",
    _used_by_another_thread,
    _call_paused_in_hook,
    reusable=False,  # every call appends to the input's log of what the thread saw
)


def _used_by_a_later_call(module: Any) -> Any:
    first_thief = Thief()
    shared = ["shared"]
    first_input = [shared, first_thief]

    def later_hook(memo: Any) -> Any:
        old = STOLEN[-1]
        # A memo kept from an earlier call, used during another call of the same thread.
        return [old.get(id(shared)), module.deepcopy([shared, ["new"]], old), len(old)]

    return {"first": first_input, "later": [shared, _Calls(later_hook)]}


class _Calls:
    def __init__(self, hook: Callable[[Any], Any]) -> None:
        self.hook = hook

    def __deepcopy__(self, memo: Any) -> Any:
        return self.hook(memo)


def _two_calls(module: Any, box: Any) -> Any:
    STOLEN.clear()
    first = module.deepcopy(box["first"])
    try:
        return first, module.deepcopy(box["later"])
    finally:
        STOLEN.clear()


CASES["memo proxy: a memo kept from an earlier call is used during a later one"] = Case(
    "memo proxy: a memo kept from an earlier call is used during a later one",
    _used_by_a_later_call,
    _two_calls,
)


@scenario("memo proxy: used from another thread while this thread keeps copying")
def proxy_shared_with_another_thread() -> None:
    x, thief = _input_with_thief()
    result, proxy = _steal(copium, x, thief)
    errors: list[BaseException] = []

    def hammer() -> None:
        try:
            for n in range(300):
                assert proxy[id(x)] is result
                list(proxy.items())
                proxy[n + 10**6] = [n]
                proxy.pop(n + 10**6)
                assert copium.deepcopy(x, proxy) is result
                kept = proxy[id(proxy)]
                assert len(kept) >= 1
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    worker = threading.Thread(target=hammer)
    worker.start()
    workload = [[n, {"n": (n,)}, Thief()] for n in range(200)]
    reference = stdlib_copy.deepcopy(workload)
    while worker.is_alive():
        assert_same_graph(workload, reference, copium.deepcopy(workload))
        STOLEN.clear()
    worker.join()
    assert not errors, errors


# ------------------------------------------------------------------ finalizers and cycles


class Haunted:
    """Its copy's finalizer uses the kept memo proxy while the proxy releases that copy."""

    proxy: Any = None
    log: list[Any] = []

    def __init__(self, original: bool = True) -> None:
        self.original = original

    def __reduce__(self) -> Any:
        return (Haunted, (False,))

    def __del__(self) -> None:
        proxy = Haunted.proxy
        if self.original or proxy is None:
            return
        Haunted.log.append(len(proxy))
        Haunted.log.append(len(list(proxy.items())))
        proxy[id(self) + 1] = ["written while being released"]
        Haunted.log.append(proxy.get(id(self) + 1))


@scenario("memo proxy: finalizers of its copies use it while it releases them")
def proxy_used_by_finalizers_during_release() -> None:
    for release in (
        lambda proxy: proxy.clear(),
        lambda proxy: [proxy.popitem() for _ in range(len(proxy))],
        lambda proxy: [proxy.__delitem__(key) for key in list(proxy)],
        lambda proxy: [proxy.__setitem__(key, "replaced") for key in list(proxy)],
    ):
        thief = Thief()
        x = [Haunted() for _ in range(20)] + [thief, [Haunted()]]
        result, Haunted.proxy = _steal(copium, x, thief)
        del result  # the copies now live only in the memo
        Haunted.log = []
        _attempt(lambda release=release: release(Haunted.proxy))
        gc.collect()
        assert Haunted.log, "no finalizer ran"
        Haunted.proxy = None


class Keeper:
    """Its copy refers to the memo: a reference cycle memo -> copy -> memo."""

    def __deepcopy__(self, memo: Any) -> Keeper:
        clone = Keeper()
        clone.memo = memo
        return clone


class Marker:
    pass


@scenario("memo proxy: a copy that refers to its memo is still collected (cycle through the memo)")
def cycle_through_memo_is_collected() -> None:
    for module in (stdlib_copy, copium):
        markers = []
        for _ in range(100):
            result = module.deepcopy([Keeper(), [Marker()]])
            markers.append(weakref.ref(result[1][0]))
            del result
        gc.collect()
        alive = sum(marker() is not None for marker in markers)
        assert alive == 0, f"{module.__name__}: {alive} of 100 copies were never freed"
