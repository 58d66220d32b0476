"""Shared pytest setup: make sure the suite exercises an installed copium wheel."""

from __future__ import annotations

import pathlib
import sys

import pytest

# The reliability suites record their figures through this fixture (see reliability_figures).
from reliability_figures import figures  # noqa: F401

# How much the heavy suites do (COPIUM_TEST_SIZE): they read it from this module at import.
from suite_size import SIZE as SUITE_SIZE

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent


def _imported_copium_location() -> pathlib.Path:
    import copium

    return pathlib.Path(copium.__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    # The repository's copium/ folder has no compiled extension. If it shadows the installed
    # package (pytest run with the repo root on sys.path), every test would fail confusingly.
    try:
        location = _imported_copium_location()
    except ImportError as error:
        raise pytest.UsageError(
            f"copium is not importable ({error}); install the built wheel into this "
            "interpreter and run pytest from a directory outside the repository"
        ) from error
    if REPO_ROOT in location.parents or location.parent == REPO_ROOT:
        raise pytest.UsageError(
            f"copium was imported from the source tree ({location}), not from an installed "
            "wheel; run pytest from a directory outside the repository"
        )


def pytest_report_header(config: pytest.Config) -> list[str]:
    import copium

    build = getattr(copium, "BUILD", None) or getattr(copium._copium, "BUILD", None)
    return [
        f"copium from {_imported_copium_location()}",
        f"copium build: {build if build is not None else 'no BUILD info'}",
        f"python: {sys.version.split()[0]}",
        f"suite size: {SUITE_SIZE} (COPIUM_TEST_SIZE, see tests/suite_size.py)",
    ]
