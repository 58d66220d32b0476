"""Engine settings: which memo custom ``__deepcopy__`` methods receive, and what happens
when one of them cannot work with copium's native memo.

``apply()`` changes only the settings it is given; ``get()`` returns all of them.

- ``memo="native"`` (default): a custom ``__deepcopy__(self, memo)`` called without a
  caller-supplied memo receives a ``copium.memo`` proxy over copium's own memo table.
  ``memo="dict"``: it receives a real ``dict``, exactly as with the stdlib, at some speed
  cost. A memo passed by the caller is always handed over unchanged.
- ``on_incompatible``: what to do when a ``__deepcopy__`` raises TypeError or
  AssertionError because it was given the proxy instead of a dict. ``"warn"`` (default)
  retries that object with a dict memo and emits one UserWarning; ``"silent"`` retries
  without a warning; ``"raise"`` lets the error propagate.
- ``suppress_warnings``: error texts; a fallback warning whose error text contains
  any of them is not emitted.

Environment variables, read once, when copium is first imported:

- ``COPIUM_USE_DICT_MEMO=1`` sets ``memo="dict"``;
- ``COPIUM_NO_MEMO_FALLBACK=1`` sets ``on_incompatible="raise"``;
- ``COPIUM_NO_MEMO_FALLBACK_WARNING='<error text>'`` adds that text to
  ``suppress_warnings``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, Literal, Optional, TypedDict

from copium import _copium, _env

__all__ = ["Settings", "apply", "get"]

_MEMO_CHOICES = ("native", "dict")
_ON_INCOMPATIBLE_CHOICES = ("warn", "raise", "silent")


class Settings(TypedDict):
    """What ``get()`` returns; ``apply(**settings)`` accepts it back."""

    memo: Literal["native", "dict"]
    on_incompatible: Literal["warn", "raise", "silent"]
    suppress_warnings: list[str]


class _Unset:
    """Default of apply()'s parameters: "leave this setting as it is"."""

    def __repr__(self) -> str:
        return "<unchanged>"


_UNSET: Any = _Unset()

_LOCK = threading.Lock()
_memo: Literal["native", "dict"] = "native"
_on_incompatible: Literal["warn", "raise", "silent"] = "warn"
_suppress_warnings: tuple[str, ...] = ()


def _choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    valid = ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, one of {valid}; got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {valid}; got {value!r}")
    return value


def _error_texts(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    # A lone string is iterable too, but almost always a mistake for [string].
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(
            "suppress_warnings must be a list of error texts (str) or None; "
            f"got {type(value).__name__}"
        )
    texts = tuple(value)
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(
                "suppress_warnings must hold only str error texts; "
                f"got an item of type {type(text).__name__}"
            )
    return texts


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
    global _memo, _on_incompatible, _suppress_warnings
    with _LOCK:
        new_memo = _memo if memo is _UNSET else _choice("memo", memo, _MEMO_CHOICES)
        new_on_incompatible = (
            _on_incompatible
            if on_incompatible is _UNSET
            else _choice("on_incompatible", on_incompatible, _ON_INCOMPATIBLE_CHOICES)
        )
        new_suppress = (
            _suppress_warnings if suppress_warnings is _UNSET else _error_texts(suppress_warnings)
        )
        # The engine takes the whole state at once; keep ours only once it accepted it.
        _copium.configure(new_memo, new_on_incompatible, new_suppress)
        _memo, _on_incompatible, _suppress_warnings = new_memo, new_on_incompatible, new_suppress


def get() -> Settings:
    """The current settings, as a new dict that ``apply(**get())`` accepts back."""
    with _LOCK:
        return Settings(
            memo=_memo,
            on_incompatible=_on_incompatible,
            suppress_warnings=list(_suppress_warnings),
        )


def _apply_environment() -> None:
    settings: dict[str, Any] = {}
    if _env.flag("COPIUM_USE_DICT_MEMO"):
        settings["memo"] = "dict"
    if _env.flag("COPIUM_NO_MEMO_FALLBACK"):
        settings["on_incompatible"] = "raise"
    text = _env.text("COPIUM_NO_MEMO_FALLBACK_WARNING")
    if text is not None:
        settings["suppress_warnings"] = [text]
    # Always pushed, even when empty, so the engine and get() agree from the start.
    apply(**settings)


_apply_environment()
