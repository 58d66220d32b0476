"""The figures the reliability tests measure: examples run, iterations, measured growth.

Tests record them through the ``figures`` fixture (conftest.py offers it to every test). They
are printed in a "reliability figures" section of the pytest summary, so every CI run
documents what it proved, and kept in each test report's ``user_properties`` (which the
junit XML writes out with the "legacy" and "xunit1" families).
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

_PLUGIN_NAME = "copium-reliability-figures"
_FIGURES: dict[str, dict[str, Any]] = {}


class _SummarySection:
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not _FIGURES:
            return
        terminalreporter.section("reliability figures")
        for test, values in _FIGURES.items():
            shown = ", ".join(f"{name}={value}" for name, value in values.items())
            terminalreporter.write_line(f"{test}: {shown}")


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Callable[[str, Any], None]:
    """``figures(name, value)`` records one measured figure of the running test."""
    manager = request.config.pluginmanager
    if not manager.has_plugin(_PLUGIN_NAME):
        manager.register(_SummarySection(), _PLUGIN_NAME)
    test = request.node.nodeid.split("::", 1)[-1]

    def record(name: str, value: Any) -> None:
        _FIGURES.setdefault(test, {})[name] = value
        # What record_property does, without its warning under the default xunit2 family.
        request.node.user_properties.append((name, value))

    return record
