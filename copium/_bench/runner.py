# mypy: no-implicit-reexport
# (Names imported here are not part of this module: mypy.stubtest checks the public ones.)
"""Measure another interpreter's copium on request: the baseline side of a benchmark.

``python -m copium bench --baseline OTHER_PYTHON`` starts ``OTHER_PYTHON runner.py``
and, between its own repeats, asks it for one repeat at a time, so that both
copiums are measured alternately under the same machine load. The other
interpreter's copium may be any version (0.1.0 has no ``copium._bench``), so this
file runs as a plain script and uses only its two standard-library siblings,
``workloads.py`` and ``measure.py``, found next to it.

Protocol: one JSON object per line. The runner first writes a greeting describing
its interpreter and copium, then answers each request line with one line:

    {"op": "calibrate", "workload": NAME, "min_time_ns": N}  -> {"loops": L}
    {"op": "time", "workload": NAME, "loops": L}             -> {"ns_per_call": T}
    {"op": "memory", "workload": NAME}                       -> {"bytes": B}
    {"op": "check", "workload": NAME}                        -> {"equal": true|false}

A request that fails is answered with {"error": TRACEBACK}. End of input ends it.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any, Callable

if TYPE_CHECKING or __package__:
    from copium._bench import measure, workloads
else:  # a script in another interpreter: the siblings are top-level modules there
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    measure = importlib.import_module("measure")
    workloads = importlib.import_module("workloads")

__all__ = ["Server", "greeting", "main", "serve"]


def _copium_version(copium: ModuleType) -> str:
    about = getattr(copium, "__about__", None)
    version = getattr(about, "__version__", None) or getattr(copium, "__version__", None)
    if version is None:
        from importlib import metadata

        version = metadata.version("copium")
    return str(version)


def greeting(copium: ModuleType) -> dict[str, Any]:
    return {
        "python": measure.python_description(),
        "executable": sys.executable,
        "copium": _copium_version(copium),
        "copium_path": os.path.dirname(os.path.abspath(str(copium.__file__))),
        # The CPUs it may run on: the parent pins itself before starting it, so these
        # show that both sides share one CPU (None where the platform cannot tell).
        "cpus": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
    }


class Server:
    """Answers requests about one copy function, building each workload once."""

    def __init__(self, copy: Callable[[Any], Any]) -> None:
        self._copy = copy
        self._catalogue = workloads.by_name()
        self._objects: dict[str, Any] = {}

    def _object(self, name: str) -> Any:
        if name not in self._objects:
            self._objects[name] = self._catalogue[name].build()
        return self._objects[name]

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request["op"]
        obj = self._object(request["workload"])
        if op == "calibrate":
            return {"loops": measure.calibrate(self._copy, obj, int(request["min_time_ns"]))}
        if op == "time":
            return {"ns_per_call": measure.time_per_call(self._copy, obj, int(request["loops"]))}
        if op == "memory":
            return {"bytes": measure.peak_extra_bytes(self._copy, obj)}
        if op == "check":
            return {"equal": bool(self._copy(obj) == obj)}
        raise ValueError(f"unknown request {op!r}")


def serve(copy: Callable[[Any], Any], requests: IO[str], replies: IO[str]) -> None:
    server = Server(copy)
    for line in requests:
        if not line.strip():
            continue
        try:
            reply = server.answer(json.loads(line))
        except Exception:
            reply = {"error": traceback.format_exc()}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


def main() -> int:
    # The protocol owns stdout; anything else printed (by copium, a warning, a
    # workload) goes to stderr, which the parent passes through to the user.
    replies = sys.stdout
    sys.stdout = sys.stderr
    import copium

    replies.write(json.dumps(greeting(copium)) + "\n")
    replies.flush()
    serve(copium.deepcopy, sys.stdin, replies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
