"""The one rule copium uses to read an on/off environment variable.

A flag is on when its value, ignoring case and surrounding spaces, is one of
``1``, ``true``, ``yes`` or ``on``; anything else (unset, empty, ``0``, ``no``) is off.
The autopatch line in ``copium_autopatch.pth`` repeats this rule inline, because it
must decide without importing copium; ``tests/test_autopatch.py`` checks they agree.
"""

from __future__ import annotations

import os

TRUE_VALUES = frozenset({"1", "true", "yes", "on"})


def flag(name: str) -> bool:
    """Whether the environment variable ``name`` is switched on."""
    return os.environ.get(name, "").strip().lower() in TRUE_VALUES


def text(name: str) -> str | None:
    """The value of ``name``, or None when it is unset or empty."""
    value = os.environ.get(name, "")
    return value if value else None
