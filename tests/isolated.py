"""Run a snippet in a fresh interpreter, so that a crash is a failed test, not a dead pytest."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap


def run_isolated(source: str, *, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``source`` with this interpreter in isolated mode, from a neutral directory.

    Isolated mode (-I) keeps the current directory and PYTHON* variables off sys.path, so
    the snippet imports the same installed copium as the tests.
    """
    return subprocess.run(
        [sys.executable, "-I", "-c", textwrap.dedent(source)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tempfile.gettempdir(),
    )


def describe(process: subprocess.CompletedProcess) -> str:
    return (
        f"exit code {process.returncode}\n"
        f"--- stdout ---\n{process.stdout[-3000:]}\n--- stderr ---\n{process.stderr[-3000:]}"
    )
