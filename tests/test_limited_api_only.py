"""What copium uses beyond the limited API, and the switch that turns all of it off.

On interpreters it knows, the abi3 build reads list and tuple items in place (after a probe
at import confirms the layout) and calls a few interpreter functions it finds by name; each
has a limited-API fallback. ``COPIUM_LIMITED_API_ONLY=1`` makes it use the fallbacks only,
and copies must come out exactly the same either way.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile

import pytest
from isolated import describe

from copium import __about__

TESTS_DIR = pathlib.Path(__file__).resolve().parent

IN_PLACE_ITEMS = "in-place list and tuple items"

# The behaviour these modules specify goes through every place that reads items or walks a
# dict: flat and nested containers, mutation during the copy, and stdlib parity on random
# object graphs.
SUITES_UNDER_THE_SWITCH = ("test_containers.py", "test_atomic.py", "test_property_parity.py")


def clean_environment(**env: str) -> dict[str, str]:
    """This process's environment without any copium setting, plus ``env``."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("COPIUM_")}, **env}


def run_python(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-I", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tempfile.gettempdir(),
        env=clean_environment(**env),
    )


def internals_in_a_child(**env: str) -> list[str]:
    child = run_python(
        "-c",
        "import json; from copium import __about__; print(json.dumps(__about__.__internals__))",
        **env,
    )
    assert child.returncode == 0, describe(child)
    internals: list[str] = json.loads(child.stdout)
    return internals


@pytest.mark.skipif(__about__.__build_variant__ != "abi3", reason="the abi3 build's choice")
@pytest.mark.skipif(sys.version_info >= (3, 15), reason="layouts are verified up to 3.14")
def test_the_abi3_build_reads_items_in_place_on_known_interpreters() -> None:
    assert IN_PLACE_ITEMS in internals_in_a_child()


@pytest.mark.skipif(__about__.__build_variant__ != "fast-paths", reason="fast-paths only")
def test_the_fast_paths_build_always_reads_items_in_place() -> None:
    assert IN_PLACE_ITEMS in internals_in_a_child(COPIUM_LIMITED_API_ONLY="1")


@pytest.mark.skipif(__about__.__build_variant__ != "abi3", reason="the abi3 build's choice")
@pytest.mark.parametrize("value", ["1", "true", " YES ", "on"])
def test_limited_api_only_leaves_nothing_but_limited_api_calls(value: str) -> None:
    assert internals_in_a_child(COPIUM_LIMITED_API_ONLY=value) == []


@pytest.mark.parametrize("value", ["0", "", "no"])
def test_any_other_value_of_the_switch_changes_nothing(value: str) -> None:
    assert internals_in_a_child(COPIUM_LIMITED_API_ONLY=value) == internals_in_a_child()


@pytest.mark.parametrize("switch", ["", "1"])
def test_info_reports_the_internals_in_use(switch: str) -> None:
    child = run_python("-m", "copium", "info", "--json", COPIUM_LIMITED_API_ONLY=switch)
    assert child.returncode == 0, describe(child)
    expected = internals_in_a_child(COPIUM_LIMITED_API_ONLY=switch)
    assert json.loads(child.stdout)["internals"] == expected


@pytest.mark.skipif(__about__.__build_variant__ != "abi3", reason="the abi3 build's fallbacks")
def test_copies_are_the_same_with_limited_api_calls_only(tmp_path: pathlib.Path) -> None:
    suites = [str(TESTS_DIR / name) for name in SUITES_UNDER_THE_SWITCH]
    child = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *suites],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env=clean_environment(COPIUM_LIMITED_API_ONLY="1"),
    )
    assert child.returncode == 0, describe(child)
    assert "'internals': ()" in child.stdout, "the child's report header shows its build"
    assert " passed" in child.stdout and " failed" not in child.stdout
