# mypy: no-implicit-reexport
# (Names imported here are not part of this module: mypy.stubtest checks the public ones.)
"""The copy functions a benchmark compares, behind one interface.

Local ones run in this process (the stdlib, this copium, a shallow copy); the
baseline runs in another interpreter through ``runner.py``. The session asks each
for one repeat at a time, so it can alternate between them.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import IO, Any, Callable

from copium._bench import measure
from copium._bench.workloads import Workload

__all__ = [
    "Baseline",
    "BaselineError",
    "Implementation",
    "Local",
    "RUNNER",
    "Shallow",
    "stdlib",
    "this_copium",
]

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runner.py")


class Implementation:
    """Something that copies a workload's object; subclasses say how and where."""

    name: str

    def calibrate(self, workload: Workload, obj: Any, min_time_ns: int) -> int:
        raise NotImplementedError

    def time_per_call(self, workload: Workload, obj: Any, loops: int) -> float:
        raise NotImplementedError

    def peak_extra_bytes(self, workload: Workload, obj: Any) -> int:
        raise NotImplementedError

    def copies_equal(self, workload: Workload, obj: Any) -> bool:
        """Whether a copy compares equal to the original: a fast wrong copy is no result."""
        raise NotImplementedError


class Local(Implementation):
    """A copy function of this process, given the object the session built."""

    def __init__(self, name: str, copy: Callable[[Any], Any]) -> None:
        self.name = name
        self._copy = copy

    def calibrate(self, workload: Workload, obj: Any, min_time_ns: int) -> int:
        return measure.calibrate(self._copy, obj, min_time_ns)

    def time_per_call(self, workload: Workload, obj: Any, loops: int) -> float:
        return measure.time_per_call(self._copy, obj, loops)

    def peak_extra_bytes(self, workload: Workload, obj: Any) -> int:
        return measure.peak_extra_bytes(self._copy, obj)

    def copies_equal(self, workload: Workload, obj: Any) -> bool:
        return bool(self._copy(obj) == obj)


class Shallow(Implementation):
    """The workload's own shallow copy (``x[:]``, ``d.copy()``): a lower bound."""

    name = "shallow"

    def _copy(self, workload: Workload) -> Callable[[Any], Any]:
        if workload.shallow is None:
            raise ValueError(f"{workload.name} has no shallow counterpart")
        return workload.shallow

    def calibrate(self, workload: Workload, obj: Any, min_time_ns: int) -> int:
        return measure.calibrate(self._copy(workload), obj, min_time_ns)

    def time_per_call(self, workload: Workload, obj: Any, loops: int) -> float:
        return measure.time_per_call(self._copy(workload), obj, loops)

    def peak_extra_bytes(self, workload: Workload, obj: Any) -> int:
        return measure.peak_extra_bytes(self._copy(workload), obj)

    def copies_equal(self, workload: Workload, obj: Any) -> bool:
        return bool(self._copy(workload)(obj) == obj)


class BaselineError(RuntimeError):
    """The baseline interpreter could not start, or failed a request."""


class Baseline(Implementation):
    """The copium installed for another interpreter, measured by ``runner.py`` there.

    It builds its own copy of each workload from the same ``workloads.py``, so the
    ``obj`` the session passes is not sent; only names and numbers cross over.
    """

    name = "baseline"

    def __init__(self, python: str) -> None:
        self.python = python
        try:
            self._process = subprocess.Popen(
                [python, RUNNER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
        except OSError as error:
            raise BaselineError(
                f"cannot start the baseline interpreter {python}: {error}"
            ) from error
        self.info: dict[str, Any] = self._read()

    def _pipes(self) -> tuple[IO[str], IO[str]]:
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None, "started with both pipes"
        return stdin, stdout

    def _read(self) -> dict[str, Any]:
        line = self._pipes()[1].readline()
        if not line:
            code = self._process.wait()
            raise BaselineError(
                f"the baseline interpreter {self.python} exited (status {code}) before "
                "answering; its error is printed above (is copium installed there?)"
            )
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise BaselineError(f"the baseline interpreter {self.python} failed:\n{reply['error']}")
        return reply

    def _ask(self, op: str, workload: Workload, **fields: Any) -> dict[str, Any]:
        stdin = self._pipes()[0]
        try:
            stdin.write(json.dumps({"op": op, "workload": workload.name, **fields}) + "\n")
            stdin.flush()
        except BrokenPipeError:
            raise BaselineError(f"the baseline interpreter {self.python} has exited") from None
        return self._read()

    def calibrate(self, workload: Workload, obj: Any, min_time_ns: int) -> int:
        return int(self._ask("calibrate", workload, min_time_ns=min_time_ns)["loops"])

    def time_per_call(self, workload: Workload, obj: Any, loops: int) -> float:
        return float(self._ask("time", workload, loops=loops)["ns_per_call"])

    def peak_extra_bytes(self, workload: Workload, obj: Any) -> int:
        return int(self._ask("memory", workload)["bytes"])

    def copies_equal(self, workload: Workload, obj: Any) -> bool:
        return bool(self._ask("check", workload)["equal"])

    def close(self) -> None:
        stdin = self._process.stdin
        if stdin is not None and not stdin.closed:
            stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        stdout = self._process.stdout
        if stdout is not None:
            stdout.close()


def stdlib() -> Local:
    return Local("stdlib", measure.private_stdlib_copy().deepcopy)


def this_copium() -> Local:
    import copium

    return Local("copium", copium.deepcopy)
