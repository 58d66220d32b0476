"""Threads: 8 copier threads share inputs for thousands of iterations, switching every
microsecond, while other threads toggle ``copium.patch`` and ``copium.config``; every copy
is checked against the stdlib's (see ``thread_stress.py``).

The threads run in a child interpreter, so a crash fails this test rather than the run.
A reduced run (``suite_size.py``) has the same threads doing a quarter of the iterations.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import tempfile
from typing import Any

import pytest
from isolated import describe
from suite_size import scaled

TESTS_DIR = str(pathlib.Path(__file__).resolve().parent)

COPIERS = 8
ITERATIONS = scaled(1000, 250)

RUN_THREADS = """
import sys
sys.path.insert(0, {tests_dir!r})
import thread_stress
thread_stress.main({copiers}, {iterations})
"""


def run_threads(copiers: int, iterations: int) -> dict[str, Any]:
    process = subprocess.run(
        [
            sys.executable,
            "-I",
            "-X",
            "faulthandler",
            "-c",
            RUN_THREADS.format(tests_dir=TESTS_DIR, copiers=copiers, iterations=iterations),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tempfile.gettempdir(),
    )
    assert process.returncode == 0, describe(process)
    return json.loads(process.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_concurrent_copies_while_patch_and_config_change(figures) -> None:
    outcome = run_threads(COPIERS, ITERATIONS)
    for name in (
        "copier_threads",
        "iterations_per_thread",
        "copies_checked",
        "patch_toggles",
        "config_changes",
        "seconds",
    ):
        figures(name, outcome[name])
    assert not outcome["failures"], "\n".join(outcome["failures"])
    assert outcome["copies_checked"] == COPIERS * ITERATIONS
    assert outcome["patch_toggles"] > 0 and outcome["config_changes"] > 0, outcome
