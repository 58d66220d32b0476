"""CPython's own ``Lib/test/test_copy.py``, run with copium in place of the ``copy`` module.

The running interpreter ships its copy of the file as ``test.test_copy``. Its tests call
``copy.copy``, ``copy.deepcopy``, ``copy.replace`` (3.13+), ``copy.Error`` and ``copy.error``
through the module global ``copy``. That global is pointed at a module object holding
copium's functions under those names and the stdlib module's other attributes, and every
``unittest.TestCase`` class of the file is then exposed here for pytest to collect.
"""

from __future__ import annotations

import copy as stdlib_copy
import sys
import types
import unittest

import pytest

import copium

cpython_test_copy = pytest.importorskip(
    "test.test_copy", reason="this interpreter was built without its test package"
)


def _copy_module_backed_by_copium() -> types.ModuleType:
    module = types.ModuleType("copy", stdlib_copy.__doc__)
    for name, value in vars(stdlib_copy).items():
        if name not in ("__name__", "__doc__"):
            setattr(module, name, value)
    module.copy = copium.copy
    module.deepcopy = copium.deepcopy
    module.Error = module.error = copium.Error
    if sys.version_info >= (3, 13):
        module.replace = getattr(copium, "replace", _missing_replace)
    return module


def _missing_replace(obj, /, **changes):
    # Keeps a missing copium.replace from quietly testing the stdlib's instead.
    raise AssertionError("copium does not provide replace on Python 3.13+")


COPY_MODULE_BACKED_BY_COPIUM = _copy_module_backed_by_copium()
cpython_test_copy.copy = COPY_MODULE_BACKED_BY_COPIUM

CPYTHON_TEST_CASES = {
    name: value
    for name, value in vars(cpython_test_copy).items()
    if isinstance(value, type)
    and issubclass(value, unittest.TestCase)
    and value.__module__ == cpython_test_copy.__name__
}
# Exposing each class under its own name makes pytest collect it from this module.
globals().update(CPYTHON_TEST_CASES)

if "MiscTestCase" in CPYTHON_TEST_CASES:  # Python 3.13+

    class MiscTestCase(CPYTHON_TEST_CASES["MiscTestCase"]):  # type: ignore[no-redef]
        def test__all__(self) -> None:
            # check__all__ counts a name as the module's own API only when the object's
            # __module__ is the module's name; copium's functions are defined in copium, so
            # it is told about that module as well. The assertion is otherwise unchanged.
            from test import support

            support.check__all__(
                self,
                COPY_MODULE_BACKED_BY_COPIUM,
                name_of_module=("copy", copium.deepcopy.__module__),
                not_exported={"dispatch_table", "error"},
            )


def test_the_cpython_tests_call_copium_not_the_stdlib() -> None:
    namespace = cpython_test_copy.copy
    assert namespace is COPY_MODULE_BACKED_BY_COPIUM
    assert namespace.deepcopy is copium.deepcopy
    assert namespace.copy is copium.copy
    assert namespace.Error is copium.Error
    assert namespace.error is copium.Error
    if sys.version_info >= (3, 13):
        assert namespace.replace is getattr(copium, "replace", None)


def test_every_test_in_the_cpython_file_is_collected_here() -> None:
    loaded = unittest.defaultTestLoader.loadTestsFromModule(cpython_test_copy)

    def flatten(suite: unittest.TestSuite) -> list[unittest.TestCase]:
        out = []
        for item in suite:
            out.extend(flatten(item) if isinstance(item, unittest.TestSuite) else [item])
        return out

    loaded_classes = {type(test).__name__ for test in flatten(loaded)}
    assert loaded_classes, "test.test_copy defines no tests?"
    exposed = {name for name in loaded_classes if name in globals()}
    assert exposed == loaded_classes
    assert len(flatten(loaded)) >= 70  # every CPython 3.9-3.13 test_copy.py has more than 70 tests
