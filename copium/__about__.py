"""Which copium this is: version, source revision, authors and the kind of build.

The version and build fields come from ``copium._copium.BUILD``, which the extension fills
in when it is compiled, so they describe the binary actually loaded, not the source tree.

- ``__version__``: the package version, e.g. ``"0.2.0"``.
- ``__version_tuple__``: a ``VersionInfo(major, minor, patch, pre, dev, local)`` named tuple,
  e.g. ``VersionInfo(0, 2, 0, None, None, None)``; ``pre`` is a pair like ``("rc", 1)``,
  ``dev`` an int, ``local`` a str, each None when the version has no such part.
- ``__commit_id__``: the git revision the extension was built from, or None when unknown.
- ``__build_hash__``: the same revision, or ``"unknown"``.
- ``__authors__``: a tuple of ``Author(name, email)`` named tuples (email may be None).
- ``__build_variant__``: ``"abi3"`` (the one wheel for every CPython >= 3.9) or
  ``"fast-paths"`` (built for one interpreter with the full C API).
- ``__limited_api__``: the limited API level of an abi3 build (``"3.9"``), else None.
- ``__built_for_python__``: ``"abi3"``, or the interpreter a fast-paths build is
  tied to, e.g. ``"3.11"``.
- ``__internals__``: what the engine uses beyond the limited API on the running
  interpreter, found or verified when it was imported (interpreter functions looked up
  by name, in-place list and tuple items); empty under ``COPIUM_LIMITED_API_ONLY=1``.

``__version_tuple__``, ``__commit_id__``, ``__authors__``, ``VersionInfo`` and ``Author`` are
also what copium 0.1.0 offered here.
"""

# No `from __future__ import annotations` and only private imports: every public name of
# this module is one of the fields above.
import re as _re
import typing as _typing

from copium._copium import BUILD as _BUILD

__all__ = [
    "Author",
    "VersionInfo",
    "__authors__",
    "__build_hash__",
    "__build_variant__",
    "__built_for_python__",
    "__commit_id__",
    "__internals__",
    "__limited_api__",
    "__version__",
    "__version_tuple__",
]


class VersionInfo(_typing.NamedTuple):
    """The parts of a version number, as in PEP 440 (``pre`` as ``(label, number)``)."""

    major: int
    minor: int
    patch: int
    pre: _typing.Optional[tuple[str, int]]
    dev: _typing.Optional[int]
    local: _typing.Optional[str]


class Author(_typing.NamedTuple):
    """One entry of the package's author metadata."""

    name: str
    email: _typing.Optional[str]


# Both spellings: the PEP 440 form pip shows ("0.2.0rc1", "0.2.0.dev3", "0.2.0+local") and
# the Cargo (semver) form the extension is compiled with ("0.2.0-rc.1", "0.2.0+local").
_VERSION = _re.compile(
    r"(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)"
    r"(?:[-.]?(?P<pre_label>a|alpha|b|beta|c|rc|pre|preview)[-.]?(?P<pre_number>\d*))?"
    r"(?:[-.]?dev[-.]?(?P<dev>\d*))?"
    r"(?:\+(?P<local>.+))?",
    _re.IGNORECASE,
)
_PRE_LABELS = {"alpha": "a", "beta": "b", "c": "rc", "pre": "rc", "preview": "rc"}


def _version_info(version: str) -> VersionInfo:
    match = _VERSION.fullmatch(version)
    if match is None:
        raise ValueError(f"copium's version {version!r} is not MAJOR.MINOR.PATCH[...]")
    parts = match.groupdict()
    pre = None
    if parts["pre_label"] is not None:
        label = parts["pre_label"].lower()
        pre = (_PRE_LABELS.get(label, label), int(parts["pre_number"] or 0))
    dev = None if parts["dev"] is None else int(parts["dev"] or 0)
    return VersionInfo(
        int(parts["major"]), int(parts["minor"]), int(parts["patch"]), pre, dev, parts["local"]
    )


__version__: str = _BUILD["version"]
__version_tuple__: VersionInfo = _version_info(__version__)
__build_hash__: str = _BUILD["build_hash"]
__commit_id__: _typing.Optional[str] = None if __build_hash__ == "unknown" else __build_hash__
# As in pyproject.toml's [project] authors; tests/test_about.py checks they agree with the
# installed distribution's metadata.
__authors__: tuple[Author, ...] = (Author(name="copium developers", email=None),)
__build_variant__: str = _BUILD["variant"]
__limited_api__: _typing.Optional[str] = _BUILD["limited_api"]
__built_for_python__: str = _BUILD["python"]
__internals__: tuple[str, ...] = _BUILD["internals"]
