"""What the running interpreter's stdlib ``copy`` module treats specially, read from the
module itself: the ground truth the suite compares copium against.

The module's private tables changed shape in 3.14 (sets instead of dispatch entries), so
this is the one place in the suite that knows both shapes.
"""

from __future__ import annotations

import copy as stdlib_copy
import sys


def deepcopy_atomic_types() -> frozenset[type]:
    """Types ``copy.deepcopy`` returns as they are."""
    if sys.version_info >= (3, 14):
        return frozenset(stdlib_copy._atomic_types)  # type: ignore[attr-defined]
    return frozenset(
        cls
        for cls, copier in stdlib_copy._deepcopy_dispatch.items()  # type: ignore[attr-defined]
        if copier is stdlib_copy._deepcopy_atomic  # type: ignore[attr-defined]
    )


def copy_atomic_types() -> frozenset[type]:
    """Types ``copy.copy`` returns as they are."""
    if sys.version_info >= (3, 14):
        return frozenset(stdlib_copy._copy_atomic_types)  # type: ignore[attr-defined]
    return frozenset(
        cls
        for cls, copier in stdlib_copy._copy_dispatch.items()  # type: ignore[attr-defined]
        if copier is stdlib_copy._copy_immutable  # type: ignore[attr-defined]
    )


#: Atomic objects are returned before the caller's memo is consulted (3.14+).
ATOMICS_BEFORE_MEMO = sys.version_info >= (3, 14)

#: How ``deepcopy`` probes a caller's memo: ``memo.get(id(x), _nil)`` up to 3.14, then
#: ``id(x) in memo`` followed by ``memo[id(x)]`` when it is there.
MEMO_PROBE = "get" if sys.version_info < (3, 15) else "__contains__"

#: The builtin ``frozendict`` (PEP 814, Python 3.15+), or None.
FROZENDICT: type | None = getattr(__import__("builtins"), "frozendict", None)
