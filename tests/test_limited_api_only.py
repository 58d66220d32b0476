"""What copium uses beyond the limited API, and the two things that turn all of it off.

On interpreters it has verified (up to the newest one this release knows), the abi3 build
reads list and tuple items in place (after a probe at import confirms the layout) and calls
a few interpreter functions it finds by name; each has a limited-API fallback. On an
interpreter newer than the newest verified one, and under ``COPIUM_LIMITED_API_ONLY=1``, it
uses the fallbacks only, and copies must come out exactly the same either way. The suite
simulates a newer interpreter by lowering the newest verified version with the test-only
variable ``COPIUM_TESTING_NEWEST_VERIFIED``.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile
from typing import Any

import pytest
from isolated import describe
from suite_size import environment as suite_size_environment

from copium import __about__

TESTS_DIR = pathlib.Path(__file__).resolve().parent

IN_PLACE_ITEMS = "in-place list and tuple items"

# The behaviour these modules specify goes through every place that reads items or walks a
# dict: flat and nested containers, mutation during the copy, and stdlib parity on random
# object graphs.
SUITES_UNDER_THE_SWITCH = (
    "test_containers.py",
    "test_atomic.py",
    "test_frozendict.py",
    "test_caller_memo_protocol.py",
    "test_property_parity.py",
)


# One minor version below the running one: the running interpreter is then "newer than the
# newest verified", as a future CPython would be for this release.
OLDER_THAN_THIS_PYTHON = f"{sys.version_info[0]}.{sys.version_info[1] - 1}"

# The two ways of running on limited-API calls only.
LIMITED_API_ONLY_TRIGGERS = {
    "COPIUM_LIMITED_API_ONLY=1": {"COPIUM_LIMITED_API_ONLY": "1"},
    "newer than the newest verified": {"COPIUM_TESTING_NEWEST_VERIFIED": OLDER_THAN_THIS_PYTHON},
}


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


def build_in_a_child(**env: str) -> dict[str, Any]:
    child = run_python("-c", "import json, copium._copium as c; print(json.dumps(c.BUILD))", **env)
    assert child.returncode == 0, describe(child)
    build: dict[str, Any] = json.loads(child.stdout)
    return build


def internals_in_a_child(**env: str) -> list[str]:
    internals: list[str] = build_in_a_child(**env)["internals"]
    return internals


@pytest.mark.skipif(__about__.__build_variant__ != "abi3", reason="the abi3 build's choice")
def test_the_abi3_build_reads_items_in_place_on_verified_interpreters() -> None:
    build = build_in_a_child()
    assert build["python_verified"] is True
    assert IN_PLACE_ITEMS in build["internals"]


def test_this_interpreter_is_verified() -> None:
    build = build_in_a_child()
    newest = tuple(int(part) for part in build["newest_verified_python"].split("."))
    assert sys.version_info[:2] <= newest
    assert build["python_verified"] is True


def test_an_interpreter_newer_than_the_newest_verified_uses_limited_api_calls_only() -> None:
    build = build_in_a_child(COPIUM_TESTING_NEWEST_VERIFIED=OLDER_THAN_THIS_PYTHON)
    assert build["newest_verified_python"] == OLDER_THAN_THIS_PYTHON
    assert build["python_verified"] is False
    # What is left is what COPIUM_LIMITED_API_ONLY leaves: nothing in the abi3 build, the
    # in-place reads the fast-paths build is compiled with for its one interpreter.
    assert build["internals"] == internals_in_a_child(COPIUM_LIMITED_API_ONLY="1")


def test_the_newest_verified_version_can_only_be_lowered() -> None:
    normal = build_in_a_child()
    raised = build_in_a_child(COPIUM_TESTING_NEWEST_VERIFIED="9.99")
    assert raised["newest_verified_python"] == normal["newest_verified_python"]
    assert raised["internals"] == normal["internals"]


@pytest.mark.parametrize("value", ["", "3", "three.twelve", "3.x"])
def test_a_malformed_newest_verified_version_is_ignored(value: str) -> None:
    assert build_in_a_child(COPIUM_TESTING_NEWEST_VERIFIED=value) == build_in_a_child()


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
@pytest.mark.parametrize("trigger", LIMITED_API_ONLY_TRIGGERS)
def test_copies_are_the_same_with_limited_api_calls_only(
    trigger: str, tmp_path: pathlib.Path
) -> None:
    suites = [str(TESTS_DIR / name) for name in SUITES_UNDER_THE_SWITCH]
    child = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *suites],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        # The child runs the suites at this run's size (see suite_size.py).
        env=clean_environment(**LIMITED_API_ONLY_TRIGGERS[trigger], **suite_size_environment()),
    )
    assert child.returncode == 0, describe(child)
    assert "'internals': ()" in child.stdout, "the child's report header shows its build"
    assert " passed" in child.stdout and " failed" not in child.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param({}, "yes", id="verified"),
        pytest.param(
            {"COPIUM_TESTING_NEWEST_VERIFIED": OLDER_THAN_THIS_PYTHON}, "no: newer than", id="newer"
        ),
    ],
)
def test_info_says_whether_this_python_is_verified(env: dict[str, str], expected: str) -> None:
    child = run_python("-m", "copium", "info", **env)
    assert child.returncode == 0, describe(child)
    (line,) = [line for line in child.stdout.splitlines() if line.startswith("python verified:")]
    assert line.split(":", 1)[1].strip().startswith(expected)
    as_json = run_python("-m", "copium", "info", "--json", **env)
    assert json.loads(as_json.stdout)["python_verified"] is (expected == "yes")
