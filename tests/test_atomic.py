"""Objects the stdlib treats as atomic come back from ``deepcopy`` as the very same object.

Which types are atomic depends on the Python version (``range`` joined in 3.10), so the list
is read from the running interpreter's ``copy._deepcopy_dispatch``.
"""

from __future__ import annotations

import copy as stdlib_copy
import sys
import types
import weakref

import pytest
from parity import assert_deepcopy_parity

import copium


class _Referent:
    pass


_REFERENT = _Referent()


def _function(x):
    return x


# One fresh, non-cached instance of each type that some CPython version lists as atomic.
SAMPLES = {
    type(None): None,
    type(Ellipsis): Ellipsis,
    type(NotImplemented): NotImplemented,
    int: 10**40,
    bool: True,
    float: 2.5e300,
    complex: complex(1.5, -2.5),
    bytes: b"\x00bytes",
    str: "text \u1234",
    types.CodeType: _function.__code__,
    type: _Referent,
    range: range(3, 300, 7),
    types.BuiltinFunctionType: len,
    types.FunctionType: _function,
    weakref.ref: weakref.ref(_REFERENT),
    property: property(_function),
}

ATOMIC_TYPES = [
    cls
    for cls, copier in stdlib_copy._deepcopy_dispatch.items()
    if copier is stdlib_copy._deepcopy_atomic
]


def test_every_atomic_type_of_this_python_has_a_sample() -> None:
    assert set(ATOMIC_TYPES) <= set(SAMPLES), "a new atomic type needs a sample in SAMPLES"


@pytest.mark.parametrize("cls", ATOMIC_TYPES, ids=lambda cls: cls.__name__)
def test_atomic_object_is_returned_as_is(cls: type) -> None:
    sample = SAMPLES[cls]
    assert type(sample) is cls
    assert copium.deepcopy(sample) is sample
    assert copium.deepcopy(sample, {}) is sample


@pytest.mark.parametrize("cls", ATOMIC_TYPES, ids=lambda cls: cls.__name__)
def test_atomic_object_is_not_memoized(cls: type) -> None:
    # The stdlib only records objects whose copy differs from the original.
    memo: dict = {}
    copium.deepcopy(SAMPLES[cls], memo)
    assert memo == {}


@pytest.mark.parametrize("cls", ATOMIC_TYPES, ids=lambda cls: cls.__name__)
def test_atomic_object_inside_a_container_is_shared_by_the_copy(cls: type) -> None:
    sample = SAMPLES[cls]
    result = copium.deepcopy([sample, {"k": sample}])
    assert result[0] is sample
    assert result[1]["k"] is sample


@pytest.mark.skipif(sys.version_info >= (3, 10), reason="range is atomic from 3.10 on")
def test_range_is_rebuilt_through_reduce_before_3_10() -> None:
    original = range(3, 300, 7)
    assert_deepcopy_parity(original)
    assert copium.deepcopy(original) is not original


def test_class_with_a_custom_metaclass_is_atomic() -> None:
    class Meta(type):
        pass

    class WithMeta(metaclass=Meta):
        pass

    assert copium.deepcopy(WithMeta) is WithMeta
    assert copium.deepcopy([WithMeta])[0] is WithMeta


def test_metaclass_deepcopy_hook_is_not_consulted_for_classes() -> None:
    # issubclass(type(x), type) wins over __deepcopy__ found on the metaclass.
    class Meta(type):
        def __deepcopy__(cls, memo):
            raise AssertionError("must not be called")

    class WithMeta(metaclass=Meta):
        pass

    assert copium.deepcopy(WithMeta) is WithMeta


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(type("IntSub", (int,), {})(5), id="int-subclass"),
        pytest.param(type("StrSub", (str,), {})("s"), id="str-subclass"),
        pytest.param(type("FloatSub", (float,), {})(1.5), id="float-subclass"),
        pytest.param(type("BytesSub", (bytes,), {})(b"b"), id="bytes-subclass"),
    ],
)
def test_subclass_of_an_atomic_type_is_copied_like_the_stdlib_does(value: object) -> None:
    value.note = ["attached"]
    outcome = assert_deepcopy_parity(value)
    assert outcome.value is not value
    assert outcome.value.note is not value.note


def test_bound_builtin_method_is_atomic() -> None:
    # [].append is a builtin_function_or_method, one of the atomic types.
    host = [1]
    append = host.append
    assert copium.deepcopy(append) is append


def test_shallow_copy_returns_immutable_objects_as_is() -> None:
    immutable_types = [
        cls
        for cls, copier in stdlib_copy._copy_dispatch.items()
        if copier is stdlib_copy._copy_immutable
    ]
    samples = dict(SAMPLES)
    samples.update({tuple: (1, [2]), frozenset: frozenset({1, 2}), slice: slice(1, None, [3])})
    for cls in immutable_types:
        assert copium.copy(samples[cls]) is samples[cls], cls
