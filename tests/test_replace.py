"""``copium.replace`` behaves like ``copy.replace``, which exists from Python 3.13 on."""

from __future__ import annotations

import collections
import copy as stdlib_copy
import dataclasses
import datetime
import sys
import types

import pytest
from parity import assert_same_graph, outcome_of

import copium

pytestmark = pytest.mark.skipif(
    sys.version_info < (3, 13), reason="copy.replace is new in Python 3.13"
)

Point = collections.namedtuple("Point", "x y")


@dataclasses.dataclass(frozen=True)
class Frozen:
    name: str
    tags: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class WithPostInit:
    value: int
    doubled: int = dataclasses.field(init=False)

    def __post_init__(self):
        self.doubled = self.value * 2


class CustomReplace:
    def __init__(self, **fields):
        self.fields = fields

    def __replace__(self, **changes):
        return CustomReplace(**{**self.fields, **changes})


def _function(a, b=1):
    return a + b


CASES = {
    "namedtuple": (Point([1], 2), {"y": [3]}),
    "frozen-dataclass": (Frozen("a", [1]), {"name": "b"}),
    "dataclass-post-init": (WithPostInit(2), {"value": 5}),
    "simple-namespace": (types.SimpleNamespace(a=[1], b=2), {"b": [3], "c": 4}),
    "date": (datetime.date(2024, 2, 29), {"year": 2028}),
    "datetime": (datetime.datetime(2024, 1, 1, 12), {"hour": 1, "minute": 2}),
    "custom-__replace__": (CustomReplace(a=[1]), {"b": 2}),
    "code-object": (_function.__code__, {"co_name": "renamed"}),
    "no-changes": (Point(1, 2), {}),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_replace_matches_stdlib(case) -> None:
    original, changes = case
    reference = outcome_of(stdlib_copy.replace, original, **changes)
    candidate = outcome_of(copium.replace, original, **changes)
    assert not reference.raised and not candidate.raised, (
        reference.describe(),
        candidate.describe(),
    )
    assert_same_graph(original, reference.value, candidate.value)


FAILURES = {
    "type-without-__replace__": ([1, 2], {"x": 1}),
    "plain-object": (object(), {}),
    "unknown-field": (Point(1, 2), {"z": 3}),
    "dataclass-init-false-field": (WithPostInit(2), {"doubled": 1}),
    "date-out-of-range": (datetime.date(2024, 1, 31), {"month": 2}),
}


@pytest.mark.parametrize("case", list(FAILURES.values()), ids=list(FAILURES))
def test_replace_failure_matches_stdlib(case) -> None:
    original, changes = case
    reference = outcome_of(stdlib_copy.replace, original, **changes)
    candidate = outcome_of(copium.replace, original, **changes)
    assert reference.raised
    assert type(candidate.error) is type(reference.error), (
        reference.describe(),
        candidate.describe(),
    )


def test_unsupported_type_message_names_the_type() -> None:
    with pytest.raises(TypeError, match="replace\\(\\) does not support list objects"):
        copium.replace([1])


def test_object_is_positional_only() -> None:
    # `obj` may itself be a field name of the object being replaced.
    @dataclasses.dataclass
    class HasObjField:
        obj: int

    assert copium.replace(HasObjField(1), obj=2) == HasObjField(2)
    with pytest.raises(TypeError):
        copium.replace(obj=HasObjField(1))


def test_error_from___replace___reaches_the_caller_unchanged() -> None:
    error = ValueError("from __replace__")

    class Failing:
        def __replace__(self, **changes):
            raise error

    with pytest.raises(ValueError) as caught:
        copium.replace(Failing())
    assert caught.value is error


def test___replace___is_looked_up_on_the_class() -> None:
    instance = CustomReplace(a=1)
    instance.__replace__ = lambda **changes: "from the instance"
    result = copium.replace(instance, b=2)
    assert isinstance(result, CustomReplace)
    assert result.fields == {"a": 1, "b": 2}
