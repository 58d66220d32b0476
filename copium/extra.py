"""Batch helpers that beat a Python loop by staying inside the engine, and pins.

- ``replicate(obj, n, /)``: a list of ``n`` independent deep copies of ``obj``, the same
  as ``[copium.deepcopy(obj) for _ in range(n)]``, faster. Each copy has its own memo,
  so objects shared inside ``obj`` stay shared within each copy, never across copies.
- ``repeatcall(fn, n, /)``: ``[fn() for _ in range(n)]``, faster.

Both raise TypeError when ``n`` is not an int (or ``fn`` is not callable) and
ValueError when ``n`` is negative.

Pins, for an object that is deep-copied again and again (a default configuration, an
initial state, a request skeleton, a fixture):

- ``pin(obj, /) -> Pin``: walks ``obj`` once and compiles a copy plan: sharing and cycles
  resolved in advance, atomic objects in place, containers as templates cloned in one
  call, plain instances as class + state, reduce values with their callables resolved.
  ``Pin.copy()`` (or calling the pin) returns a new deep copy made from the plan;
  ``Pin.hits`` counts the copies made from it; ``Pin.planned`` and ``Pin.runs_code`` count
  the objects of a copy the plan builds by itself and those it makes by calling code.
- While ``obj`` is pinned, ``copium.deepcopy(obj)``, and any ``copium.deepcopy`` (or patched
  ``copy.deepcopy``) that meets ``obj`` inside another object, copies it from its plan.
  A deepcopy given a memo of the caller's own is left alone: it performs stdlib's exact
  memo traffic, object by object.
- ``unpin(obj, /) -> bool``, ``pinned(obj, /) -> Pin | None``, ``clear_pins() -> int``,
  ``pins()``: a read-only, live mapping ``{id(obj): Pin}``. A pin holds its object alive
  until it is unpinned.

The contract: a copy from a pin is what ``copy.deepcopy(obj)`` returned when ``pin(obj)``
ran. Changing the pinned object afterwards is not seen by its copies until it is pinned
again (which replaces the plan). Where the graph holds something whose copy cannot be
planned (a custom ``__deepcopy__``, a reduce callable or a ``__setstate__`` that is Python
code), the plan calls the same code at every copy, with the memo stdlib's ``deepcopy``
would give it, so the copy is still what deepcopy would produce; only that object is
slower. ``pin(obj)`` makes one copy from its plan before it returns, so whatever
``deepcopy(obj)`` raises, it raises, and then nothing is pinned.
"""

from copium._copium import Pin, clear_pins, pin, pinned, pins, repeatcall, replicate, unpin

__all__ = [
    "Pin",
    "clear_pins",
    "pin",
    "pinned",
    "pins",
    "repeatcall",
    "replicate",
    "unpin",
]
