"""Hostile inputs: every case of the ``hostile_*`` modules, in child interpreters.

A case passes when copium raised the stdlib's exception type or made the stdlib's copy (or
met the case's own assertions), the interpreter did not crash, and the next call in the
same thread was clean (see ``hostile_cases.py``).

The quick cases of one module run one after the other in a child interpreter, which
reports each result as soon as it is known; if a case crashes the child, that case fails
with the exit code and output, and a new child carries on with the next one. So a crash
fails exactly one test, and cases also run after each other's hostilities. Slow scenarios
each get a fresh interpreter.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import tempfile
from typing import Any

import pytest
from hostile_cases import RESULT_PREFIX, Case, Scenario, load_all

TESTS_DIR = str(pathlib.Path(__file__).resolve().parent)

CASES = load_all()

RUN_BATCH = """
import json, sys
sys.path.insert(0, {tests_dir!r})
import hostile_cases
hostile_cases.main_batch(json.loads(sys.stdin.read()))
"""


def _group_of(name: str) -> str:
    entry = CASES[name]
    if isinstance(entry, Scenario) and entry.slow:
        return name  # alone, in a fresh interpreter
    return (entry.make if isinstance(entry, Case) else entry.run).__module__


GROUPS: dict[str, list[str]] = {}
for _name in CASES:
    GROUPS.setdefault(_group_of(_name), []).append(_name)

RESULTS: dict[str, dict[str, Any]] = {}


def _run_child(names: list[str], timeout: float) -> dict[str, Any]:
    # Isolated mode (-I) keeps the current directory and PYTHON* variables off sys.path,
    # so the child imports the installed copium; only this folder is added, for the cases.
    command = [
        sys.executable,
        "-I",
        "-X",
        "faulthandler",
        "-c",
        RUN_BATCH.format(tests_dir=TESTS_DIR),
    ]
    try:
        process = subprocess.run(
            command,
            input=json.dumps(names),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=tempfile.gettempdir(),
        )
        stdout, stderr, ending = process.stdout, process.stderr, f"exit code {process.returncode}"
    except subprocess.TimeoutExpired as expired:
        stdout = _text(expired.stdout)
        stderr, ending = _text(expired.stderr), f"timed out after {timeout:.0f} s"
    reported = [
        json.loads(line[len(RESULT_PREFIX) :])
        for line in stdout.splitlines()
        if line.startswith(RESULT_PREFIX)
    ]
    return {"reported": reported, "ending": ending, "stderr": stderr}


def _text(data: Any) -> str:
    return data.decode(errors="replace") if isinstance(data, bytes) else (data or "")


def _run_group(group: str) -> None:
    pending = list(GROUPS[group])
    slow = len(pending) == 1 and isinstance(CASES[pending[0]], Scenario) and CASES[pending[0]].slow
    while pending:
        child = _run_child(pending, timeout=900 if slow else 300)
        for result in child["reported"]:
            RESULTS[result["name"]] = result
        pending = pending[len(child["reported"]) :]
        if pending:
            # The child stopped without a result for this case: the case ended it.
            crashed = pending.pop(0)
            RESULTS[crashed] = {
                "name": crashed,
                "ok": False,
                "detail": f"the interpreter stopped during this case ({child['ending']})\n"
                f"--- stderr ---\n{child['stderr'][-4000:]}",
            }


def _params() -> list[Any]:
    params = []
    for name, entry in CASES.items():
        marks = []
        if isinstance(entry, Scenario):
            if entry.slow:
                marks.append(pytest.mark.slow)
            if entry.posix_only and sys.platform == "win32":
                marks.append(pytest.mark.skip(reason="needs POSIX signals"))
            if entry.linux_only and not sys.platform.startswith("linux"):
                marks.append(pytest.mark.skip(reason="needs Linux (/proc and RLIMIT_AS)"))
        params.append(pytest.param(name, marks=marks, id=name))
    return params


@pytest.mark.parametrize("name", _params())
def test_hostile_case(name: str) -> None:
    if name not in RESULTS:
        _run_group(_group_of(name))
    result = RESULTS[name]
    assert result["ok"], result["detail"]


def test_the_catalogue_covers_every_kind_of_hostility(figures) -> None:
    counts: dict[str, int] = {}
    for entry in CASES.values():
        module = (entry.make if isinstance(entry, Case) else entry.run).__module__
        counts[module] = counts.get(module, 0) + 1
    figures("hostile cases", len(CASES))
    figures("compared with the stdlib", sum(isinstance(entry, Case) for entry in CASES.values()))
    for module, count in sorted(counts.items()):
        figures(module, count)
    assert set(counts) == {
        "hostile_mutation",
        "hostile_protocols",
        "hostile_interrupts",
        "hostile_reentry",
        "hostile_memo_proxy",
        "hostile_scale",
    }, counts
