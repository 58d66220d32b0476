"""Batch helpers that beat a Python loop by staying inside the engine.

- ``replicate(obj, n, /)``: a list of ``n`` independent deep copies of ``obj``, the same
  as ``[copium.deepcopy(obj) for _ in range(n)]``, faster. Each copy has its own memo,
  so objects shared inside ``obj`` stay shared within each copy, never across copies.
- ``repeatcall(fn, n, /)``: ``[fn() for _ in range(n)]``, faster.

Both raise TypeError when ``n`` is not an int (or ``fn`` is not callable) and
ValueError when ``n`` is negative.
"""

from copium._copium import repeatcall, replicate

__all__ = ["repeatcall", "replicate"]
