"""Hostile cases: KeyboardInterrupt and MemoryError.

Raised by a user hook at every place where copying calls user code, they must reach the
caller as the very same exception, like any other error. Delivered as signals at arbitrary
moments of a long copy, and as real allocation failures under a memory limit, they must
abort the copy cleanly (or let it finish), never crash the interpreter, and leave the next
call clean.
"""

from __future__ import annotations

import copy as stdlib_copy
import copyreg
import threading
import time
from typing import Any, Callable, Optional

from hostile_cases import CASES, Case, assert_next_call_is_clean, capture, scenario, shallow_call
from parity import assert_same_graph
from sample_types import Plain

import copium

# The exception the copium twin's hook raised last; the case checks copium raised this one.
RAISED: list[Optional[BaseException]] = [None]


def _raise(error: BaseException) -> Callable[..., Any]:
    def hook(*args: Any, **kwargs: Any) -> Any:
        raise error

    return hook


def _with(**methods: Any) -> Any:
    """An instance of a new Plain subclass whose methods are ``methods``."""
    return type("Hooked", (Plain,), methods)()


class RaisingIterator:
    def __init__(self, error: BaseException) -> None:
        self.error = error

    def __iter__(self) -> RaisingIterator:
        return self

    def __next__(self) -> Any:
        raise self.error


class KeyFailingOnceArmed:
    """Hashes (or compares) fine until armed; its copy is armed, so inserting it fails."""

    def __init__(self, error: BaseException, hash_fails: bool) -> None:
        # Held by a function, which copies share: they raise this very exception.
        self.fail, self.hash_fails, self.armed = _raise(error), hash_fails, False

    def __hash__(self) -> int:
        if self.armed and self.hash_fails:
            self.fail()
        return 7

    def __eq__(self, other: Any) -> bool:
        if self.armed and not self.hash_fails:
            self.fail()
        return self is other


class RaisingMemo(dict):
    """A caller memo whose lookup (get, or __contains__ from 3.15) or __setitem__ raises."""

    def __init__(self, error: BaseException, method: str) -> None:
        super().__init__()
        self.error, self.method = error, method

    def get(self, key: Any, default: Any = None) -> Any:
        if self.method == "lookup":
            raise self.error
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        if self.method == "lookup":
            raise self.error
        return super().__contains__(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        if self.method == "__setitem__":
            raise self.error
        super().__setitem__(key, value)


class NewRaises(Plain):
    """Rebuilt through ``copyreg.__newobj__``, whose ``cls.__new__`` raises ``error``."""

    def __new__(cls, *args: Any) -> Any:
        raise RAISED[0]  # type: ignore[misc]


def _new_raises(error: BaseException) -> Any:
    return object.__new__(NewRaises)


class Registered(Plain):
    """Copied through a copyreg.dispatch_table reducer, which raises the instance's error."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def _reduce_registered(obj: Registered) -> Any:
    raise obj.error


copyreg.pickle(Registered, _reduce_registered)


def _reducer_raises(error: BaseException) -> Any:
    return Registered(error)


def _armed_key(error: BaseException, hash_fails: bool) -> dict[Any, Any]:
    keys = [KeyFailingOnceArmed(error, hash_fails) for _ in range(2)]
    mapping = {keys[0]: 1, keys[1]: 2}
    for key in keys:
        key.armed = True
    return mapping


def _nested_50_levels(error: BaseException) -> Any:
    node: Any = _with(__deepcopy__=_raise(error))
    for depth in range(50):
        node = [{"level": depth, "child": (node, [depth])}]
    return node


def _after_1000_items(error: BaseException) -> Any:
    return [[n, {"n": n}] for n in range(1000)] + [_with(__deepcopy__=_raise(error))]


SITES: dict[str, Callable[[BaseException], Any]] = {
    "__deepcopy__": lambda error: [[1], _with(__deepcopy__=_raise(error))],
    "__reduce_ex__": lambda error: [[1], _with(__reduce_ex__=_raise(error))],
    "__reduce__": lambda error: [[1], _with(__reduce__=_raise(error))],
    "__getstate__": lambda error: [[1], _with(__getstate__=_raise(error))],
    "__setstate__": lambda error: [[1], _with(__setstate__=_raise(error))],
    "__getnewargs_ex__": lambda error: [[1], _with(__getnewargs_ex__=_raise(error))],
    "__new__ (through copyreg.__newobj__)": lambda error: [[1], _new_raises(error)],
    "the reconstructor": lambda error: [
        [1],
        _with(__reduce_ex__=lambda self, p: (_raise(error), ())),
    ],
    "append (list items)": lambda error: [
        _with(
            append=_raise(error), __reduce_ex__=lambda self, p: (type(self), (), None, iter([[1]]))
        )
    ],
    "__setitem__ (dict items)": lambda error: [
        _with(
            __setitem__=_raise(error),
            __reduce_ex__=lambda self, p: (type(self), (), None, None, iter([(1, [2])])),
        )
    ],
    "the list items iterator": lambda error: [
        _with(
            append=lambda self, item: None,
            __reduce_ex__=lambda self, p: (type(self), (), None, RaisingIterator(error)),
        )
    ],
    "__getattr__ (looking up __deepcopy__)": lambda error: [_with(__getattr__=_raise(error))],
    "a copyreg.dispatch_table reducer": lambda error: [[1], _reducer_raises(error)],
    "__hash__ of a dict key's copy": lambda error: _armed_key(error, hash_fails=True),
    "__eq__ of colliding dict keys' copies": lambda error: _armed_key(error, hash_fails=False),
    "__deepcopy__ 50 levels deep": _nested_50_levels,
    "__deepcopy__ after 1000 items were copied": _after_1000_items,
}

CALL_SITES: dict[str, Callable[[BaseException], Any]] = {
    "the lookup of the caller's memo": lambda error: RaisingMemo(error, "lookup"),
    "__setitem__ of the caller's memo": lambda error: RaisingMemo(error, "__setitem__"),
}


def _check_same_instance(original: Any, reference: Any, twin: Any, candidate: Any) -> None:
    assert candidate.error is RAISED[0], (
        f"copium raised {candidate.error!r}, not the hook's exception"
    )


def _register(error_type: type) -> None:
    def maker(build: Callable[[BaseException], Any]) -> Callable[[Any], Any]:
        def make(module: Any) -> Any:
            RAISED[0] = error_type(f"raised by a hook for {module.__name__}")
            return build(RAISED[0])

        return make

    for site, build in SITES.items():
        name = f"{error_type.__name__} raised by {site}"
        CASES[name] = Case(
            name, maker(build), lambda module, x: module.deepcopy(x), check=_check_same_instance
        )

    name = f"{error_type.__name__} raised by __copy__ (shallow copy)"
    CASES[name] = Case(
        name,
        maker(lambda error: _with(__copy__=_raise(error))),
        shallow_call,
        check=_check_same_instance,
    )

    for site, build_memo in CALL_SITES.items():
        name = f"{error_type.__name__} raised by {site}"

        def make_input(module: Any, build_memo: Callable[[BaseException], Any] = build_memo) -> Any:
            RAISED[0] = error_type(f"raised by a memo for {module.__name__}")
            return {"memo": build_memo(RAISED[0]), "x": [[1], {"k": [2]}]}

        CASES[name] = Case(
            name,
            make_input,
            lambda module, box: module.deepcopy(box["x"], box["memo"]),
            check=_check_same_instance,
        )


for _error_type in (KeyboardInterrupt, MemoryError):
    _register(_error_type)


# ------------------------------------------------------------------ signals during a copy


class Interrupted(Exception):
    """What the signal handlers below raise."""


class SlowHook:
    """Gives the interpreter a chance to run signal handlers during a copy."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __deepcopy__(self, memo: Any) -> SlowHook:
        return SlowHook(self.n)


def _hooked_workload() -> list[Any]:
    return [{"n": n, "hook": SlowHook(n), "items": [n, (n, [n])]} for n in range(20_000)]


def _inside_a_hook(frame: Any) -> bool:
    # The handler runs at the interpreter's next check, which on 3.13 is usually in the
    # hook's callee (`SlowHook.__init__`), so the hook is looked for up the stack.
    while frame is not None:
        if frame.f_code is SlowHook.__deepcopy__.__code__:
            return True
        frame = frame.f_back
    return False


@scenario("signal: Ctrl-C (interrupt_main) at a random moment of a long copy with hooks", slow=True)
def interrupt_main_during_copy() -> None:
    import _thread
    import random
    import signal

    where: list[str] = []

    def handler(signum: int, frame: Any) -> None:
        where.append("inside" if _inside_a_hook(frame) else "outside")
        raise Interrupted()

    workload = _hooked_workload()
    reference = stdlib_copy.deepcopy(workload)
    rng = random.Random(1234)
    previous = signal.signal(signal.SIGINT, handler)
    try:
        for _ in range(20):
            delay = rng.uniform(0, 0.05)
            timer = threading.Timer(delay, _thread.interrupt_main)
            result = None
            try:
                timer.start()
                result = copium.deepcopy(workload)
                while True:  # a copy that finished first meets the interrupt here
                    time.sleep(0.0005)
            except Interrupted:
                pass
            timer.join()
            if result is not None:
                assert_same_graph(workload, reference, result)
            assert_next_call_is_clean()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert len(where) == 20, where
    assert "inside" in where, f"no interrupt arrived during a copy: {where}"
    print({place: where.count(place) for place in ("inside", "outside")})


@scenario(
    "signal: a SIGALRM handler raising at a random moment of 200 copies", slow=True, posix_only=True
)
def itimer_during_copies() -> None:
    import random
    import signal

    armed = [False]

    def handler(signum: int, frame: Any) -> None:
        if armed[0]:
            raise Interrupted()

    def copy_while_armed() -> Any:
        armed[0] = True
        try:
            return copium.deepcopy(workload)
        finally:
            armed[0] = False

    workload = _hooked_workload()[:500]
    reference = stdlib_copy.deepcopy(workload)
    started = time.perf_counter()
    copium.deepcopy(workload)
    duration = time.perf_counter() - started
    rng = random.Random(4321)
    counts = {"copied": 0, "interrupted": 0}
    previous = signal.signal(signal.SIGALRM, handler)
    try:
        for _ in range(200):
            # One alarm per copy, at a moment up to 1.5 times as long as a copy takes.
            signal.setitimer(signal.ITIMER_REAL, rng.uniform(1e-5, 1.5 * duration))
            outcome = capture(copy_while_armed)
            signal.setitimer(signal.ITIMER_REAL, 0)
            if outcome.raised:
                assert isinstance(outcome.error, Interrupted), repr(outcome.error)
                counts["interrupted"] += 1
            else:
                counts["copied"] += 1
                assert_same_graph(workload, reference, outcome.value)
            assert_next_call_is_clean()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert counts["interrupted"] > 0 and counts["copied"] > 0, counts
    print(counts)


# ------------------------------------------------------------------ real allocation failures


def _virtual_memory_size() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmSize in /proc/self/status")


@scenario(
    "memory: copies that run out of memory under an address-space limit", slow=True, linux_only=True
)
def copies_under_memory_limit() -> None:
    import resource

    # About 100 MB to copy: a large list of small lists, plus objects and dicts.
    workload = [[n, [n] * 20, {"n": n}] for n in range(200_000)]
    outcomes: dict[int, list[str]] = {}
    for headroom_mb in (2, 8, 24, 48, 96):
        limit = _virtual_memory_size() + headroom_mb * 2**20
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        try:
            tries = []
            for _ in range(3):
                outcome = capture(copium.deepcopy, workload)
                assert not outcome.raised or isinstance(outcome.error, MemoryError), repr(
                    outcome.error
                )
                tries.append("MemoryError" if outcome.raised else "copied")
                del outcome
            outcomes[headroom_mb] = tries
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        assert_next_call_is_clean()
    assert any("MemoryError" in tries for tries in outcomes.values()), outcomes
    print(outcomes)
