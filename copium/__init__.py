"""copium: a fast drop-in replacement for the stdlib ``copy`` module."""

from copium._copium import Error, copy, deepcopy

__all__ = ["Error", "copy", "deepcopy"]
