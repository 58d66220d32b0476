"""Engine settings: which memo custom ``__deepcopy__`` methods receive, and what happens
when one of them cannot work with copium's native memo.

``apply()`` changes only the settings it is given; ``get()`` returns all of them.

- ``memo="native"`` (default): a custom ``__deepcopy__(self, memo)`` called without a
  caller-supplied memo receives a ``copium.memo`` proxy over copium's own memo table.
  ``memo="dict"``: it receives a real ``dict``, exactly as with the stdlib, at some speed
  cost. A memo passed by the caller is always handed over unchanged.
- ``on_incompatible``: what to do when a ``__deepcopy__`` raises TypeError or
  AssertionError given the proxy. ``"warn"`` (default) copies that object again with a
  dict memo and, if that worked, emits one UserWarning; ``"silent"`` retries without a
  warning; ``"raise"`` lets the error propagate. When the retry fails too, the first
  error propagates as it was.
- ``suppress_warnings``: error texts; a fallback warning is not emitted when the error,
  written ``"TypeName: message"``, contains any of them.

Environment variables, read when copium is first imported (and again by the top-level
``copium.configure()`` called without arguments):

- ``COPIUM_USE_DICT_MEMO=1`` sets ``memo="dict"``;
- ``COPIUM_NO_MEMO_FALLBACK=1`` sets ``on_incompatible="raise"``;
- ``COPIUM_NO_MEMO_FALLBACK_WARNING='<error text>'`` adds that text to
  ``suppress_warnings``.

``copium.configure()`` and ``copium.get_config()`` are copium 0.1.0's spellings of the same
settings (see ``copium._compat_config``); both go through the validation below.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, Literal, Optional, TypedDict

from copium import _copium, _env

__all__ = ["Settings", "apply", "get"]

_MEMO_CHOICES = ("native", "dict")
_ON_INCOMPATIBLE_CHOICES = ("warn", "raise", "silent")

_Memo = Literal["native", "dict"]
_OnIncompatible = Literal["warn", "raise", "silent"]
# memo, on_incompatible, suppress_warnings: everything the engine is told at once.
_State = tuple[_Memo, _OnIncompatible, tuple[str, ...]]


class Settings(TypedDict):
    """What ``get()`` returns; ``apply(**settings)`` accepts it back."""

    memo: _Memo
    on_incompatible: _OnIncompatible
    suppress_warnings: list[str]


class _Unset:
    """Default of apply()'s parameters: "leave this setting as it is"."""

    def __repr__(self) -> str:
        return "<unchanged>"


_UNSET: Any = _Unset()

_LOCK = threading.Lock()
_memo: _Memo = "native"
_on_incompatible: _OnIncompatible = "warn"
_suppress_warnings: tuple[str, ...] = ()


# Validation, shared by apply() and copium.configure(). The messages are copium 0.1.0's.


def _in_words(choices: tuple[str, ...]) -> str:
    quoted = [repr(choice) for choice in choices]
    if len(quoted) == 2:
        return " or ".join(quoted)
    return ", ".join(quoted[:-1]) + ", or " + quoted[-1]


def _choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        raise TypeError(
            f"argument '{name}': '{type(value).__qualname__}' object is not an instance of 'str'"
        )
    for choice in choices:
        if value == choice:
            return choice  # the plain str, even for a str subclass
    raise ValueError(f"{name} must be {_in_words(choices)}, got {value!r}")


def _memo_setting(value: object) -> _Memo:
    return _choice("memo", value, _MEMO_CHOICES)  # type: ignore[return-value]


def _on_incompatible_setting(value: object) -> _OnIncompatible:
    return _choice("on_incompatible", value, _ON_INCOMPATIBLE_CHOICES)  # type: ignore[return-value]


def _error_texts(value: Iterable[object]) -> tuple[str, ...]:
    # tuple() raises the interpreter's own TypeError for something that is not iterable.
    texts = tuple(value)
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(
                f"suppress_warnings[{index}] must be a 'str', got '{type(text).__name__}'"
            )
    return texts  # type: ignore[return-value]


# The one place settings change.


def _store(
    memo: _Memo, on_incompatible: _OnIncompatible, suppress_warnings: tuple[str, ...]
) -> None:
    """Hand validated settings to the engine, then keep them; call with ``_LOCK`` held."""
    global _memo, _on_incompatible, _suppress_warnings
    # The engine takes the whole state at once; keep ours only once it accepted it.
    _copium.configure(memo, on_incompatible, suppress_warnings)
    _memo, _on_incompatible, _suppress_warnings = memo, on_incompatible, suppress_warnings


def _current() -> _State:
    """The settings as they are; call with ``_LOCK`` held."""
    return _memo, _on_incompatible, _suppress_warnings


def _from_environment() -> _State:
    """The settings the environment variables ask for, defaults for the rest."""
    text = _env.text("COPIUM_NO_MEMO_FALLBACK_WARNING")
    return (
        "dict" if _env.flag("COPIUM_USE_DICT_MEMO") else "native",
        "raise" if _env.flag("COPIUM_NO_MEMO_FALLBACK") else "warn",
        (text,) if text is not None else (),
    )


def apply(
    *,
    memo: str = _UNSET,
    on_incompatible: str = _UNSET,
    suppress_warnings: Optional[Iterable[str]] = _UNSET,
) -> None:
    """Change the given settings and leave the others as they are.

    memo: "native" or "dict". on_incompatible: "warn", "raise" or "silent".
    suppress_warnings: error texts whose fallback warnings are hidden (None: none).
    Raises TypeError or ValueError, changing nothing, if any value is invalid.
    """
    with _LOCK:
        new_memo, new_on_incompatible, new_suppress = _current()
        if memo is not _UNSET:
            new_memo = _memo_setting(memo)
        if on_incompatible is not _UNSET:
            new_on_incompatible = _on_incompatible_setting(on_incompatible)
        if suppress_warnings is None:
            new_suppress = ()
        elif suppress_warnings is not _UNSET:
            # A lone string is iterable too, but almost always a mistake for [string].
            if isinstance(suppress_warnings, str):
                raise TypeError(
                    "suppress_warnings must be a list of error texts (str) or None, "
                    f"not a single str: use [{suppress_warnings!r}]"
                )
            new_suppress = _error_texts(suppress_warnings)
        _store(new_memo, new_on_incompatible, new_suppress)


def get() -> Settings:
    """The current settings, as a new dict that ``apply(**get())`` accepts back."""
    with _LOCK:
        memo, on_incompatible, suppress = _current()
    return Settings(memo=memo, on_incompatible=on_incompatible, suppress_warnings=list(suppress))


def _apply_environment() -> None:
    # Always pushed, even when nothing is set, so the engine and get() agree from the start.
    with _LOCK:
        _store(*_from_environment())


_apply_environment()
