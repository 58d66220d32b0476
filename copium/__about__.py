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

# Only private imports and no `from __future__ import annotations` (which would bind the
# name `annotations`): every public name of this module is one of the fields above. The types
# are in __about__.pyi; plain namedtuples cost an interpreter start less than typed ones.
import collections as _collections
import itertools as _itertools

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

VersionInfo = _collections.namedtuple(
    "VersionInfo", ["major", "minor", "patch", "pre", "dev", "local"], module=__name__
)
VersionInfo.__doc__ = """The parts of a version number, as in PEP 440: ``major``, ``minor`` and
``patch`` as ints, ``pre`` as ``(label, number)``, ``dev`` an int, ``local`` a str (each of
the last three None when the version has no such part)."""

Author = _collections.namedtuple("Author", ["name", "email"], module=__name__)
Author.__doc__ = "One entry of the package's author metadata (``email`` may be None)."


# Pre-release labels as PEP 440 normalizes them (Cargo versions spell them out).
_PRE_LABELS = {"a": "a", "alpha": "a", "b": "b", "beta": "b", "c": "rc", "rc": "rc"}


def _version_info(version: str) -> "VersionInfo":
    """The parts of a version in either spelling: PEP 440, as pip shows it ("0.2.0rc1",
    "0.2.0.dev3", "0.2.0+local"), or Cargo's semver, which the extension is compiled with
    ("0.2.0-rc.1", "0.2.0+local"). Parsed by hand: a regular expression would be compiled
    on every interpreter start that imports copium."""
    public, _, local = version.partition("+")
    release_end = len(public) - len(public.lstrip("0123456789."))
    release, rest = public[:release_end].rstrip("."), public[release_end:]
    numbers = release.split(".")
    if len(numbers) != 3 or not all(numbers):
        raise ValueError(f"copium's version {version!r} is not MAJOR.MINOR.PATCH[...]")
    # What follows the release, without separators, as runs of letters and of digits:
    # "-rc.1.dev2" -> ["rc", "1", "dev", "2"].
    tokens = [
        "".join(run)
        for _, run in _itertools.groupby(
            rest.lower().replace("-", "").replace(".", ""), key=str.isdigit
        )
    ]
    pre = dev = None
    if tokens and tokens[0] in _PRE_LABELS:
        label = _PRE_LABELS[tokens.pop(0)]
        pre = (label, int(tokens.pop(0)) if tokens and tokens[0].isdigit() else 0)
    if tokens and tokens[0] == "dev":
        tokens.pop(0)
        dev = int(tokens.pop(0)) if tokens and tokens[0].isdigit() else 0
    if tokens:
        raise ValueError(f"copium's version {version!r} has an unknown part {rest!r}")
    major, minor, patch = (int(number) for number in numbers)
    return VersionInfo(major, minor, patch, pre, dev, local or None)


__version__ = _BUILD["version"]
__version_tuple__ = _version_info(__version__)
__build_hash__ = _BUILD["build_hash"]
__commit_id__ = None if __build_hash__ == "unknown" else __build_hash__
# As in pyproject.toml's [project] authors; tests/test_about.py checks they agree with the
# installed distribution's metadata.
__authors__ = (Author(name="copium developers", email=None),)
__build_variant__ = _BUILD["variant"]
__limited_api__ = _BUILD["limited_api"]
__built_for_python__ = _BUILD["python"]
__internals__ = _BUILD["internals"]
