"""copium.config: which memo custom __deepcopy__ methods get, and the memo fallback.

Some ``__deepcopy__`` implementations (often in extension types) insist on a real dict
memo and raise TypeError or AssertionError when handed copium's native memo proxy.
``on_incompatible`` decides what copium does then; ``memo="dict"`` avoids the proxy.
The fallback itself is tested in ``test_memo_fallback.py``; copium 0.1.0's top-level
spellings of these settings in ``test_compat_010.py``.
"""

from __future__ import annotations

import collections.abc
import copy
import json
import os
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from engine_state import MemoProbe

import copium
import copium.config

DEFAULTS = {"memo": "native", "on_incompatible": "warn", "suppress_warnings": []}


class NeedsDictMemo:
    """Like some extension types: its __deepcopy__ rejects anything but a dict memo."""

    def __init__(self, items: list[int]) -> None:
        self.items = items

    def __deepcopy__(self, memo: Any) -> NeedsDictMemo:
        if not isinstance(memo, dict):
            raise TypeError(f"memo must be a dict, not {type(memo).__name__}")
        return NeedsDictMemo(copy.deepcopy(self.items, memo))


class AssertsDictMemo:
    """The same, failing with an assertion as some C-level checks do."""

    def __deepcopy__(self, memo: Any) -> AssertsDictMemo:
        if type(memo) is not dict:
            raise AssertionError("expected the memo to be exactly a dict")
        return AssertsDictMemo()


@pytest.fixture(autouse=True)
def default_settings() -> Iterator[None]:
    # The suite may run with COPIUM_* variables set: start each test from the defaults.
    saved = copium.config.get()
    copium.config.apply(**DEFAULTS)  # type: ignore[arg-type]
    yield
    copium.config.apply(**saved)


def deepcopy_recording_warnings(obj: Any) -> tuple[Any, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = copium.deepcopy(obj)
    return result, caught


# Settings


def test_get_returns_the_defaults() -> None:
    assert copium.config.get() == DEFAULTS


def test_apply_changes_only_what_is_given() -> None:
    copium.config.apply(memo="dict")
    assert copium.config.get() == {**DEFAULTS, "memo": "dict"}
    copium.config.apply(on_incompatible="silent")
    assert copium.config.get() == {**DEFAULTS, "memo": "dict", "on_incompatible": "silent"}
    copium.config.apply(suppress_warnings=["some error"])
    assert copium.config.get() == {
        "memo": "dict",
        "on_incompatible": "silent",
        "suppress_warnings": ["some error"],
    }


def test_suppress_warnings_accepts_any_iterable_and_none_clears_it() -> None:
    copium.config.apply(suppress_warnings=(text for text in ["a", "b"]))
    assert copium.config.get()["suppress_warnings"] == ["a", "b"]
    copium.config.apply(suppress_warnings=None)
    assert copium.config.get()["suppress_warnings"] == []


def test_get_returns_a_snapshot_that_apply_accepts_back() -> None:
    copium.config.apply(memo="dict", suppress_warnings=["x"])
    settings = copium.config.get()
    settings["suppress_warnings"].append("not applied")
    assert copium.config.get()["suppress_warnings"] == ["x"]
    copium.config.apply(**DEFAULTS)  # type: ignore[arg-type]
    copium.config.apply(**copium.config.get())
    assert copium.config.get() == DEFAULTS


# The messages are copium 0.1.0's (tests/test_compat_010.py), shared with copium.configure().
@pytest.mark.parametrize(
    ("settings", "error", "message"),
    [
        ({"memo": "fast"}, ValueError, "memo must be 'native' or 'dict', got 'fast'"),
        (
            {"memo": None},
            TypeError,
            "argument 'memo': 'NoneType' object is not an instance of 'str'",
        ),
        (
            {"on_incompatible": "ignore"},
            ValueError,
            "on_incompatible must be 'warn', 'raise', or 'silent', got 'ignore'",
        ),
        (
            {"on_incompatible": True},
            TypeError,
            "argument 'on_incompatible': 'bool' object is not an instance of 'str'",
        ),
        (
            {"suppress_warnings": "one text"},
            TypeError,
            "suppress_warnings must be a list of error texts (str) or None, "
            "not a single str: use ['one text']",
        ),
        ({"suppress_warnings": 42}, TypeError, "'int' object is not iterable"),
        (
            {"suppress_warnings": ["ok", 42]},
            TypeError,
            "suppress_warnings[1] must be a 'str', got 'int'",
        ),
    ],
)
def test_invalid_values_are_rejected_with_what_was_wrong(
    settings: dict[str, Any], error: type, message: str
) -> None:
    with pytest.raises(error) as raised:  # type: ignore[call-overload]
        copium.config.apply(**settings)
    assert str(raised.value) == message


def test_a_rejected_apply_changes_nothing() -> None:
    with pytest.raises(ValueError):
        copium.config.apply(memo="dict", on_incompatible="sometimes")  # type: ignore[arg-type]
    assert copium.config.get() == DEFAULTS


def test_apply_without_arguments_changes_nothing() -> None:
    copium.config.apply(memo="dict", suppress_warnings=["x"])
    copium.config.apply()
    assert copium.config.get() == {**DEFAULTS, "memo": "dict", "suppress_warnings": ["x"]}


def test_apply_takes_keywords_only() -> None:
    with pytest.raises(TypeError):
        copium.config.apply("dict")  # type: ignore[misc]
    with pytest.raises(TypeError):
        copium.config.apply(memo_kind="dict")  # type: ignore[call-arg]


def test_environment_is_read_only_once_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    # (Until copium.configure() is called without arguments: that reads it again.)
    monkeypatch.setenv("COPIUM_USE_DICT_MEMO", "1")
    monkeypatch.setenv("COPIUM_NO_MEMO_FALLBACK", "1")
    assert copium.config.get() == DEFAULTS
    probe = MemoProbe()
    copium.deepcopy(probe)
    assert isinstance(probe.memo, copium.memo)


# Which memo __deepcopy__ receives


def test_native_memo_gives_custom_deepcopy_a_copium_memo_mapping() -> None:
    probe = MemoProbe()
    copium.deepcopy(probe)
    assert isinstance(probe.memo, copium.memo)
    assert isinstance(probe.memo, collections.abc.MutableMapping)


def test_dict_memo_gives_custom_deepcopy_a_real_dict() -> None:
    copium.config.apply(memo="dict")
    probe = MemoProbe()
    copium.deepcopy(probe)
    assert type(probe.memo) is dict


@pytest.mark.parametrize("memo_setting", ["native", "dict"])
def test_a_caller_memo_is_handed_over_unchanged(memo_setting: str) -> None:
    class CallerMemo(collections.UserDict):  # type: ignore[type-arg]
        pass

    copium.config.apply(memo=memo_setting)  # type: ignore[arg-type]
    for memo in ({}, CallerMemo()):
        probe = MemoProbe()
        copium.deepcopy(probe, memo)
        assert probe.memo is memo


def test_dict_memo_makes_dict_only_deepcopy_work_without_any_warning() -> None:
    copium.config.apply(memo="dict", on_incompatible="raise")
    original = [NeedsDictMemo([1, 2]), AssertsDictMemo()]
    result, caught = deepcopy_recording_warnings(original)
    assert result[0].items == [1, 2] and result[0].items is not original[0].items
    assert caught == []


def test_changing_settings_while_other_threads_copy() -> None:
    copium.config.apply(on_incompatible="silent")
    data = {"holders": [NeedsDictMemo([i, i]) for i in range(10)], "plain": list(range(20))}
    stop = threading.Event()
    errors: list[BaseException] = []

    def copy_until_stopped() -> None:
        try:
            while not stop.is_set():
                result = copium.deepcopy(data)
                assert [h.items for h in result["holders"]] == [[i, i] for i in range(10)]
                assert result["plain"] == data["plain"]
        except BaseException as error:  # reported below, from the main thread
            errors.append(error)

    threads = [threading.Thread(target=copy_until_stopped) for _ in range(3)]
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        for thread in threads:
            thread.start()
        for i in range(300):
            copium.config.apply(memo="dict" if i % 2 else "native", suppress_warnings=[str(i)])
            settings = copium.config.get()
            assert settings["on_incompatible"] == "silent"
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        sys.setswitchinterval(old_interval)
    assert errors == []
    assert copium.config.get() == {
        "memo": "dict",
        "on_incompatible": "silent",
        "suppress_warnings": ["299"],
    }


# Environment variables, each in a fresh interpreter

REPORT_CONFIG = """
import json, warnings
import copium, copium.config

class NeedsDictMemo:
    def __deepcopy__(self, memo):
        if not isinstance(memo, dict):
            raise TypeError("memo must be a dict for NeedsDictMemo")
        return NeedsDictMemo()

class MemoProbe:
    memo_type = None
    def __deepcopy__(self, memo):
        MemoProbe.memo_type = "dict" if type(memo) is dict else "proxy"
        return self

copium.deepcopy(MemoProbe())
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        copium.deepcopy(NeedsDictMemo())
        outcome = "copied"
    except TypeError:
        outcome = "raised"
print(json.dumps({
    "settings": copium.config.get(),
    "memo_type": MemoProbe.memo_type,
    "outcome": outcome,
    "warnings": len(caught),
}))
"""


def start_python(tmp_path: Path, **environment: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPIUM_")}
    env.update(environment)
    child = subprocess.run(
        [sys.executable, "-c", REPORT_CONFIG],
        env=env,
        cwd=tmp_path,  # not a source checkout, so the installed copium is imported
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    report: dict[str, Any] = json.loads(child.stdout)
    return report


def test_without_variables_a_new_process_has_the_defaults(tmp_path: Path) -> None:
    report = start_python(tmp_path)
    assert report == {
        "settings": DEFAULTS,
        "memo_type": "proxy",
        "outcome": "copied",
        "warnings": 1,
    }


def test_env_use_dict_memo(tmp_path: Path) -> None:
    report = start_python(tmp_path, COPIUM_USE_DICT_MEMO="1")
    assert report["settings"] == {**DEFAULTS, "memo": "dict"}
    assert report["memo_type"] == "dict"
    assert (report["outcome"], report["warnings"]) == ("copied", 0)


def test_env_no_memo_fallback(tmp_path: Path) -> None:
    report = start_python(tmp_path, COPIUM_NO_MEMO_FALLBACK="1")
    assert report["settings"] == {**DEFAULTS, "on_incompatible": "raise"}
    assert report["outcome"] == "raised"


def test_env_no_memo_fallback_warning_suppresses_matching_text(tmp_path: Path) -> None:
    report = start_python(tmp_path, COPIUM_NO_MEMO_FALLBACK_WARNING="dict for NeedsDictMemo")
    assert report["settings"] == {**DEFAULTS, "suppress_warnings": ["dict for NeedsDictMemo"]}
    assert (report["outcome"], report["warnings"]) == ("copied", 0)


def test_env_flags_that_are_off_change_nothing(tmp_path: Path) -> None:
    report = start_python(tmp_path, COPIUM_USE_DICT_MEMO="0", COPIUM_NO_MEMO_FALLBACK="")
    assert report["settings"] == DEFAULTS
