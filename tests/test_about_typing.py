"""The type information shipped in the wheel: ``.pyi`` stubs and ``py.typed``.

``mypy --strict`` must accept ``tests/typing/*.py`` against the installed package, and
``mypy.stubtest`` must find the stubs in agreement with the runtime objects.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import copium

pytest.importorskip("mypy", reason="mypy is not installed")

TYPING_DIR = Path(__file__).parent / "typing"


def run_mypy_tool(tmp_path: Path, args: list[str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "MYPYPATH"}
    return subprocess.run(
        [sys.executable, "-m", *args],
        env=env,
        # Outside the checkout: mypy must see the installed copium, not the source tree.
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_package_is_marked_typed() -> None:
    package = Path(copium.__file__).parent
    assert (package / "py.typed").is_file()
    for module in ("__init__", "_copium", "config", "extra", "patch", "__about__"):
        assert (package / f"{module}.pyi").is_file(), module


def test_public_api_usage_passes_mypy_strict(tmp_path: Path) -> None:
    files = sorted(str(path) for path in TYPING_DIR.glob("*.py"))
    assert files, "no typing test files"
    child = run_mypy_tool(
        tmp_path, ["mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), *files]
    )
    assert child.returncode == 0, child.stdout + child.stderr


def test_stubs_agree_with_the_runtime(tmp_path: Path) -> None:
    child = run_mypy_tool(tmp_path, ["mypy.stubtest", "copium"])
    assert child.returncode == 0, child.stdout + child.stderr
