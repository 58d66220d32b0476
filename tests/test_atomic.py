"""Objects the stdlib treats as atomic come back from ``deepcopy`` as the very same object.

Which types are atomic depends on the Python version (``range`` joined in 3.10, ``super``
became atomic for ``copy.copy`` in 3.14, ``frozendict`` in 3.15), so the lists are read from
the running interpreter's ``copy`` module (see ``stdlib_semantics``).
"""

from __future__ import annotations

import json
import pathlib
import sys
import types
import weakref

import pytest
from isolated import describe, run_isolated
from parity import assert_deepcopy_parity
from stdlib_semantics import FROZENDICT, copy_atomic_types, deepcopy_atomic_types

import copium

TESTS_DIR = pathlib.Path(__file__).resolve().parent


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

# The same for the types some CPython version's copy.copy returns as they are.
SHALLOW_SAMPLES: dict[type, object] = {
    **SAMPLES,
    tuple: (1, [2]),
    frozenset: frozenset({1, 2}),
    slice: slice(1, None, [3]),
    super: super(int, 1),
}
if FROZENDICT is not None:
    SHALLOW_SAMPLES[FROZENDICT] = FROZENDICT(a=[1])

ATOMIC_TYPES = sorted(deepcopy_atomic_types(), key=lambda cls: cls.__name__)


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
    for cls in copy_atomic_types():
        sample = SHALLOW_SAMPLES[cls]
        assert type(sample) is cls
        assert copium.copy(sample) is sample, cls


@pytest.mark.skipif(sys.version_info < (3, 14), reason="super is atomic for copy from 3.14")
def test_shallow_copy_returns_a_super_object_as_is() -> None:
    proxy = super(int, 1)
    assert copium.copy(proxy) is proxy


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="super is atomic for copy from 3.14")
def test_shallow_copy_of_a_super_object_goes_through_reduce_before_3_14() -> None:
    # The proxy forwards __reduce_ex__ to the object it wraps, so stdlib "copies" a
    # super(int, 1) into a new int 1.
    import copy

    proxy = super(int, 1)
    expected = copy.copy(proxy)
    result = copium.copy(proxy)
    assert result is not proxy
    assert type(result) is type(expected) and result == expected


def test_atomic_types_come_from_the_running_copy_module() -> None:
    build = copium._copium.BUILD
    assert build["atomic_types_from"] == {"deepcopy": "copy module", "copy": "copy module"}


def test_copium_imports_and_knows_the_atomic_types_when_the_copy_module_hides_them() -> None:
    # A later Python may rename the private tables copium reads; it then falls back on the
    # table of this version it carries, which must agree with the stdlib's.
    child = run_isolated(
        f"""
        import copy, json, sys
        sys.path[:0] = [{str(TESTS_DIR)!r}]
        from stdlib_semantics import copy_atomic_types, deepcopy_atomic_types
        deep, shallow = deepcopy_atomic_types(), copy_atomic_types()
        names = ("_atomic_types", "_copy_atomic_types", "_deepcopy_atomic", "_copy_immutable")
        hidden = {{name: getattr(copy, name) for name in names if hasattr(copy, name)}}
        for name in hidden:
            delattr(copy, name)
        import copium
        # copium read what it needed at import; the suite's own helpers need the names back.
        for name, value in hidden.items():
            setattr(copy, name, value)
        import test_atomic
        print(json.dumps(copium._copium.BUILD["atomic_types_from"]))
        deep_kept = [t.__name__ for t in deep if copium.deepcopy(test_atomic.SAMPLES[t]) is test_atomic.SAMPLES[t]]
        shallow_kept = [t.__name__ for t in shallow if copium.copy(test_atomic.SHALLOW_SAMPLES[t]) is test_atomic.SHALLOW_SAMPLES[t]]
        print(json.dumps([len(deep), sorted(deep_kept)]))
        print(json.dumps([len(shallow), sorted(shallow_kept)]))
        """
    )
    assert child.returncode == 0, describe(child)
    source, (n_deep, deep_kept), (n_shallow, shallow_kept) = (
        json.loads(line) for line in child.stdout.splitlines()
    )
    assert source == {"deepcopy": "version table", "copy": "version table"}
    assert len(deep_kept) == n_deep == len(deepcopy_atomic_types())
    assert len(shallow_kept) == n_shallow == len(copy_atomic_types())
