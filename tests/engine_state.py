"""Context managers that change copium's process-wide state for a block and always restore
it: engine settings (``copium.config``) and whether ``copy.deepcopy`` is patched; and a
probe that tells which engine copied an object."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
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


@contextlib.contextmanager
def unpatched_with_native_memo() -> Iterator[None]:
    """The suite may run with COPIUM_PATCH_DEEPCOPY=1 or COPIUM_USE_DICT_MEMO=1 set: the block
    runs unpatched with the native memo, and things are put back afterwards."""
    with patch_state(False), engine_settings(memo="native"):
        yield


class MemoProbe:
    """Records the memo its __deepcopy__ receives."""

    def __init__(self) -> None:
        self.memo: Any = None

    def __deepcopy__(self, memo: Any) -> MemoProbe:
        self.memo = memo
        return MemoProbe()


def copied_by(deepcopy: Callable[[MemoProbe], Any]) -> str:
    """Which engine ``deepcopy`` ran on a probe: ``"copium"`` or ``"stdlib"``."""
    probe = MemoProbe()
    deepcopy(probe)
    return "copium" if isinstance(probe.memo, copium.memo) else "stdlib"
