"""``copium.configure()`` and ``copium.get_config()``: copium 0.1.0's spellings of the
settings in ``copium.config``, kept so that code written for 0.1.0 runs unchanged.

They read and write the same settings as ``copium.config.apply()`` / ``get()``, through the
same validation; only the calling conventions are 0.1.0's:

- ``configure()`` with no arguments (or only ``None``) resets every setting to what the
  environment variables say now; otherwise it changes the settings given and leaves the
  others as they are. ``None`` means "not given".
- ``memo="dict"`` together with ``on_incompatible`` or ``suppress_warnings`` in one call is
  rejected: with a dict memo there is nothing to be incompatible with.
- ``suppress_warnings`` takes any iterable of str (a str is taken as its characters).
- ``get_config()`` returns ``suppress_warnings`` as a tuple.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, Optional, TypedDict

from copium import config as _config

__all__ = ["Config", "configure", "get_config"]


class Config(TypedDict):
    """What ``get_config()`` returns."""

    memo: Literal["native", "dict"]
    on_incompatible: Literal["warn", "raise", "silent"]
    suppress_warnings: tuple[str, ...]


def configure(
    *,
    memo: Optional[str] = None,
    on_incompatible: Optional[str] = None,
    suppress_warnings: Optional[Iterable[str]] = None,
) -> None:
    """Change the settings given; with none given, reset all of them from the environment.

    memo: "native" or "dict". on_incompatible: "warn", "raise" or "silent".
    suppress_warnings: error texts whose fallback warnings are hidden.
    Raises TypeError or ValueError, changing nothing, if any value is invalid.
    """
    with _config._LOCK:
        if memo is None and on_incompatible is None and suppress_warnings is None:
            _config._store(*_config._from_environment())
            return
        new_memo, new_on_incompatible, new_suppress = _config._current()
        if memo is not None:
            new_memo = _config._memo_setting(memo)
        if on_incompatible is not None:
            new_on_incompatible = _config._on_incompatible_setting(on_incompatible)
        fallback_given = on_incompatible is not None or suppress_warnings is not None
        if memo is not None and new_memo == "dict" and fallback_given:
            raise TypeError(
                "when `memo='dict'`, `on_incompatible` and `suppress_warnings` are ambiguous: "
                "remove them or use `memo='native'`"
            )
        if suppress_warnings is not None:
            new_suppress = _config._error_texts(suppress_warnings)
        _config._store(new_memo, new_on_incompatible, new_suppress)


def get_config() -> Config:
    """The current settings, as a new dict."""
    with _config._LOCK:
        memo, on_incompatible, suppress = _config._current()
    return Config(memo=memo, on_incompatible=on_incompatible, suppress_warnings=suppress)
