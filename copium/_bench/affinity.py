# mypy: no-implicit-reexport
# (Names imported here are not part of this module: mypy.stubtest checks the public ones.)
"""One CPU for the whole benchmark: this process and the baseline's runner alike.

Alternating repeats cancel a machine that gets faster or slower over time, but not
cores that run at different speeds (vCPUs sharing hardware threads with other tenants,
big and little cores, a core busy with interrupts). Left to the scheduler, this process
and the baseline's runner can each stay on a different core for the whole run, and
their ratio then measures the cores: on a 2-vCPU VM one comparison of two copiums
measured anywhere from 0.6x to 1.7x across runs that way, and 0.95x to 1.07x pinned.
Pinned to one CPU, both sides share whatever it does.
"""

from __future__ import annotations

import os
from typing import Optional

__all__ = ["ANY", "AffinityError", "describe", "pin"]

ANY = "any"  # the --cpu value that leaves placement to the scheduler


class AffinityError(ValueError):
    """The requested CPU is not one this process may run on."""


def _allowed() -> Optional[set[int]]:
    getter = getattr(os, "sched_getaffinity", None)
    return set(getter(0)) if getter is not None else None


def pin(requested: Optional[str]) -> Optional[int]:
    """Pins this process (and the processes it starts later) to one CPU.

    ``requested`` is a CPU number, ``ANY`` (no pinning) or ``None`` (the lowest CPU this
    process may run on). Returns the CPU, or ``None`` when not pinned: on request, or
    where the platform has no ``sched_setaffinity`` (macOS, Windows).
    """
    if requested == ANY:
        return None
    allowed = _allowed()
    if allowed is None:
        return None
    if requested is None:
        cpu = min(allowed)
    else:
        try:
            cpu = int(requested)
        except ValueError:
            raise AffinityError(f"--cpu takes a CPU number or {ANY!r}, not {requested!r}") from None
        if cpu not in allowed:
            raise AffinityError(
                f"CPU {cpu} is not one this process may run on (allowed: {sorted(allowed)})"
            )
    os.sched_setaffinity(0, {cpu})
    return cpu


def describe(cpu: Optional[int], requested: Optional[str]) -> str:
    """The report header's line for where the run happened."""
    if cpu is not None:
        return f"pinned to CPU {cpu}, with the baseline's runner (sched_setaffinity)"
    if requested == ANY:
        return "not pinned (--cpu any): the scheduler placed each process"
    return "not pinned: this platform has no sched_setaffinity"
