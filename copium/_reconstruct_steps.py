"""Steps of the stdlib's ``copy._reconstruct`` that copium hands back to Python when the
input is unusual, so that whatever goes wrong fails with the running interpreter's own
exception and wording (which changes between versions), not a copy of one version's text.

The engine does these steps natively for the usual inputs (an exact tuple of 2 to 5 items,
exact tuple arguments, exact 2-tuples as pairs) and calls these functions otherwise:

- ``reduce_parts_deep(x, memo, rv)`` / ``reduce_parts_shallow(x, rv)``: binds a reduce
  value the way ``deepcopy`` (``_reconstruct(x, memo, *rv)``) and ``copy``
  (``_reconstruct(x, None, *rv)``) do, against a function with the running stdlib
  ``_reconstruct``'s own signature, and returns ``(func, args, state, listiter,
  dictiter)`` (None for those not given), followed by any later positional parameter that
  was given: on Python 3.9 that is ``deepcopy``, the function to copy the parts with.
- ``call(func, args)``: ``func(*args)``.
- ``pair(item)``: ``key, value = item``.

Each expression is written exactly as the stdlib writes it, because the interpreter words
some errors after the shape of the call (``Value after * must be an iterable``).
"""

from __future__ import annotations

import copy as _copy
from typing import Any, Callable

__all__ = ["call", "pair", "reduce_parts_deep", "reduce_parts_shallow"]

# The stdlib's signature where it cannot be read (an interpreter without copy._reconstruct).
_DEFAULT_SIGNATURE = (
    "x, memo, func, args, state=_ABSENT, listiter=_ABSENT, dictiter=_ABSENT, *, deepcopy=_ABSENT"
)


class _Absent:
    """The twin's default for every parameter that has one: "not given"."""


_ABSENT = _Absent()


def _signature_of(function: Any) -> tuple[str, list[str]]:
    """``function``'s parameter list as source (every default ``_ABSENT``) and its
    positional parameter names, read from its code object; only names, kinds and which
    parameters have defaults decide the wording of a call that does not fit."""
    code = function.__code__
    names = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    positional, keyword_only = names[: code.co_argcount], names[code.co_argcount :]
    defaulted = len(function.__defaults__ or ())
    keyword_defaults = function.__kwdefaults__ or {}
    params = []
    for index, name in enumerate(positional):
        params.append(name if index < len(positional) - defaulted else f"{name}=_ABSENT")
        if index + 1 == code.co_posonlyargcount:
            params.append("/")
    # A *args parameter would follow the positional ones; stdlib's _reconstruct has none.
    if keyword_only:
        params.append("*")
        params.extend(
            f"{name}=_ABSENT" if name in keyword_defaults else name for name in keyword_only
        )
    return ", ".join(params), positional


def _parameter_twin(function: Any) -> Callable[..., tuple[Any, ...]]:
    """A function named and parameterized like ``function`` that returns the values of its
    positional parameters after the first two."""
    try:
        name = function.__code__.co_name
        params, positional = _signature_of(function)
    except AttributeError:
        name, params = "_reconstruct", _DEFAULT_SIGNATURE
        positional = ["x", "memo", "func", "args", "state", "listiter", "dictiter"]
    source = f"def {name}({params}):\n    return ({''.join(p + ', ' for p in positional[2:])})\n"
    namespace: dict[str, Any] = {"_ABSENT": _ABSENT}
    exec(source, namespace)  # the source holds parameter names only
    twin: Callable[..., tuple[Any, ...]] = namespace[name]
    return twin


_reconstruct = _parameter_twin(getattr(_copy, "_reconstruct", None))


def _given(bound: tuple[Any, ...]) -> tuple[Any, ...]:
    known = tuple(None if part is _ABSENT else part for part in bound[:5])
    return known + tuple(part for part in bound[5:] if part is not _ABSENT)


def reduce_parts_deep(x: Any, memo: Any, rv: Any) -> tuple[Any, ...]:
    return _given(_reconstruct(x, memo, *rv))


def reduce_parts_shallow(x: Any, rv: Any) -> tuple[Any, ...]:
    return _given(_reconstruct(x, None, *rv))


def call(func: Any, args: Any) -> Any:
    return func(*args)


def pair(item: Any) -> tuple[Any, Any]:
    key, value = item
    return key, value
