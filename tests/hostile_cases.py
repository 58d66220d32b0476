"""Hostile inputs: objects and hooks that misbehave while they are being copied.

Each case is registered under a name and is one of:

* a ``Case``: ``make(module)`` builds a fresh input whose hooks call ``module`` (the stdlib
  ``copy`` module or ``copium``), and ``call(module, x)`` runs the copy. Checked by running
  both implementations on twin inputs: copium must raise the stdlib's exception type, or
  return a copy with the stdlib's structure and identity graph (``parity.py``). The leak
  suite reuses these inputs for its copium-only loops.
* a ``Scenario``: a function with its own assertions, for situations with no stdlib twin
  (stolen memo proxies, threads, signals, memory limits, sizes and depths).

Every case ends by checking that the next call in the same thread is clean: correct,
with a fresh memo holding nothing from the hostile call.

The cases live in the ``hostile_*`` modules listed in ``CASE_MODULES``. They run in child
interpreters (``test_hostile.py``), so a crash fails one test. By hand, with this folder
on sys.path: ``python -c "import hostile_cases; hostile_cases.main('case name')"`` prints
"ok" when the case passed.
"""

from __future__ import annotations

import copy as stdlib_copy
import sys
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

from parity import Outcome, assert_same_graph, assert_same_outcome, reachable

import copium

# ------------------------------------------------------------------ the registry


@dataclass
class Case:
    name: str
    make: Callable[[Any], Any]
    call: Callable[[Any, Any], Any]
    # Leak loops skip cases that are slow or that need a fresh process.
    leak_loop: bool = True
    # Whether copying the same input again only repeats the first copy: the leak loops
    # also copy inputs made once, whose refcounts must not move, unless the case keeps
    # adding to its input (a log its hooks append to).
    reusable: bool = True
    # Twins: each implementation copies its own input, made by the same code. Without,
    # both copy one input, which is then compared by identity (its hooks keep no state).
    twins: bool = True
    # More to check once the outcomes match: check(stdlib's input, its outcome, copium's
    # input, its outcome).
    check: Optional[Callable[[Any, Outcome, Any, Outcome], None]] = None

    def run(self) -> None:
        original = self.make(stdlib_copy)
        twin = self.make(copium) if self.twins else original
        reference = capture(self.call, stdlib_copy, original)
        candidate = capture(self.call, copium, twin)
        assert_same_outcome(original, reference, candidate, twin=twin)
        if self.check is not None:
            self.check(original, reference, twin, candidate)

    def run_copium_only(self) -> None:
        """One copium call, any outcome accepted: what the leak loops repeat."""
        x = self.make(copium)
        try:
            self.call(copium, x)
        except BaseException as error:  # noqa: BLE001 - every error path is exercised on purpose
            forget_traceback(error)


@dataclass
class Scenario:
    name: str
    run: Callable[[], None]
    slow: bool = False
    posix_only: bool = False
    linux_only: bool = False


CASES: dict[str, Union[Case, Scenario]] = {}


def deepcopy_call(module: Any, x: Any) -> Any:
    return module.deepcopy(x)


def shallow_call(module: Any, x: Any) -> Any:
    return module.copy(x)


def case(name: str, *, call: Callable[[Any, Any], Any] = deepcopy_call, **options: Any):
    """Register ``make(module) -> input`` as a Case compared with the stdlib."""

    def register(make: Callable[[Any], Any]) -> Callable[[Any], Any]:
        assert name not in CASES, name
        CASES[name] = Case(name, make, call, **options)
        return make

    return register


def scenario(name: str, **options: Any):
    """Register a function with its own assertions as a Scenario."""

    def register(run: Callable[[], None]) -> Callable[[], None]:
        assert name not in CASES, name
        CASES[name] = Scenario(name, run, **options)
        return run

    return register


def forget_traceback(error: BaseException) -> None:
    """Drop the traceback of a caught exception that hooks raise again and again: each
    raise of the same exception object adds to its traceback, which holds the frames (and
    through them the inputs) of every earlier raise."""
    error.with_traceback(None)


def capture(function: Callable[..., Any], *args: Any) -> Outcome:
    """Like ``parity.outcome_of`` but also records BaseExceptions (KeyboardInterrupt...)."""
    try:
        return Outcome(value=function(*args))
    except BaseException as error:  # noqa: BLE001 - the exception is the observation
        return Outcome(error=error)


# ------------------------------------------------------------------ the clean-state check


class _MemoProbe:
    """Records which ids the memo a ``__deepcopy__`` receives already holds."""

    seen: Optional[list[int]] = None

    def __deepcopy__(self, memo: Any) -> _MemoProbe:
        _MemoProbe.seen = [key for key in memo if key != id(memo)]
        return _MemoProbe()


def assert_next_call_is_clean() -> None:
    """A normal copy right after a hostile one: correct, and its memo starts empty."""
    assert sys.exc_info()[1] is None, "an exception is still being handled"
    shared = [1, "two"]
    x: dict[str, Any] = {"a": shared, "b": (shared, [3]), "probe": _MemoProbe()}
    x["self"] = x
    reference = stdlib_copy.deepcopy(x)
    _MemoProbe.seen = None
    result = copium.deepcopy(x)
    assert_same_graph(x, reference, result)
    originals = reachable(x)
    stale = [key for key in (_MemoProbe.seen or []) if key not in originals]
    assert not stale, f"the memo of a new call holds {len(stale)} entries from elsewhere"
    assert copium.copy(x) == stdlib_copy.copy(x)


# The modules that register cases, one per kind of hostility.
CASE_MODULES = [
    "hostile_mutation",
    "hostile_protocols",
    "hostile_interrupts",
    "hostile_reentry",
    "hostile_memo_proxy",
    "hostile_scale",
]


def load_all() -> dict[str, Union[Case, Scenario]]:
    import importlib

    for module in CASE_MODULES:
        importlib.import_module(module)
    return CASES


def main(name: str) -> None:
    """Run one case, then the clean-state check; print "ok" if both passed."""
    load_all()
    CASES[name].run()
    assert_next_call_is_clean()
    print("ok")


RESULT_PREFIX = "hostile-case-result: "


def main_batch(names: list[str]) -> None:
    """Run cases one after the other in this interpreter, printing one result line each
    (RESULT_PREFIX + JSON: name, ok, detail) as soon as it is known. A case that crashes
    the interpreter is the first one without a result line."""
    import contextlib
    import io
    import json
    import traceback

    load_all()
    for name in names:
        output = io.StringIO()
        try:
            with contextlib.redirect_stdout(output):
                CASES[name].run()
                assert_next_call_is_clean()
        except BaseException:  # noqa: BLE001 - reported, including KeyboardInterrupt leaks
            ok, detail = False, output.getvalue() + traceback.format_exc()
        else:
            ok, detail = True, output.getvalue()
        sys.stdout.write(
            RESULT_PREFIX + json.dumps({"name": name, "ok": ok, "detail": detail}) + "\n"
        )
        sys.stdout.flush()
