"""copium 0.1.0's public API, as a program written against that release uses it.

The expected values below were observed by calling copium 0.1.0 (the release on PyPI) on
CPython 3.11: its names, signatures, defaults, return types, error messages and what
``copium.configure()`` does. Where copium today deliberately differs, the test says so
and why; the README's "Using copium" lists the same differences.

0.1.0's top-level ``configure()`` / ``get_config()`` are the same settings as
``copium.config.apply()`` / ``get()`` here, with 0.1.0's calling conventions (see
``copium._compat_config``).
"""

from __future__ import annotations

import copy
import inspect
import os
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

import copium
import copium.config
import copium.extra
import copium.patch
from copium import __about__

DEFAULTS = {"memo": "native", "on_incompatible": "warn", "suppress_warnings": ()}
AMBIGUOUS = (
    "when `memo='dict'`, `on_incompatible` and `suppress_warnings` are ambiguous: "
    "remove them or use `memo='native'`"
)


@pytest.fixture(autouse=True)
def environment_without_copium_variables(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # configure() with no arguments reads the environment: start each test from an empty one
    # and from the defaults, and leave the settings as they were found.
    for name in list(os.environ):
        if name.startswith("COPIUM_"):
            monkeypatch.delenv(name)
    saved = copium.config.get()
    copium.configure()
    yield
    copium.config.apply(**saved)


def keyword_only_parameters(function: Any) -> dict[str, Any]:
    parameters = inspect.signature(function).parameters.values()
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)
    return {p.name: p.default for p in parameters}


# ---------------------------------------------------------------------- the package


def test_the_top_level_names_of_0_1_0_exist() -> None:
    names_0_1_0 = {
        "Error",
        "__about__",
        "config",
        "configure",
        "copy",
        "deepcopy",
        "extra",
        "get_config",
        "memo",
        "patch",
    }
    assert names_0_1_0 <= set(dir(copium))
    assert copium.Error is copy.Error


def test_deepcopy_and_copy_take_their_arguments_by_position() -> None:
    original = {"a": [1]}
    memo: dict[int, Any] = {}
    assert copium.deepcopy(original, memo) == original and memo
    assert copium.copy(original)["a"] is original["a"]


def test_memo_is_the_type_hooks_receive_and_cannot_be_created() -> None:
    assert (copium.memo.__module__, copium.memo.__name__) == ("copium", "memo")
    with pytest.raises(TypeError, match=r"^cannot create 'copium.memo' instances$"):
        copium.memo()
    for method in ("__len__", "clear", "get", "items", "keys", "setdefault", "values"):
        assert callable(getattr(copium.memo, method))


# ---------------------------------------------------------------------- configure() and get_config()


def test_configure_and_get_config_signatures() -> None:
    assert keyword_only_parameters(copium.configure) == {
        "memo": None,
        "on_incompatible": None,
        "suppress_warnings": None,
    }
    assert inspect.signature(copium.get_config).parameters == {}


def test_get_config_returns_the_defaults_with_a_tuple_of_texts() -> None:
    config = copium.get_config()
    assert config == DEFAULTS
    assert [type(value) for value in config.values()] == [str, str, tuple]


def test_get_config_returns_a_new_dict_each_time() -> None:
    assert copium.get_config() is not copium.get_config()


def test_configure_returns_none() -> None:
    assert copium.configure(memo="dict") is None


def test_configure_changes_only_the_settings_given() -> None:
    copium.configure(memo="dict")
    assert copium.get_config() == {**DEFAULTS, "memo": "dict"}
    copium.configure(on_incompatible="silent")
    assert copium.get_config() == {
        "memo": "dict",
        "on_incompatible": "silent",
        "suppress_warnings": (),
    }
    copium.configure(memo="native", suppress_warnings=["x"])
    assert copium.get_config() == {
        "memo": "native",
        "on_incompatible": "silent",
        "suppress_warnings": ("x",),
    }


@pytest.mark.parametrize(
    "no_settings",
    [{}, {"memo": None}, {"memo": None, "on_incompatible": None, "suppress_warnings": None}],
    ids=["no-arguments", "memo-None", "all-None"],
)
def test_configure_without_settings_resets_all_of_them(no_settings: dict[str, None]) -> None:
    copium.configure(on_incompatible="raise", suppress_warnings=["x"])
    copium.configure(**no_settings)
    assert copium.get_config() == DEFAULTS


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"COPIUM_USE_DICT_MEMO": "1"}, {"memo": "dict"}),
        ({"COPIUM_NO_MEMO_FALLBACK": "1"}, {"on_incompatible": "raise"}),
        ({"COPIUM_NO_MEMO_FALLBACK_WARNING": "a,b"}, {"suppress_warnings": ("a,b",)}),
        ({"COPIUM_NO_MEMO_FALLBACK_WARNING": ""}, {}),
        (
            {
                "COPIUM_USE_DICT_MEMO": "1",
                "COPIUM_NO_MEMO_FALLBACK": "1",
                "COPIUM_NO_MEMO_FALLBACK_WARNING": "x",
            },
            {"memo": "dict", "on_incompatible": "raise", "suppress_warnings": ("x",)},
        ),
    ],
)
def test_configure_resets_to_what_the_environment_says_now(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], expected: dict[str, Any]
) -> None:
    copium.configure(on_incompatible="silent", suppress_warnings=["set before"])
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    copium.configure()
    assert copium.get_config() == {**DEFAULTS, **expected}


def test_flag_variables_follow_copiums_rule_for_on_and_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # Deliberate difference: 0.1.0 took any non-empty value as on, "0" included. copium reads
    # every flag (these and the autopatch ones) by one rule: 1/true/yes/on is on.
    monkeypatch.setenv("COPIUM_USE_DICT_MEMO", "0")
    monkeypatch.setenv("COPIUM_NO_MEMO_FALLBACK", "TRUE")
    copium.configure()
    assert copium.get_config() == {**DEFAULTS, "on_incompatible": "raise"}


@pytest.mark.parametrize(
    "fallback_settings",
    [
        {"on_incompatible": "warn"},
        {"on_incompatible": "raise"},
        {"suppress_warnings": []},
        {"suppress_warnings": ["x"]},
        {"suppress_warnings": 5},  # rejected for the combination before the value is read
    ],
)
def test_configure_rejects_fallback_settings_together_with_a_dict_memo(
    fallback_settings: dict[str, Any],
) -> None:
    with pytest.raises(TypeError) as raised:
        copium.configure(memo="dict", **fallback_settings)
    assert str(raised.value) == AMBIGUOUS
    assert copium.get_config() == DEFAULTS


def test_fallback_settings_may_follow_a_dict_memo_in_a_later_call() -> None:
    copium.configure(memo="dict")
    copium.configure(on_incompatible="raise", suppress_warnings=["x"])
    assert copium.get_config() == {
        "memo": "dict",
        "on_incompatible": "raise",
        "suppress_warnings": ("x",),
    }


INVALID_CONFIGURE_CALLS = {
    "memo-unknown": ({"memo": "fast"}, ValueError, "memo must be 'native' or 'dict', got 'fast'"),
    "memo-empty": ({"memo": ""}, ValueError, "memo must be 'native' or 'dict', got ''"),
    "memo-case": ({"memo": "Dict"}, ValueError, "memo must be 'native' or 'dict', got 'Dict'"),
    "memo-int": (
        {"memo": 1},
        TypeError,
        "argument 'memo': 'int' object is not an instance of 'str'",
    ),
    "memo-bytes": (
        {"memo": b"dict"},
        TypeError,
        "argument 'memo': 'bytes' object is not an instance of 'str'",
    ),
    "memo-bool": (
        {"memo": True},
        TypeError,
        "argument 'memo': 'bool' object is not an instance of 'str'",
    ),
    "on_incompatible-unknown": (
        {"on_incompatible": "ignore"},
        ValueError,
        "on_incompatible must be 'warn', 'raise', or 'silent', got 'ignore'",
    ),
    "on_incompatible-bool": (
        {"on_incompatible": True},
        TypeError,
        "argument 'on_incompatible': 'bool' object is not an instance of 'str'",
    ),
    "on_incompatible-int": (
        {"on_incompatible": 0},
        TypeError,
        "argument 'on_incompatible': 'int' object is not an instance of 'str'",
    ),
    "suppress_warnings-int": (
        {"suppress_warnings": 42},
        TypeError,
        "'int' object is not iterable",
    ),
    # Deliberate difference: 0.1.0 called the item "on_incompatible[1]", naming the wrong
    # parameter; the rest of the message is 0.1.0's.
    "suppress_warnings-item-int": (
        {"suppress_warnings": ["ok", 42]},
        TypeError,
        "suppress_warnings[1] must be a 'str', got 'int'",
    ),
    "suppress_warnings-item-none": (
        {"suppress_warnings": [None]},
        TypeError,
        "suppress_warnings[0] must be a 'str', got 'NoneType'",
    ),
    "suppress_warnings-bytes": (
        {"suppress_warnings": b"ab"},
        TypeError,
        "suppress_warnings[0] must be a 'str', got 'int'",
    ),
    # When several values are wrong, memo is reported first, then on_incompatible, then the
    # memo="dict" combination, then suppress_warnings.
    "memo-before-on_incompatible": (
        {"memo": "bad", "on_incompatible": 5},
        ValueError,
        "memo must be 'native' or 'dict', got 'bad'",
    ),
    "on_incompatible-before-the-combination": (
        {"memo": "dict", "on_incompatible": "bad"},
        ValueError,
        "on_incompatible must be 'warn', 'raise', or 'silent', got 'bad'",
    ),
    "on_incompatible-before-suppress_warnings": (
        {"on_incompatible": "bad", "suppress_warnings": [1]},
        ValueError,
        "on_incompatible must be 'warn', 'raise', or 'silent', got 'bad'",
    ),
}


@pytest.mark.parametrize(
    ("settings", "error", "message"),
    list(INVALID_CONFIGURE_CALLS.values()),
    ids=list(INVALID_CONFIGURE_CALLS),
)
def test_configure_rejects_invalid_values_with_0_1_0s_messages(
    settings: dict[str, Any], error: type, message: str
) -> None:
    copium.configure(on_incompatible="silent", suppress_warnings=["before"])
    before = copium.get_config()
    with pytest.raises(error) as raised:  # type: ignore[call-overload]
        copium.configure(**settings)
    assert str(raised.value) == message
    assert copium.get_config() == before


def test_type_errors_name_the_class_by_its_qualified_name() -> None:
    def make() -> object:
        class Nested:
            pass

        return Nested()

    with pytest.raises(TypeError) as raised:
        copium.configure(memo=make())
    assert str(raised.value) == (
        "argument 'memo': "
        "'test_type_errors_name_the_class_by_its_qualified_name.<locals>.make.<locals>.Nested' "
        "object is not an instance of 'str'"
    )


def test_configure_takes_keywords_only() -> None:
    with pytest.raises(TypeError):
        copium.configure("dict")  # type: ignore[misc]
    with pytest.raises(TypeError):
        copium.configure(memo_kind="dict")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        copium.get_config(1)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["a", "a"], ("a", "a")),
        ([""], ("",)),
        (iter(["a", "b"]), ("a", "b")),
        ((text for text in ["a", "b"]), ("a", "b")),
        ({"a": 1}, ("a",)),
        ("ab", ("a", "b")),  # 0.1.0 takes a str as the iterable it is
    ],
    ids=["repeated", "empty-text", "iterator", "generator", "dict-keys", "str"],
)
def test_suppress_warnings_takes_any_iterable_of_str(texts: Any, expected: tuple[str, ...]) -> None:
    copium.configure(suppress_warnings=texts)
    assert copium.get_config()["suppress_warnings"] == expected


def test_an_iterable_that_fails_propagates_its_error_and_changes_nothing() -> None:
    def texts() -> Iterator[str]:
        yield "a"
        raise KeyError("from the iterable")

    with pytest.raises(KeyError, match="from the iterable"):
        copium.configure(suppress_warnings=texts())
    assert copium.get_config() == DEFAULTS


def test_a_str_subclass_is_accepted_and_stored_as_a_plain_str() -> None:
    class Text(str):
        pass

    copium.configure(memo=Text("dict"))
    assert type(copium.get_config()["memo"]) is str


def test_configure_and_config_apply_change_the_same_settings() -> None:
    copium.configure(memo="dict")
    assert copium.config.get()["memo"] == "dict"
    copium.config.apply(on_incompatible="raise", suppress_warnings=["x"])
    assert copium.get_config() == {
        "memo": "dict",
        "on_incompatible": "raise",
        "suppress_warnings": ("x",),
    }


def test_copium_config_keeps_its_own_conventions() -> None:
    # Deliberate difference: in 0.1.0 copium.config.apply *was* configure and
    # copium.config.get *was* get_config. Here copium.config keeps its documented API:
    # apply() changes only what it is given (no arguments: no change, None for
    # suppress_warnings: clear them), accepts memo="dict" with fallback settings, rejects a
    # lone str of texts, and get() lists the texts.
    assert keyword_only_parameters(copium.config.apply).keys() == {
        "memo",
        "on_incompatible",
        "suppress_warnings",
    }
    copium.config.apply(memo="dict", on_incompatible="raise", suppress_warnings=["x"])
    copium.config.apply()
    assert copium.config.get() == {
        "memo": "dict",
        "on_incompatible": "raise",
        "suppress_warnings": ["x"],
    }


# ---------------------------------------------------------------------- the settings at work


class NeedsDictMemo:
    def __deepcopy__(self, memo: Any) -> NeedsDictMemo:
        if not isinstance(memo, dict):
            raise TypeError("memo must be a dict")
        return NeedsDictMemo()


def warnings_of_one_copy(obj: Any) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        copium.deepcopy(obj)
    return caught


def test_the_fallback_warns_and_recovers_by_default() -> None:
    assert [w.category for w in warnings_of_one_copy(NeedsDictMemo())] == [UserWarning]


@pytest.mark.parametrize(
    "text",
    ["TypeError: memo must be a dict", "memo must be a dict", "a dict", ""],
    ids=["as-0.1.0-suggested", "the-message", "its-ending", "empty-matches-all"],
)
def test_suppress_warnings_texts_that_silenced_0_1_0_silence_copium(text: str) -> None:
    copium.configure(suppress_warnings=[text])
    assert warnings_of_one_copy(NeedsDictMemo()) == []


def test_on_incompatible_raise_and_silent() -> None:
    copium.configure(on_incompatible="raise")
    with pytest.raises(TypeError, match="memo must be a dict"):
        copium.deepcopy(NeedsDictMemo())
    copium.configure(on_incompatible="silent")
    assert warnings_of_one_copy(NeedsDictMemo()) == []


def test_memo_dict_hands_hooks_a_dict() -> None:
    copium.configure(memo="dict")
    assert warnings_of_one_copy(NeedsDictMemo()) == []


# ---------------------------------------------------------------------- copium.__about__


def test_about_has_0_1_0s_fields() -> None:
    fields = {
        "Author",
        "VersionInfo",
        "__authors__",
        "__build_hash__",
        "__commit_id__",
        "__version__",
        "__version_tuple__",
    }
    assert fields <= set(dir(__about__))


def test_version_tuple_is_a_version_info_named_tuple() -> None:
    version = __about__.__version_tuple__
    assert isinstance(version, __about__.VersionInfo) and isinstance(version, tuple)
    assert __about__.VersionInfo._fields == ("major", "minor", "patch", "pre", "dev", "local")
    assert all(type(part) is int for part in version[:3])
    assert version[:3] == (version.major, version.minor, version.patch)
    assert version.pre is None or isinstance(version.pre, tuple)
    assert version.dev is None or type(version.dev) is int
    assert version.local is None or isinstance(version.local, str)
    assert __about__.__version__.startswith("{}.{}.{}".format(*version[:3]))


def test_authors_are_author_named_tuples() -> None:
    assert __about__.Author._fields == ("name", "email")
    assert type(__about__.__authors__) is tuple and __about__.__authors__
    for author in __about__.__authors__:
        assert isinstance(author, __about__.Author)
        assert isinstance(author.name, str) and author.name
        assert author.email is None or isinstance(author.email, str)


def test_build_hash_and_commit_id() -> None:
    assert isinstance(__about__.__build_hash__, str) and __about__.__build_hash__
    assert __about__.__commit_id__ is None or isinstance(__about__.__commit_id__, str)
    assert isinstance(__about__.__version__, str)


def test_about_exports_only_its_fields() -> None:
    # Nothing that the module merely uses (typing helpers, re, __future__ features).
    public = {name for name in dir(__about__) if not name.startswith("_")}
    assert public == {"Author", "VersionInfo"}
    for leaked in ("Optional", "Union", "re", "annotations"):
        assert not hasattr(__about__, leaked)


# ---------------------------------------------------------------------- copium.patch and copium.extra


def test_patch_functions() -> None:
    assert set(copium.patch.__all__) == {"enable", "disable", "enabled"}
    for function in (copium.patch.enable, copium.patch.disable, copium.patch.enabled):
        assert inspect.signature(function).parameters == {}
    was_enabled = copium.patch.enabled()
    copium.patch.disable()
    try:
        assert copium.patch.enabled() is False
        assert copium.patch.enable() is True
        assert copium.patch.enable() is False
        assert copium.patch.enabled() is True
        probe: list[Any] = []

        class Probe:
            def __deepcopy__(self, memo: Any) -> Probe:
                probe.append(memo)
                return self

        copy.deepcopy(Probe())
        assert type(probe[0]) is copium.memo
        assert copium.patch.disable() is True
        assert copium.patch.disable() is False
        assert copium.patch.enabled() is False
    finally:
        if was_enabled:
            copium.patch.enable()


def test_extra_functions() -> None:
    original = {"a": [1]}
    copies = copium.extra.replicate(original, 2)
    assert copies == [original, original]
    assert copies[0]["a"] is not copies[1]["a"] is not original["a"]
    assert copium.extra.replicate(original, 0) == []
    assert copium.extra.replicate(original, True) == [original]
    assert copium.extra.repeatcall(list, 3) == [[], [], []]
    assert copium.extra.repeatcall(list, 0) == []


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: copium.extra.replicate([1], "x"),
            TypeError,
            "'str' object cannot be interpreted as an integer",
        ),
        (
            lambda: copium.extra.replicate([1], 2.0),
            TypeError,
            "'float' object cannot be interpreted as an integer",
        ),
        (
            lambda: copium.extra.replicate([1], 2**70),
            OverflowError,
            "Python int too large to convert to C long",
        ),
        (
            lambda: copium.extra.repeatcall(list, "x"),
            TypeError,
            "'str' object cannot be interpreted as an integer",
        ),
        # 0.1.0's texts here were "n must be >= 0", "size must be >= 0" and "function must
        # be callable"; copium's name the value (and say what Python says of a non-callable).
        (lambda: copium.extra.replicate([1], -1), ValueError, None),
        (lambda: copium.extra.repeatcall(list, -1), ValueError, None),
        (lambda: copium.extra.repeatcall(5, 2), TypeError, None),
    ],
    ids=["n-str", "n-float", "n-huge", "size-str", "n-negative", "size-negative", "not-callable"],
)
def test_extra_rejects_what_0_1_0_rejected(call: Any, error: type, message: Any) -> None:
    with pytest.raises(error) as raised:  # type: ignore[call-overload]
        call()
    if message is not None:
        assert str(raised.value) == message
