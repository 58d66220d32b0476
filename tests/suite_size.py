"""How much the heavy suites do in this run: ``COPIUM_TEST_SIZE=full`` (the default) or ``reduced``.

The test command (``wheelhouse-scripts/test-all.sh``) runs them in full on a few
interpreters and reduced on the others. A reduced run goes through the same kinds of case
and the same code paths with fewer repetitions: half the generated graphs per property
(``test_property_parity.py``, also in the limited-API child run of
``test_limited_api_only.py``), a quarter of the iterations per copier thread
(``test_threads.py``), and hostile sizes and depths ten times smaller
(``hostile_scale.py``: still far deeper than any thread's stack allows, and still growing
the memo and keep-alive buffers many times over). Every assertion is the same in both
sizes. (The leak loops keep their rounds: their test asserts a minimum number of calls.)

The heavy modules read ``scaled(full, reduced)`` at import; ``environment()`` is what a
child pytest run needs to run at the same size. conftest.py reports the size in the
pytest header.
"""

from __future__ import annotations

import os
from typing import TypeVar

T = TypeVar("T")

SIZES = ("full", "reduced")
SIZE = os.environ.get("COPIUM_TEST_SIZE", "").strip().lower() or "full"
if SIZE not in SIZES:
    raise RuntimeError(f"COPIUM_TEST_SIZE={SIZE!r}: expected one of {', '.join(SIZES)}")
FULL = SIZE == "full"


def scaled(full: T, reduced: T) -> T:
    """``full`` in a full run, ``reduced`` in a reduced one."""
    return full if FULL else reduced


def environment() -> dict[str, str]:
    """The environment variable that makes a child process run at this size."""
    return {"COPIUM_TEST_SIZE": SIZE}
