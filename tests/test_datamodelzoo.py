"""Parity with the stdlib over the ``datamodelzoo`` catalogue of tricky Python objects.

Each ``datamodelzoo.CASES`` entry is deep-copied by ``copy.deepcopy`` and by
``copium.deepcopy``. Both must raise the same exception type, or produce copies that tell
the same story about the original: ``indifference.assert_equivalent_transformations``
(same values, same identity sharing) plus this suite's own graph comparison.

Third-party cases (numpy, pandas, ...) build their object lazily and are skipped when the
library is not installed. Both packages need Python 3.10+.
"""

from __future__ import annotations

import copy as stdlib_copy

import pytest

datamodelzoo = pytest.importorskip("datamodelzoo", reason="datamodelzoo needs Python 3.10+")
pytest.importorskip("indifference", reason="indifference needs Python 3.10+")

from parity import assert_same_outcome, outcome_of  # noqa: E402

import copium  # noqa: E402

CASES = datamodelzoo.CASES
# Tests take the case's index, not the case: pytest prints test arguments in failure
# reports, and the repr of some catalogue objects grows exponentially with their depth.
CASE_INDICES = range(len(CASES))
CASE_IDS = [case.name for case in CASES]


def _original(index):
    case = CASES[index]
    try:
        return case.obj
    except ImportError as error:
        pytest.skip(f"{case.name} needs a library that is not installed: {error}")


@pytest.mark.parametrize("index", CASE_INDICES, ids=CASE_IDS)
def test_deepcopy_matches_stdlib(index: int) -> None:
    original = _original(index)
    reference = outcome_of(stdlib_copy.deepcopy, original)
    candidate = outcome_of(copium.deepcopy, original)
    assert_same_outcome(original, reference, candidate)


@pytest.mark.parametrize("index", CASE_INDICES, ids=CASE_IDS)
def test_deepcopy_inside_a_container_with_aliases_matches_stdlib(index: int) -> None:
    # The same object three times, once behind a tuple: the copy must alias every position.
    original = _original(index)
    wrapped = [original, (original,), {"again": original}]
    reference = outcome_of(stdlib_copy.deepcopy, wrapped)
    candidate = outcome_of(copium.deepcopy, wrapped)
    assert_same_outcome(wrapped, reference, candidate)


@pytest.mark.parametrize("index", CASE_INDICES, ids=CASE_IDS)
def test_shallow_copy_matches_stdlib(index: int) -> None:
    original = _original(index)
    reference = outcome_of(stdlib_copy.copy, original)
    candidate = outcome_of(copium.copy, original)
    assert_same_outcome(original, reference, candidate)


def test_catalogue_is_not_empty() -> None:
    assert len(CASES) > 50
