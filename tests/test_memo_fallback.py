"""The memo fallback: a ``__deepcopy__`` that fails on copium's native memo is tried again
with a dict memo.

Some ``__deepcopy__`` implementations (often in extension types) insist on a real dict memo
and raise TypeError or AssertionError when handed the ``copium.memo`` proxy. Such an error
does not say that the memo was the problem, so the retry is a guess:

- when the retry works, the copy goes on, and with ``on_incompatible="warn"`` (the default)
  one UserWarning says what happened and how to avoid it;
- when the retry fails too, the first error propagates exactly as it was raised (the same
  object, traceback and chaining), with no warning, and user code has run twice at most;
- ``"silent"`` retries without the warning, ``"raise"`` does not retry, and
  ``suppress_warnings`` hides the warnings whose error text contains one of its entries.
"""

from __future__ import annotations

import copy
import subprocess
import sys
import tempfile
import textwrap
import traceback
import warnings
from collections.abc import Iterator
from typing import Any, Optional

import pytest

import copium
import copium.config


@pytest.fixture(autouse=True)
def default_settings() -> Iterator[None]:
    # The suite may run with COPIUM_* variables set: start each test from the defaults.
    saved = copium.config.get()
    copium.config.apply(memo="native", on_incompatible="warn", suppress_warnings=None)
    yield
    copium.config.apply(**saved)


class NeedsDictMemo:
    """Like some extension types: its __deepcopy__ rejects anything but a dict memo."""

    calls = 0

    def __init__(self, items: list[int]) -> None:
        self.items = items

    def __deepcopy__(self, memo: Any) -> NeedsDictMemo:
        type(self).calls += 1
        if not isinstance(memo, dict):
            raise TypeError(f"memo must be a dict, not {type(memo).__name__}")
        return NeedsDictMemo(copy.deepcopy(self.items, memo))


class AssertsDictMemo:
    """The same, failing with an assertion as some C-level checks do."""

    def __deepcopy__(self, memo: Any) -> AssertsDictMemo:
        assert type(memo) is dict, "expected the memo to be exactly a dict"
        return AssertsDictMemo()


class AlwaysFails:
    """A __deepcopy__ whose TypeError has nothing to do with the memo: the retry fails too.

    The first attempt raises ``first`` (chained to a cause, while handling a KeyError); every
    later attempt raises ``later``. The errors are kept so tests can compare identities.
    """

    def __init__(self, later: Optional[BaseException] = None) -> None:
        self.calls = 0
        self.cause = ValueError("the reason behind it")
        self.first: Optional[TypeError] = None
        self.later = later if later is not None else TypeError("a later attempt")

    def __deepcopy__(self, memo: Any) -> AlwaysFails:
        self.calls += 1
        if self.calls > 1:
            raise self.later
        try:
            {}["missing"]
        except KeyError:
            self.first = TypeError("Point() takes 2 positional arguments but 3 were given")
            raise self.first from self.cause


def copy_recording_warnings(obj: Any) -> tuple[Any, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = copium.deepcopy(obj)
    return result, caught


def fail_recording_warnings(obj: Any) -> tuple[BaseException, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(BaseException) as raised:
            copium.deepcopy(obj)
    return raised.value, caught


# ---------------------------------------------------------------------- the retry works


@pytest.mark.parametrize("cls", [NeedsDictMemo, AssertsDictMemo])
def test_a_retry_that_works_copies_and_warns_once(cls: type) -> None:
    original = cls([7]) if cls is NeedsDictMemo else cls()
    result, caught = copy_recording_warnings({"key": original})
    assert isinstance(result["key"], cls) and result["key"] is not original
    assert [w.category for w in caught] == [UserWarning]
    # Attributed to the line that asked for the copy.
    assert caught[0].filename == __file__


def test_the_warning_names_the_class_the_error_and_the_ways_out() -> None:
    _, caught = copy_recording_warnings([NeedsDictMemo([1])])
    message = str(caught[0].message)
    error = "TypeError: memo must be a dict, not memo"
    assert f"{__name__}.NeedsDictMemo.__deepcopy__" in message
    assert error in message
    for way_out in (
        "copium.deepcopy(x, {})",
        'copium.config.apply(memo="dict")',
        "COPIUM_USE_DICT_MEMO=1",
        'copium.config.apply(on_incompatible="raise")',
        "COPIUM_NO_MEMO_FALLBACK=1",
        f"copium.config.apply(suppress_warnings=[{error!r}])",
        f"COPIUM_NO_MEMO_FALLBACK_WARNING='{error}'",
    ):
        assert way_out in message
    # The rejection's own traceback, down to the line in __deepcopy__ that raised.
    assert "Traceback (most recent call last):" in message
    assert 'raise TypeError(f"memo must be a dict, not {type(memo).__name__}")' in message


def test_each_copy_that_needs_the_retry_warns() -> None:
    _, caught = copy_recording_warnings([NeedsDictMemo([1]), NeedsDictMemo([2])])
    assert len(caught) == 2


def test_the_retried_copy_shares_what_the_rest_of_the_copy_shares() -> None:
    shared = [1]
    holder = NeedsDictMemo(shared)
    result, _ = copy_recording_warnings([shared, holder, shared])
    assert result[0] is result[2] is result[1].items
    assert result[0] == [1] and result[0] is not shared


def test_the_retry_runs_the_hook_twice_in_all() -> None:
    NeedsDictMemo.calls = 0
    copy_recording_warnings(NeedsDictMemo([1]))
    assert NeedsDictMemo.calls == 2


# ---------------------------------------------------------------------- the retry fails too


def test_when_the_retry_fails_the_first_error_propagates_as_it_was() -> None:
    hook = AlwaysFails()
    error, caught = fail_recording_warnings([hook])
    assert error is hook.first
    assert error.__cause__ is hook.cause
    assert isinstance(error.__context__, KeyError)
    assert caught == []
    assert hook.calls == 2


def test_when_the_retry_fails_the_traceback_is_the_first_attempts() -> None:
    hook = AlwaysFails()
    error, _ = fail_recording_warnings(hook)
    innermost = traceback.extract_tb(error.__traceback__)[-1]
    assert innermost.name == "__deepcopy__"
    assert innermost.line == "raise self.first from self.cause"


@pytest.mark.parametrize(
    "later",
    [TypeError("again"), ValueError("other"), RuntimeError("other")],
    ids=lambda error: type(error).__name__,
)
def test_whatever_the_retry_raises_the_first_error_wins(later: BaseException) -> None:
    hook = AlwaysFails(later)
    error, caught = fail_recording_warnings(hook)
    assert error is hook.first
    assert caught == []


def test_an_interrupt_during_the_retry_is_not_swallowed() -> None:
    interrupt = KeyboardInterrupt()
    hook = AlwaysFails(interrupt)
    error, _ = fail_recording_warnings(hook)
    assert error is interrupt


def test_errors_other_than_type_and_assertion_errors_are_not_retried() -> None:
    class Fails:
        calls = 0

        def __deepcopy__(self, memo: Any) -> None:
            Fails.calls += 1
            raise ValueError("not about the memo")

    error, caught = fail_recording_warnings(Fails())
    assert isinstance(error, ValueError)
    assert (Fails.calls, caught) == (1, [])


# ---------------------------------------------------------------------- on_incompatible and suppress_warnings


def test_raise_propagates_the_first_error_without_a_retry() -> None:
    copium.config.apply(on_incompatible="raise")
    hook = AlwaysFails()
    error, caught = fail_recording_warnings(hook)
    assert error is hook.first
    assert (hook.calls, caught) == (1, [])


@pytest.mark.parametrize(
    ("cls", "error"), [(NeedsDictMemo, TypeError), (AssertsDictMemo, AssertionError)]
)
def test_raise_propagates_memo_rejections(cls: type, error: type) -> None:
    copium.config.apply(on_incompatible="raise")
    original = cls([1]) if cls is NeedsDictMemo else cls()
    with pytest.raises(error, match="dict"):  # type: ignore[call-overload]
        copium.deepcopy([original])


def test_silent_retries_without_a_warning() -> None:
    copium.config.apply(on_incompatible="silent")
    result, caught = copy_recording_warnings([NeedsDictMemo([1]), AssertsDictMemo()])
    assert result[0].items == [1]
    assert isinstance(result[1], AssertsDictMemo)
    assert caught == []


def test_silent_still_propagates_the_first_error_when_the_retry_fails() -> None:
    copium.config.apply(on_incompatible="silent")
    hook = AlwaysFails()
    error, caught = fail_recording_warnings(hook)
    assert error is hook.first
    assert (hook.calls, caught) == (2, [])


@pytest.mark.parametrize(
    "entry",
    [
        "TypeError: memo must be a dict, not memo",  # what the warning suggests
        "memo must be a dict, not memo",  # the message alone
        "be a dict, not memo",  # its ending, as copium 0.1.0 matched
        "must be a dict",  # any part of it
    ],
)
def test_suppress_warnings_hides_warnings_whose_error_text_contains_an_entry(entry: str) -> None:
    copium.config.apply(suppress_warnings=["unrelated", entry])
    result, caught = copy_recording_warnings(NeedsDictMemo([3]))
    assert result.items == [3]
    assert caught == []


def test_suppress_warnings_keeps_warnings_that_do_not_match() -> None:
    copium.config.apply(suppress_warnings=["some other error", "ValueError"])
    _, caught = copy_recording_warnings(NeedsDictMemo([3]))
    assert [w.category for w in caught] == [UserWarning]


# ---------------------------------------------------------------------- warnings as errors


def run_with_warnings_as_errors(hook_source: str) -> subprocess.CompletedProcess:
    script = textwrap.dedent(hook_source) + "\nimport copium\ncopium.deepcopy([Hook()])\n"
    return subprocess.run(
        [sys.executable, "-I", "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=tempfile.gettempdir(),  # not a source checkout: the installed copium is imported
    )


def test_under_w_error_a_failing_retry_surfaces_the_real_error() -> None:
    child = run_with_warnings_as_errors(
        """
        class Hook:
            def __deepcopy__(self, memo):
                raise TypeError("the real error")
        """
    )
    assert child.returncode == 1
    assert child.stderr.rstrip().endswith("TypeError: the real error"), child.stderr
    assert "UserWarning" not in child.stderr


def test_under_w_error_a_working_retry_raises_its_warning() -> None:
    child = run_with_warnings_as_errors(
        """
        class Hook:
            def __deepcopy__(self, memo):
                if not isinstance(memo, dict):
                    raise TypeError("memo must be a dict")
                return Hook()
        """
    )
    assert child.returncode == 1
    assert "UserWarning: \ncopium: __main__.Hook.__deepcopy__ rejected" in child.stderr
