# mypy: no-implicit-reexport
# (Names imported here are not part of this module: mypy.stubtest checks the public ones.)
"""Benchmarks shipped with copium: ``python -m copium bench`` calls ``main(argv)``.

Modules: ``workloads`` (what is copied), ``measure`` (how one copy function is
timed), ``implementations`` (the stdlib, this copium, a shallow copy and a baseline
copium in another interpreter), ``runner`` (the script that interpreter runs),
``session`` (alternating repeats over the set), ``report`` (tables), ``chart``
(SVG), ``progress``, ``machine`` (what it ran on) and ``cli`` (the command).
"""

from copium._bench.cli import main

__all__ = ["main"]
