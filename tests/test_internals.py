"""The interpreter functions copium finds by name, on every platform it ships for, and the
layouts it reads in place.

copium looks them up after checking the version: through ``dlsym`` on Linux and macOS and
``GetProcAddress`` on Windows (in the module that holds the interpreter's own types). A
platform where a lookup silently finds nothing would still copy correctly, only slower;
this module turns that into a failure, so the Windows jobs catch it like the others. Each
function is expected exactly where the interpreter exports it (``PyAPI_FUNC`` in that
version's headers).
"""

from __future__ import annotations

import sys

import pytest

from copium import __about__

BUILD = __about__.__internals__
VERSION = sys.version_info[:2]

# What each lookup is reported as, and the versions whose headers export it.
EXPORTED = {
    "optional attribute lookup": lambda v: True,
    "type attribute lookup": lambda v: True,
    "presized dict": lambda v: True,
    "direct set iteration": lambda v: True,
    # From 3.13 `_PyDict_Next` is internal: exported on no platform.
    "direct dict iteration": lambda v: v <= (3, 12),
    # `PyFunction_SetVectorcall` and `PyVectorcall_Function`, used from 3.12.
    "function entry points": lambda v: v >= (3, 12),
}

shortcuts_on = pytest.mark.skipif(
    not BUILD, reason="limited-API calls only (COPIUM_LIMITED_API_ONLY or an unverified Python)"
)


@shortcuts_on
@pytest.mark.parametrize("name", [name for name, where in EXPORTED.items() if where(VERSION)])
def test_every_function_this_version_exports_is_found(name: str) -> None:
    assert name in BUILD, f"{sys.platform}: {name} not found; found {BUILD}"


@shortcuts_on
def test_nothing_is_reported_that_this_version_does_not_export() -> None:
    found = {name for name in BUILD if name in EXPORTED}
    assert found <= {name for name, where in EXPORTED.items() if where(VERSION)}


# The layouts read in place, each only once its probe at import has read known objects back
# both ways and found them equal: every verified version (3.9 to 3.15) passes both probes.
IN_PLACE_LAYOUTS = ("in-place list and tuple items", "in-place dict entries")


@shortcuts_on
@pytest.mark.parametrize("name", IN_PLACE_LAYOUTS)
def test_every_layout_read_in_place_passes_its_probe_on_this_version(name: str) -> None:
    assert name in BUILD, f"CPython {VERSION}: {name} is off; found {BUILD}"
