"""Route every call of the stdlib ``copy.deepcopy`` to ``copium.deepcopy``.

``enable()`` changes the stdlib function object itself rather than rebinding the
``copy.deepcopy`` attribute, so references taken before it (``from copy import
deepcopy`` in user code or in any library) reach copium too. ``disable()`` puts the
stdlib code back. Both are idempotent, return whether they changed anything, and are
safe to call while other threads are copying.

How, from Python 3.12 on: the function object gets copium's native entry point (its
vectorcall), so calling it runs copium directly, at the cost of calling copium itself; the
interpreter then no longer inlines calls of it by its code. Its code object is untouched.
3.11's specializer inlines calls of a Python function by its code whatever its entry
point, and 3.9/3.10 cannot set one, so there (and wherever copium uses limited-API calls
only) the function's ``__code__`` is swapped for a trampoline with the same parameters
(``deepcopy(x, memo=None, _nil=[])`` up to Python 3.14, ``deepcopy(x, memo=None)`` from
3.15) whose whole body is a call to copium; its one visible trace is the name
``__copium_deepcopy__`` in the ``copy`` module (see ``_CodeSwap.install``). Either way
nothing else about the function changes while patched: its identity, name, signature and
defaults stay those of the stdlib, and no ``__wrapped__`` is added.
"""

from __future__ import annotations

import copy as _copy_module
import threading
from types import CodeType, FunctionType
from typing import Any, Optional

from copium import _copium
from copium._copium import deepcopy as _copium_deepcopy

__all__ = ["disable", "enable", "enabled"]

# A code object runs with the globals of the function it is attached to, so the
# trampoline finds copium through this name in the ``copy`` module's globals.
_GLOBAL_NAME = "__copium_deepcopy__"


def _parameter_names(stdlib: CodeType) -> tuple[str, ...]:
    """The stdlib function's parameters, which must start with ``x, memo``."""
    names = stdlib.co_varnames[: stdlib.co_argcount + stdlib.co_kwonlyargcount]
    if names[:2] != ("x", "memo") or not all(name.isidentifier() for name in names):
        raise TypeError(
            "copium.patch cannot patch copy.deepcopy: its parameters are "
            f"{names!r}, not (x, memo, ...)"
        )
    return names


def _trampoline_code(stdlib: CodeType) -> CodeType:
    """A code object taking exactly the parameters of ``stdlib`` whose body is a call to
    copium: ``return __copium_deepcopy__(x, memo)``.

    A code object runs with the globals of the function it is attached to, so the name is
    looked up in the ``copy`` module's globals. Defaults live on the function object, not
    in its code, so the stdlib's own defaults keep applying. The parameter list is read from
    the stdlib function because it changes between versions (3.15 dropped ``_nil``).
    """
    n_positional = stdlib.co_argcount
    names = _parameter_names(stdlib)
    positional = list(names[:n_positional])
    if stdlib.co_posonlyargcount:
        positional.insert(stdlib.co_posonlyargcount, "/")
    keyword_only = list(names[n_positional:])
    parameters = ", ".join(positional + (["*", *keyword_only] if keyword_only else []))
    source = f"def deepcopy({parameters}):\n    return {_GLOBAL_NAME}(x, memo)\n"
    namespace: dict[str, Any] = {}
    # The file name points here, which tells a reader of a traceback that copium handled
    # the call; the function is named like the one it stands in for.
    exec(compile(source, __file__, "exec"), namespace)
    code: CodeType = namespace["deepcopy"].__code__
    return code


class _CodeSwap:
    """The patching mechanism: swap the function's code for the trampoline.

    This is the cheapest mechanism available from Python on every supported version:
    a patched call costs one small Python frame on top of the copium call. A build
    that offers a cheaper native mechanism replaces this class and nothing else.
    """

    def __init__(self) -> None:
        # What the function had before enable(), restored exactly by disable().
        self._saved: Optional[tuple[CodeType, Any, Any]] = None
        # Made from the stdlib code at the first install, then reused.
        self._trampoline: Optional[CodeType] = None

    def installed(self, fn: FunctionType) -> bool:
        return self._trampoline is not None and fn.__code__ is self._trampoline

    def install(self, fn: FunctionType) -> None:
        if self._trampoline is None:
            self._trampoline = _trampoline_code(fn.__code__)
        self._saved = (fn.__code__, fn.__defaults__, fn.__kwdefaults__)
        # The name goes in before the code: a call that starts after the swap must
        # find it. It is never removed: a call that entered the trampoline just before
        # disable() may still look it up, and must reach copium rather than fail.
        fn.__globals__[_GLOBAL_NAME] = _copium_deepcopy
        # A call reads its function's code once, as it starts, so this single
        # assignment is the moment the patch takes effect for every thread.
        fn.__code__ = self._trampoline

    def uninstall(self, fn: FunctionType) -> None:
        assert self._saved is not None, "uninstall() without install()"
        code, defaults, kwdefaults = self._saved
        fn.__code__ = code
        fn.__defaults__ = defaults
        fn.__kwdefaults__ = kwdefaults
        self._saved = None


class _EntrySwap:
    """The patching mechanism from 3.12: give the function copium's entry point.

    The function's code, defaults and globals stay untouched; only the entry point its
    calls go through changes, in one step (so for every thread at once), and ``uninstall``
    puts the function's own entry point back.
    """

    @staticmethod
    def usable(fn: FunctionType) -> bool:
        code = fn.__code__
        names = code.co_varnames[: code.co_argcount]
        return (
            _copium._patch_entry_available()
            and code.co_posonlyargcount == 0
            and code.co_kwonlyargcount == 0
            and names in (("x", "memo"), ("x", "memo", "_nil"))
        )

    def installed(self, fn: FunctionType) -> bool:
        return _copium._patch_entry_installed(fn)

    def install(self, fn: FunctionType) -> None:
        _copium._patch_entry_install(fn, fn.__code__.co_argcount)

    def uninstall(self, fn: FunctionType) -> None:
        _copium._patch_entry_uninstall(fn)
        # Replacing the entry point made the interpreter stop inlining calls of the
        # function; assigning its own code again lets it start over, as for a new function.
        fn.__code__ = fn.__code__


# The stdlib function object, captured once: enable() and disable() must act on the
# same object even if something rebinds the ``copy.deepcopy`` attribute meanwhile.
_STDLIB_DEEPCOPY: Any = _copy_module.deepcopy
_MECHANISM: Any = (
    _EntrySwap()
    if isinstance(_STDLIB_DEEPCOPY, FunctionType) and _EntrySwap.usable(_STDLIB_DEEPCOPY)
    else _CodeSwap()
)
_LOCK = threading.Lock()


def _target() -> FunctionType:
    if not isinstance(_STDLIB_DEEPCOPY, FunctionType):
        raise TypeError(
            "copium.patch can only patch the stdlib Python function copy.deepcopy, but "
            f"copy.deepcopy was already {_STDLIB_DEEPCOPY!r} when copium.patch was imported"
        )
    return _STDLIB_DEEPCOPY


def enable() -> bool:
    """Send every ``copy.deepcopy`` call to copium. Returns False if already enabled."""
    with _LOCK:
        fn = _target()
        if _MECHANISM.installed(fn):
            return False
        _MECHANISM.install(fn)
        return True


def disable() -> bool:
    """Restore the stdlib ``copy.deepcopy``. Returns False if it was not enabled."""
    with _LOCK:
        fn = _target()
        if not _MECHANISM.installed(fn):
            return False
        _MECHANISM.uninstall(fn)
        return True


def enabled() -> bool:
    """Whether ``copy.deepcopy`` currently goes to copium."""
    return isinstance(_STDLIB_DEEPCOPY, FunctionType) and _MECHANISM.installed(_STDLIB_DEEPCOPY)
