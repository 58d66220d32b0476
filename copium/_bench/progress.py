# mypy: no-implicit-reexport
# (Names imported here are not part of this module: mypy.stubtest checks the public ones.)
"""Progress while the benchmark runs, on stderr so stdout holds only the report.

With the ``bench`` extra installed (``pip install copium[bench]``) this is a tqdm
progress bar; without it, one plain line per workload, so the benchmark never needs
anything beyond copium itself to run.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any, Optional, Union

from copium._bench.workloads import Workload

__all__ = ["Bar", "Lines", "Silent", "make"]


def _tqdm() -> Optional[ModuleType]:
    try:
        return importlib.import_module("tqdm")
    except ImportError:
        return None


class Lines:
    """``[3/19] list_of_10k_ints ... done`` lines."""

    def __init__(self, total: int) -> None:
        self._total = total
        self._done = 0

    def starting(self, workload: Workload) -> None:
        print(f"[{self._done + 1}/{self._total}] {workload.name} ...", end="", file=sys.stderr)
        sys.stderr.flush()

    def finished(self, workload: Workload) -> None:
        self._done += 1
        print(" done", file=sys.stderr)

    def close(self) -> None:
        pass


class Bar:
    """A tqdm bar counting workloads, showing the one being measured."""

    def __init__(self, tqdm: ModuleType, total: int) -> None:
        self._bar: Any = tqdm.tqdm(total=total, unit="workload", file=sys.stderr, leave=False)

    def starting(self, workload: Workload) -> None:
        self._bar.set_postfix_str(workload.name)

    def finished(self, workload: Workload) -> None:
        self._bar.update(1)

    def close(self) -> None:
        self._bar.close()


class Silent:
    def starting(self, workload: Workload) -> None:
        pass

    def finished(self, workload: Workload) -> None:
        pass

    def close(self) -> None:
        pass


def make(total: int, enabled: bool = True) -> Union[Lines, Bar, Silent]:
    if not enabled:
        return Silent()
    tqdm = _tqdm()
    return Bar(tqdm, total) if tqdm is not None else Lines(total)
