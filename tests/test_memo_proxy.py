"""The memo a ``__deepcopy__(self, memo)`` hook receives when the caller passed no memo.

copium keeps its memo in a native table and hands hooks a proxy object of type
``copium._copium.memo``: a MutableMapping over that table keyed by ``id(obj)``, with the
stdlib's keep-alive list at ``memo[id(memo)]``. Hooks written for the stdlib's dict memo must
keep working: what they read and write has to mean the same as with the stdlib.

Tests named ``..._like_stdlib`` run the same hook under ``copy.deepcopy`` and compare; the
others check the proxy's own contract and only make sense for copium.
"""

from __future__ import annotations

import collections.abc
import copy as stdlib_copy
import gc
import weakref

import pytest
from isolated import describe, run_isolated
from parity import assert_twin_parity

import copium


def _memo_type():
    return copium._copium.memo


class Capture:
    """A hook that records the memo it was given and returns a plain marker."""

    def __init__(self, check=None):
        self.check = check
        self.seen = []

    def __deepcopy__(self, memo):
        self.seen.append(memo)
        if self.check is not None:
            self.check(self, memo)
        return "copied"


def _memo_seen_by_a_hook(**deepcopy_kwargs):
    hook = Capture()
    copium.deepcopy([hook], **deepcopy_kwargs)
    (memo,) = hook.seen
    return memo


# ---------------------------------------------------------------------- what hooks receive


def test_the_memo_type_is_exported_by_the_package() -> None:
    assert copium.memo is copium._copium.memo


def test_hook_receives_a_memo_proxy_when_the_caller_passed_no_memo() -> None:
    memo = _memo_seen_by_a_hook()
    assert type(memo) is _memo_type()
    assert isinstance(memo, collections.abc.MutableMapping)


def test_hook_receives_a_memo_proxy_when_the_caller_passed_memo_none() -> None:
    assert type(_memo_seen_by_a_hook(memo=None)) is _memo_type()


def test_hook_receives_exactly_the_dict_the_caller_passed() -> None:
    caller_memo: dict = {}
    assert _memo_seen_by_a_hook(memo=caller_memo) is caller_memo


def test_hook_receives_exactly_the_mapping_the_caller_passed() -> None:
    class UserMemo(collections.UserDict):
        pass

    caller_memo = UserMemo()
    assert _memo_seen_by_a_hook(memo=caller_memo) is caller_memo


def test_all_hooks_of_one_call_share_one_table() -> None:
    token = object()

    def write(hook, memo):
        memo[id(token)] = "written by the first hook"

    def read(hook, memo):
        hook.read = memo.get(id(token))

    first, second = Capture(write), Capture(read)
    copium.deepcopy([first, second, token])
    assert second.read == "written by the first hook"


# ---------------------------------------------------------------------- MutableMapping API


def test_proxy_supports_the_mutable_mapping_operations() -> None:
    results = {}

    def exercise(hook, memo):
        key, other = id(hook), id(results)
        before = len(memo)
        results["missing-contains"] = key in memo
        results["missing-get"] = memo.get(key)
        results["missing-get-default"] = memo.get(key, "default")
        with pytest.raises(KeyError):
            memo[key]
        memo[key] = "value"
        results["set-get"] = memo[key]
        results["set-contains"] = key in memo
        results["len-grew"] = len(memo) - before
        results["in-keys"] = key in list(memo.keys())
        results["in-iter"] = key in list(iter(memo))
        results["in-values"] = any(value == "value" for value in memo.values())
        results["in-items"] = (key, "value") in list(memo.items())
        results["len-matches-iter"] = len(memo) == len(list(memo))
        results["setdefault-existing"] = memo.setdefault(key, "other")
        results["setdefault-new"] = memo.setdefault(other, "fresh")
        results["pop"] = memo.pop(other)
        results["pop-missing-default"] = memo.pop(other, "gone")
        with pytest.raises(KeyError):
            memo.pop(other)
        del memo[key]
        results["deleted"] = key not in memo
        with pytest.raises(KeyError):
            del memo[key]
        results["len-restored"] = len(memo) == before
        results["keys-are-ints"] = all(isinstance(k, int) for k in memo)

    copium.deepcopy([[1], Capture(exercise)])
    assert results == {
        "missing-contains": False,
        "missing-get": None,
        "missing-get-default": "default",
        "set-get": "value",
        "set-contains": True,
        "len-grew": 1,
        "in-keys": True,
        "in-iter": True,
        "in-values": True,
        "in-items": True,
        "len-matches-iter": True,
        "setdefault-existing": "value",
        "setdefault-new": "fresh",
        "pop": "fresh",
        "pop-missing-default": "gone",
        "deleted": True,
        "len-restored": True,
        "keys-are-ints": True,
    }


def test_proxy_clear_empties_the_table() -> None:
    def clear(hook, memo):
        memo.clear()
        hook.length_after_clear = len(memo)

    hook = Capture(clear)
    copium.deepcopy([[1], {"k": 2}, hook])
    assert hook.length_after_clear == 0


# ---------------------------------------------------------------------- reads and writes mean what they mean for stdlib


class Aliaser:
    """Writes ``memo[id(target)] = replacement``: later references to target copy as replacement."""

    def __init__(self, target, replacement):
        self.target = target
        self.replacement = replacement

    def __deepcopy__(self, memo):
        memo[id(self.target)] = self.replacement
        return "aliaser"


def _aliaser_then_target():
    target = ["target"]
    return [Aliaser(target, "replacement"), target, {"again": target}]


class Forgetter:
    """Deletes the memo entry of an already copied object, so later references copy it anew."""

    def __init__(self, target):
        self.target = target

    def __deepcopy__(self, memo):
        del memo[id(self.target)]
        return "forgetter"


def _target_forgetter_target():
    target = ["target"]
    return [target, Forgetter(target), target]


class Clearer:
    def __deepcopy__(self, memo):
        memo.clear()
        return "clearer"


def _shared_clearer_shared():
    shared = ["shared"]
    return [shared, {"k": shared}, Clearer(), shared, (shared,)]


class ParentPeek:
    """Returns what the memo holds for its parent container, which is still being copied."""

    def __init__(self, parent):
        self.parent = parent

    def __deepcopy__(self, memo):
        return memo.get(id(self.parent), "parent not in memo")


def _list_holding_a_peek_at_itself():
    parent = []
    parent.append(ParentPeek(parent))
    return parent


def _dict_holding_a_peek_at_itself():
    parent = {}
    parent["peek"] = ParentPeek(parent)
    return parent


class Holder:
    """An ordinary object, copied through reduce."""


def _object_holding_a_peek_at_itself():
    parent = Holder()
    parent.peek = ParentPeek(parent)
    return parent


class KeyReporter:
    """Reports which of the given objects have a memo entry when the hook runs."""

    def __init__(self, labelled):
        self.labelled = labelled

    def __deepcopy__(self, memo):
        return sorted(label for label, obj in self.labelled.items() if id(obj) in memo)


def _already_copied_things_then_reporter():
    listed, mapped, obj, tupled = [1], {"k": 2}, Holder(), ([3],)
    atom = 10**30
    outer = [listed, mapped, obj, tupled, atom]
    outer.append(
        KeyReporter(
            {
                "list": listed,
                "dict": mapped,
                "object": obj,
                "tuple": tupled,
                "atom": atom,
                "outer": outer,
            }
        )
    )
    return outer


class HookDelegates:
    """The common hook: deep-copies its payload with the memo it was given."""

    def __init__(self, payload, deepcopy):
        self.payload = payload
        self.deepcopy = deepcopy

    def __deepcopy__(self, memo):
        clone = HookDelegates.__new__(HookDelegates)
        memo[id(self)] = clone
        clone.payload = self.deepcopy(self.payload, memo)
        clone.deepcopy = self.deepcopy
        return clone


def _shared_through_a_hook_calling(deepcopy):
    def make():
        shared = {"shared": [1]}
        return [shared, HookDelegates([shared, shared], deepcopy), shared]

    return make


class KeepAliveUser:
    """Keeps a temporary alive through the memo like the stdlib's own ``_keep_alive`` does."""

    def __deepcopy__(self, memo):
        temporary = ["temporary"]
        stdlib_copy._keep_alive(temporary, memo)
        return [any(kept is temporary for kept in memo[id(memo)]), temporary]


PARITY_CASES = {
    "write-makes-later-references-copy-as-the-written-value": _aliaser_then_target,
    "delete-makes-later-references-copy-anew": _target_forgetter_target,
    "clear-forgets-everything-copied-so-far": _shared_clearer_shared,
    "read-sees-the-list-being-copied": _list_holding_a_peek_at_itself,
    "read-sees-the-dict-being-copied": _dict_holding_a_peek_at_itself,
    "read-sees-the-object-being-copied": _object_holding_a_peek_at_itself,
    "entries-exist-for-what-was-already-copied": _already_copied_things_then_reporter,
    "hook-calling-copium-deepcopy-with-the-memo-keeps-aliases": _shared_through_a_hook_calling(
        copium.deepcopy
    ),
    "hook-calling-copy-deepcopy-with-the-memo-keeps-aliases": _shared_through_a_hook_calling(
        stdlib_copy.deepcopy
    ),
    "stdlib-keep-alive-helper-works-on-the-memo": lambda: [[1], KeepAliveUser()],
}


@pytest.mark.parametrize("make", list(PARITY_CASES.values()), ids=list(PARITY_CASES))
def test_hook_memo_use_behaves_like_stdlib(make) -> None:
    assert_twin_parity(make, lambda module, x: module.deepcopy(x))


def test_written_entry_is_used_for_later_references() -> None:
    result = copium.deepcopy(_aliaser_then_target())
    assert result == ["aliaser", "replacement", {"again": "replacement"}]


def test_keep_alive_list_holds_what_hooks_append_until_the_copy_ends() -> None:
    gone = []

    class Appender:
        def __deepcopy__(self, memo):
            temporary = Capture()
            stdlib_copy._keep_alive(temporary, memo)
            self.ref = weakref.ref(temporary, lambda _: gone.append(True))
            return "appended"

    class Checker:
        def __init__(self, appender):
            self.appender = appender

        def __deepcopy__(self, memo):
            gc.collect()
            return self.appender.ref() is not None

    appender = Appender()
    assert copium.deepcopy([appender, Checker(appender)]) == ["appended", True]


def test_keep_alive_entry_is_a_list_like_with_append() -> None:
    def inspect(hook, memo):
        stdlib_copy._keep_alive(hook, memo)
        keep = memo[id(memo)]
        hook.has_append = callable(getattr(keep, "append", None))
        hook.holds_hook = any(kept is hook for kept in keep)

    hook = Capture(inspect)
    copium.deepcopy([hook])
    assert (hook.has_append, hook.holds_hook) == (True, True)


# ---------------------------------------------------------------------- proxies that outlive the call


def test_memo_proxy_kept_after_the_call_stays_usable() -> None:
    process = run_isolated(
        """
        import copy, gc
        import copium

        kept = []

        class Keeper:
            def __deepcopy__(self, memo):
                kept.append(memo)
                return "kept"

        payload = [[1, 2], {"k": [3]}, Keeper()]
        assert copium.deepcopy(payload)[2] == "kept"
        del payload
        gc.collect()

        memo = kept[0]
        len(memo)
        list(memo.items())
        list(memo.keys())
        list(memo.values())
        memo.get(12345)
        memo[12345] = "late entry"
        assert memo[12345] == "late entry"
        assert 12345 in memo
        del memo[12345]
        # Reusing the kept proxy as the memo of later calls. Its stale entries may match
        # ids of new objects, so only the absence of a crash is checked.
        copium.deepcopy([1, [2]], memo)
        copy.deepcopy({"a": [1]}, memo)
        memo.clear()
        assert len(memo) == 0
        del memo, kept[:]
        gc.collect()
        assert copium.deepcopy([Keeper(), [5]]) == ["kept", [5]]
        print("ok")
        """
    )
    assert process.returncode == 0 and process.stdout.strip() == "ok", describe(process)


def test_memo_proxy_kept_from_a_failed_call_stays_usable() -> None:
    process = run_isolated(
        """
        import gc
        import copium

        kept = []

        class KeepThenFail:
            def __deepcopy__(self, memo):
                kept.append(memo)
                memo[id(self)] = "entry"
                raise ValueError("hook failed")

        try:
            copium.deepcopy([[1], KeepThenFail()])
        except ValueError:
            pass
        gc.collect()
        memo = kept[0]
        len(memo)
        list(memo.items())
        memo[1] = 2
        assert memo.get(1) == 2
        copium.deepcopy({"x": [1]}, memo)  # stale entries may match new ids: no value check
        print("ok")
        """
    )
    assert process.returncode == 0 and process.stdout.strip() == "ok", describe(process)


def test_memo_proxy_kept_from_an_earlier_call_cannot_touch_a_later_call() -> None:
    # copium may reuse memo storage between calls; a stale proxy must not reach into it.
    process = run_isolated(
        """
        import copy
        import copium

        kept = []

        class Keeper:
            def __deepcopy__(self, memo):
                kept.append(memo)
                return "kept"

        class Poisoner:
            def __init__(self, target):
                self.target = target

            def __deepcopy__(self, memo):
                stale = kept[0]
                stale[id(self.target)] = "poison"
                self.current_memo_has_target = id(self.target) in memo
                return "poisoner"

        def run(deepcopy):
            kept.clear()
            deepcopy([[1], {"k": [2]}, Keeper()])
            target = ["target"]
            poisoner = Poisoner(target)
            result = deepcopy([target, poisoner, target, {"again": target}])
            return result, poisoner.current_memo_has_target

        reference, ref_flag = run(copy.deepcopy)
        candidate, cand_flag = run(copium.deepcopy)
        assert candidate == reference == [["target"], "poisoner", ["target"], {"again": ["target"]}], candidate
        assert candidate[0] is candidate[2] is candidate[3]["again"]
        assert cand_flag == ref_flag
        print("ok")
        """
    )
    assert process.returncode == 0 and process.stdout.strip() == "ok", describe(process)


def test_memo_proxy_of_an_inner_call_used_in_the_outer_call() -> None:
    process = run_isolated(
        """
        import copium

        inner_memos = []

        class Keeper:
            def __deepcopy__(self, memo):
                inner_memos.append(memo)
                return "kept"

        class StartsInnerCall:
            def __deepcopy__(self, memo):
                copium.deepcopy([[1], Keeper()])  # an independent call, finished here
                return "inner done"

        class UsesInnerMemo:
            def __init__(self, target):
                self.target = target

            def __deepcopy__(self, memo):
                inner_memos[0][id(self.target)] = "poison"
                return "used"

        target = ["target"]
        result = copium.deepcopy([StartsInnerCall(), UsesInnerMemo(target), target, target])
        assert result[:2] == ["inner done", "used"], result
        assert result[2] == ["target"] and result[2] is result[3], result
        print("ok")
        """
    )
    assert process.returncode == 0 and process.stdout.strip() == "ok", describe(process)
