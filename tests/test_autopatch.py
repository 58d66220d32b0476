"""Zero-code autopatch: the wheel installs ``copium_autopatch.pth`` into site-packages.

At interpreter start it patches ``copy.deepcopy`` when ``COPIUM_PATCH_DEEPCOPY`` or
``COPIUM_PATCH_ENABLE`` (copium 0.1.0's name) is on, unless ``COPIUM_PATCH_DISABLE`` is on.
With none of them it only reads the environment: copium is not even imported.
Each case runs a fresh interpreter, since this happens only at startup.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import copium
from copium import _env

PTH_NAME = "copium_autopatch.pth"

# Printed by the child: whether startup imported copium, and who copies afterwards.
REPORT_STARTUP = """
import json, sys
imported_at_start = sorted(m for m in sys.modules if m == "copium" or m.startswith("copium."))
from copy import deepcopy

class MemoProbe:
    memo_type = None
    def __deepcopy__(self, memo):
        MemoProbe.memo_type = type(memo).__module__ + "." + type(memo).__qualname__
        return self

deepcopy(MemoProbe())
import copium, copium.patch
print(json.dumps({
    "imported_at_start": imported_at_start,
    "patched": copium.patch.enabled(),
    "memo_type": MemoProbe.memo_type,
    "copium_memo_type": copium.memo.__module__ + "." + copium.memo.__qualname__,
}))
"""


def start_python(tmp_path: Path, **environment: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPIUM_")}
    env.update(environment)
    # A neutral working directory, so the child cannot import a source checkout.
    child = subprocess.run(
        [sys.executable, "-c", REPORT_STARTUP],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    assert child.stderr == "", "startup printed an error:\n" + child.stderr
    report: dict[str, Any] = json.loads(child.stdout)
    return report


def test_the_pth_file_is_installed_beside_the_package() -> None:
    site_packages = Path(copium.__file__).resolve().parent.parent
    pth = site_packages / PTH_NAME
    assert pth.is_file()
    code_lines = [line for line in pth.read_text().splitlines() if not line.startswith("#")]
    # site.py executes only lines that start with "import"; the rest would be paths.
    assert len(code_lines) == 1
    assert code_lines[0].startswith("import os;")


def test_without_variables_startup_does_not_import_copium(tmp_path: Path) -> None:
    report = start_python(tmp_path)
    assert report["imported_at_start"] == []
    assert report["patched"] is False
    assert report["memo_type"] == "builtins.dict"


@pytest.mark.parametrize("variable", ["COPIUM_PATCH_DEEPCOPY", "COPIUM_PATCH_ENABLE"])
def test_variable_patches_deepcopy_at_startup(tmp_path: Path, variable: str) -> None:
    report = start_python(tmp_path, **{variable: "1"})
    assert "copium.patch" in report["imported_at_start"]
    assert report["patched"] is True
    # `from copy import deepcopy` in the program itself reaches copium.
    assert report["memo_type"] == report["copium_memo_type"]


@pytest.mark.parametrize("variable", ["COPIUM_PATCH_DEEPCOPY", "COPIUM_PATCH_ENABLE"])
def test_disable_variable_wins_and_keeps_copium_unimported(tmp_path: Path, variable: str) -> None:
    report = start_python(tmp_path, **{variable: "1", "COPIUM_PATCH_DISABLE": "1"})
    assert report["imported_at_start"] == []
    assert report["patched"] is False


def test_both_enable_variables_together_patch_once(tmp_path: Path) -> None:
    report = start_python(tmp_path, COPIUM_PATCH_DEEPCOPY="1", COPIUM_PATCH_ENABLE="1")
    assert report["patched"] is True


@pytest.mark.parametrize("value", ["1", "true", "TRUE", " yes ", "on", "0", "", "no", "false", "2"])
def test_pth_reads_values_by_the_same_rule_as_copium(tmp_path: Path, value: str) -> None:
    switched_on = value.strip().lower() in _env.TRUE_VALUES
    report = start_python(tmp_path, COPIUM_PATCH_DEEPCOPY=value)
    assert report["patched"] is switched_on
    assert bool(report["imported_at_start"]) is switched_on


@pytest.mark.parametrize("value", ["0", "", "off"])
def test_disable_variable_that_is_off_does_not_block_the_patch(tmp_path: Path, value: str) -> None:
    report = start_python(tmp_path, COPIUM_PATCH_DEEPCOPY="1", COPIUM_PATCH_DISABLE=value)
    assert report["patched"] is True
