"""Context managers that change copium's process-wide state for a block and always restore
it: engine settings (``copium.config``) and whether ``copy.deepcopy`` is patched."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import copium


@contextlib.contextmanager
def engine_settings(**changes: Any) -> Iterator[None]:
    """``copium.config.apply(**changes)`` for the block; the previous settings afterwards."""
    saved = copium.config.get()
    copium.config.apply(**changes)
    try:
        yield
    finally:
        copium.config.apply(**saved)


@contextlib.contextmanager
def patch_state(enabled: bool) -> Iterator[None]:
    """``copy.deepcopy`` patched (or not) for the block, as it was afterwards."""
    was_enabled = copium.patch.enabled()
    if enabled:
        copium.patch.enable()
    else:
        copium.patch.disable()
    try:
        yield
    finally:
        if was_enabled:
            copium.patch.enable()
        else:
            copium.patch.disable()
