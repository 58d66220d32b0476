"""pytest plugin: the suite must exercise the installed wheel, never the source tree.

Loaded with ``-p installed_copium_check`` by test-wheel.sh. It imports copium as soon as
pytest loads plugins, before any conftest.py can put the repository on ``sys.path``, so
every test gets the installed package. After collection it checks that this is still the
module in use and that both the package and its compiled extension live in the venv's
site-packages; otherwise the run ends with an error instead of testing the wrong code.
"""

from __future__ import annotations

import os
import sys
import sysconfig

import pytest

import copium
import copium._copium


def _site_packages() -> list[str]:
    paths = sysconfig.get_paths()
    return sorted({os.path.realpath(paths["purelib"]), os.path.realpath(paths["platlib"])})


def _outside_site_packages(module: object) -> str | None:
    """The module's file if it is not inside site-packages, else None."""
    path = os.path.realpath(getattr(module, "__file__", None) or "<no file>")
    if any(path.startswith(root + os.sep) for root in _site_packages()):
        return None
    return path


def _build_info() -> str:
    build = getattr(copium._copium, "BUILD", None)
    if not isinstance(build, dict):
        return "no BUILD info exported"
    return ", ".join(f"{key}={build.get(key)!r}" for key in ("version", "variant", "python"))


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"copium: {os.path.dirname(copium.__file__ or '')}",
        f"copium extension: {os.path.basename(copium._copium.__file__ or '')} ({_build_info()})",
    ]


def pytest_collection_finish(session: pytest.Session) -> None:
    problems = []
    if sys.modules.get("copium") is not copium:
        problems.append("the copium module was replaced during collection")
    for name in ("copium", "copium._copium"):
        module = sys.modules.get(name)
        if module is None:
            problems.append(f"{name} is no longer imported")
            continue
        path = _outside_site_packages(module)
        if path is not None:
            problems.append(f"{name} comes from {path}")
    if problems:
        pytest.exit(
            "tests must run against the installed wheel in "
            f"{_site_packages()}: " + "; ".join(problems),
            returncode=pytest.ExitCode.USAGE_ERROR,
        )
