"""Which copium this is: version, source revision, and the kind of build.

Everything here comes from ``copium._copium.BUILD``, which the extension fills in when
it is compiled, so it describes the binary actually loaded, not the source tree.

- ``__version__``: the package version, e.g. ``"0.2.0"``.
- ``__version_tuple__``: its numeric parts as ints, then any suffix as one str, e.g.
  ``(0, 2, 0)`` or ``(0, 2, 0, "rc1")``.
- ``__build_hash__``: the git revision the extension was built from, or ``"unknown"``.
- ``__build_variant__``: ``"abi3"`` (the one wheel for every CPython >= 3.9) or
  ``"fast-paths"`` (built for one interpreter with the full C API).
- ``__limited_api__``: the limited API level of an abi3 build (``"3.9"``), else None.
- ``__built_for_python__``: ``"abi3"``, or the interpreter a fast-paths build is
  tied to, e.g. ``"3.11"``.
- ``__internals__``: what the engine uses beyond the limited API on the running
  interpreter, found or verified when it was imported (interpreter functions looked up
  by name, in-place list and tuple items); empty under ``COPIUM_LIMITED_API_ONLY=1``.
"""

from __future__ import annotations

import re
from typing import Optional, Union

from copium._copium import BUILD as _BUILD

__all__ = [
    "__build_hash__",
    "__build_variant__",
    "__built_for_python__",
    "__internals__",
    "__limited_api__",
    "__version__",
    "__version_tuple__",
]


def _version_tuple(version: str) -> tuple[Union[int, str], ...]:
    match = re.match(r"\d+(?:\.\d+)*", version)
    if match is None:
        return (version,)
    numbers: tuple[Union[int, str], ...] = tuple(int(part) for part in match.group().split("."))
    suffix = version[match.end() :].lstrip(".-+_")
    return numbers + (suffix,) if suffix else numbers


__version__: str = _BUILD["version"]
__version_tuple__: tuple[Union[int, str], ...] = _version_tuple(__version__)
__build_hash__: str = _BUILD["build_hash"]
__build_variant__: str = _BUILD["variant"]
__limited_api__: Optional[str] = _BUILD["limited_api"]
__built_for_python__: str = _BUILD["python"]
__internals__: tuple[str, ...] = _BUILD["internals"]
