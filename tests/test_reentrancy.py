"""Copies started while another copy is in progress stay independent of it.

User code runs in the middle of a copy (hooks, reduce callables, iterators, ``__del__``) and
may start copies of its own, on the same thread or on others. Each call has its own memo:
an inner call must neither see nor disturb the outer call's entries.
"""

from __future__ import annotations

import copy as stdlib_copy
import gc
import threading

import pytest
from parity import assert_same_graph, assert_twin_parity

import copium


class CopiesPayloadAfresh:
    """A hook that deep-copies its payload with a fresh call, not with the memo it got."""

    def __init__(self, payload, deepcopy):
        self.payload = payload
        self.deepcopy = deepcopy

    def __deepcopy__(self, memo):
        return ["inner", self.deepcopy(self.payload)]


def _outer_aliases_around_a_fresh_inner_call(deepcopy):
    def make():
        shared = {"shared": [1]}
        return [shared, CopiesPayloadAfresh([shared, shared], deepcopy), shared, {"again": shared}]

    return make


def _rebuild_with_inner_copy(payload):
    return ("rebuilt", copium.deepcopy(payload))


class ReducesThroughACopy:
    def __init__(self, payload):
        self.payload = payload

    def __reduce_ex__(self, protocol):
        return (_rebuild_with_inner_copy, (self.payload,))


def _reduce_callable_copies_its_args():
    shared = [1]
    return [shared, ReducesThroughACopy([shared]), shared]


def _listitems_copy_while_iterated():
    shared = [1]

    class Appendable(list):
        def __reduce_ex__(self, protocol):
            return (Appendable, (), None, (copium.deepcopy(item) for item in self))

    return [shared, Appendable([shared, [2]]), shared]


REENTRANT = {
    "hook-calls-copium-deepcopy-without-memo": _outer_aliases_around_a_fresh_inner_call(
        copium.deepcopy
    ),
    "hook-calls-copium-copy": _outer_aliases_around_a_fresh_inner_call(copium.copy),
    "hook-calls-stdlib-deepcopy-without-memo": _outer_aliases_around_a_fresh_inner_call(
        stdlib_copy.deepcopy
    ),
    "reduce-callable-starts-a-copy": _reduce_callable_copies_its_args,
}


@pytest.mark.parametrize("make", list(REENTRANT.values()), ids=list(REENTRANT))
def test_inner_call_does_not_disturb_the_outer_one(make) -> None:
    assert_twin_parity(make, lambda module, x: module.deepcopy(x))


def test_generator_of_listitems_may_start_copies() -> None:
    original = _listitems_copy_while_iterated()
    result = copium.deepcopy(original)
    assert result[0] is result[2]
    assert result[0] is not original[0]
    assert result[1] == [[1], [2]]
    assert result[1][0] is not result[0]  # copied by the inner, independent call


def test_inner_call_does_not_see_the_outer_memo() -> None:
    shared = [1]

    class Inner:
        def __deepcopy__(self, memo):
            return copium.deepcopy(shared)

    outer_copy_of_shared, inner_copy_of_shared = copium.deepcopy([shared, Inner()])
    assert outer_copy_of_shared == inner_copy_of_shared == [1]
    assert outer_copy_of_shared is not inner_copy_of_shared


class CopiesWhenCollected:
    """Its finalizer runs a copy: the collector may call it in the middle of another copy."""

    finalized = []

    def __init__(self):
        self.cycle = self

    def __del__(self):
        CopiesWhenCollected.finalized.append(copium.deepcopy([[1], {"k": (2,)}]))


class CollectsGarbage:
    def __deepcopy__(self, memo):
        CopiesWhenCollected()  # unreachable cycle with a finalizer
        gc.collect()
        return "collected"


def test_finalizer_copying_during_a_copy() -> None:
    CopiesWhenCollected.finalized.clear()
    shared = [1]
    original = [shared, CollectsGarbage(), shared]
    result = copium.deepcopy(original)
    assert result[1] == "collected"
    assert result[0] is result[2] and result[0] is not shared
    assert CopiesWhenCollected.finalized and all(
        copied == [[1], {"k": (2,)}] for copied in CopiesWhenCollected.finalized
    )


# ---------------------------------------------------------------------- threads


class Yields:
    """A hook that lets other threads run in the middle of the copy."""

    def __init__(self, payload):
        self.payload = payload

    def __deepcopy__(self, memo):
        threading.Event().wait(0.0005)  # releases the GIL
        clone = Yields.__new__(Yields)
        memo[id(self)] = clone
        clone.payload = copium.deepcopy(self.payload, memo)
        return clone


def _workload(seed: int):
    shared = {"seed": seed, "items": [seed] * 3}
    return [shared, Yields([shared, (shared, seed)]), {"again": shared}, Yields(shared)]


def test_concurrent_copies_in_threads_match_stdlib() -> None:
    threads_count, rounds = 4, 25
    failures = []
    start = threading.Barrier(threads_count)

    def work(seed: int) -> None:
        try:
            start.wait()
            for round_number in range(rounds):
                original = _workload(seed * 1000 + round_number)
                assert_same_graph(
                    original, stdlib_copy.deepcopy(original), copium.deepcopy(original)
                )
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[0]


# ---------------------------------------------------------------------- consecutive calls


class FailsAtTheEnd:
    def __deepcopy__(self, memo):
        raise ValueError("fails after the other items were memoized")


def test_consecutive_calls_share_no_memo_entries() -> None:
    # Freed objects' ids are reused by new ones; a memo entry surviving from an earlier
    # call would hand back an old copy for a new object with a recycled id.
    for round_number in range(300):
        original = [[round_number], {"n": round_number}, Holder([round_number])]
        result = copium.deepcopy(original)
        assert result[0] == [round_number] and result[1] == {"n": round_number}
        assert result[2].items == [round_number]
        del original, result


def test_calls_after_a_failed_call_share_no_memo_entries() -> None:
    for round_number in range(300):
        original = [[round_number], {"n": round_number}, FailsAtTheEnd()]
        with pytest.raises(ValueError):
            copium.deepcopy(original)
        del original
        fresh = [[round_number + 1], {"n": round_number + 1}]
        assert copium.deepcopy(fresh) == fresh


def test_large_copy_then_small_copies_share_no_memo_entries() -> None:
    big = [[index] for index in range(200_000)]
    assert copium.deepcopy(big) == big
    del big
    for round_number in range(100):
        original = [[round_number], [round_number, round_number]]
        assert copium.deepcopy(original) == original


class Holder:
    def __init__(self, items):
        self.items = items
