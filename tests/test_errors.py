"""Failures surface exactly as with the stdlib.

Uncopyable objects raise ``copy.Error`` (or the TypeError their reduce raises); an exception
raised by user code during a copy reaches the caller as the very same object; containers
changed while being copied behave like the stdlib's loop over them.
"""

from __future__ import annotations

import copy as stdlib_copy
import copyreg
import sys
import threading

import pytest
from parity import assert_deepcopy_parity, assert_twin_parity

import copium


class Uncopyable:
    __reduce_ex__ = None
    __reduce__ = None


def test_error_is_the_stdlib_error() -> None:
    assert copium.Error is stdlib_copy.Error


@pytest.mark.parametrize("operation", ["deepcopy", "copy"])
def test_object_without_any_copy_protocol_raises_copy_error(operation: str) -> None:
    with pytest.raises(stdlib_copy.Error, match="Uncopyable"):
        getattr(copium, operation)(Uncopyable())


def test_uncopyable_object_nested_in_a_container_raises_copy_error() -> None:
    with pytest.raises(stdlib_copy.Error):
        copium.deepcopy({"ok": [1], "bad": [Uncopyable()]})


def _generator():
    yield 1


UNCOPYABLE_BUILTINS = {
    "lock": threading.Lock,
    "generator": _generator,
    "module": lambda: sys,
    "dict-keys-view": lambda: {"k": 1}.keys(),
    "frame": sys._getframe,
    "uncopyable-inside-a-list": lambda: [1, threading.Lock()],
}


@pytest.mark.parametrize("make", list(UNCOPYABLE_BUILTINS.values()), ids=list(UNCOPYABLE_BUILTINS))
@pytest.mark.parametrize("operation", ["deepcopy", "copy"])
def test_builtin_that_cannot_be_reduced_fails_like_stdlib(make, operation: str) -> None:
    reference, _ = assert_twin_parity(make, lambda module, x: getattr(module, operation)(x))
    if operation == "deepcopy":
        assert reference.raised


# ---------------------------------------------------------------------- user exceptions propagate unchanged


class Failure(Exception):
    """Raised by the hooks below; tests check the caller gets this very instance."""


class NotAnException(BaseException):
    """A BaseException that is not an Exception must propagate too."""


def _raiser(error):
    def hook(*args, **kwargs):
        raise error

    return hook


def _object_with(**methods):
    return type("WithHooks", (), methods)()


class RaisingHash:
    """Hashes fine until armed; the error lives on the class so copies raise this very object."""

    error: BaseException
    armed = False

    def __hash__(self):
        if self.armed:
            raise self.error
        return 1


def _dict_whose_copied_key_fails_to_hash(error):
    key = type("Key", (RaisingHash,), {"error": error})()
    mapping = {key: "value"}
    key.armed = True  # the original is already stored; its copy will fail when inserted
    return mapping


class Registered:
    pass


HOOK_FAILURES = {
    "__deepcopy__": lambda e: _object_with(__deepcopy__=_raiser(e)),
    "__reduce_ex__": lambda e: _object_with(__reduce_ex__=_raiser(e)),
    "__reduce__": lambda e: _object_with(__reduce__=_raiser(e)),
    "__getstate__": lambda e: _object_with(__getstate__=_raiser(e)),
    "__setstate__": lambda e: _object_with(
        __setstate__=_raiser(e), __reduce_ex__=lambda self, p: (type(self), (), {"s": 1})
    ),
    "__getnewargs_ex__": lambda e: _object_with(__getnewargs_ex__=_raiser(e)),
    "reconstructor": lambda e: _object_with(__reduce_ex__=lambda self, p: (_raiser(e), ())),
    "listitems-append": lambda e: _object_with(
        append=_raiser(e), __reduce_ex__=lambda self, p: (type(self), (), None, iter([1]))
    ),
    "dictitems-setitem": lambda e: _object_with(
        __setitem__=_raiser(e),
        __reduce_ex__=lambda self, p: (type(self), (), None, None, iter([(1, 2)])),
    ),
    "listitems-iterator": lambda e: _object_with(
        __reduce_ex__=lambda self, p: (list, (), None, map(_raiser(e), [1]))
    ),
    "copied-dict-key-hash": _dict_whose_copied_key_fails_to_hash,
    "nested-deep-inside-containers": lambda e: {
        "a": [1, (2, [_object_with(__deepcopy__=_raiser(e))])]
    },
}


@pytest.mark.parametrize("error_type", [Failure, NotAnException])
@pytest.mark.parametrize("make", list(HOOK_FAILURES.values()), ids=list(HOOK_FAILURES))
def test_exception_from_user_code_reaches_the_caller_unchanged(make, error_type) -> None:
    error = error_type("from user code")
    with pytest.raises(error_type) as caught:
        copium.deepcopy(make(error))
    assert caught.value is error


def test_exception_from_copy_hook_reaches_the_caller_unchanged() -> None:
    error = Failure("from __copy__")
    with pytest.raises(Failure) as caught:
        copium.copy(_object_with(__copy__=_raiser(error)))
    assert caught.value is error


def test_exception_from_a_copyreg_reducer_reaches_the_caller_unchanged() -> None:
    error = Failure("from the reducer")
    copyreg.pickle(Registered, _raiser(error))
    try:
        for operation in (copium.deepcopy, copium.copy):
            with pytest.raises(Failure) as caught:
                operation(Registered())
            assert caught.value is error
    finally:
        del copyreg.dispatch_table[Registered]


def test_deepcopy_hook_with_the_wrong_signature_fails_like_stdlib() -> None:
    class NoMemoParameter:
        def __deepcopy__(self):
            return self

    assert_deepcopy_parity(NoMemoParameter())


def test_a_call_after_a_failure_starts_from_a_clean_slate() -> None:
    shared = [1]
    error = Failure()
    with pytest.raises(Failure):
        copium.deepcopy([shared, _object_with(__deepcopy__=_raiser(error))])
    result = copium.deepcopy([shared, shared])
    assert result == [[1], [1]]
    assert result[0] is result[1]
    assert result[0] is not shared


# ---------------------------------------------------------------------- containers changed during the copy


class GrowsHost:
    """While being copied, adds one entry to the container that holds it."""

    def __init__(self, host):
        self.host = host
        self.done = False

    def __deepcopy__(self, memo):
        if not self.done:
            self.done = True
            if isinstance(self.host, dict):
                self.host["added during the copy"] = [1]
            elif isinstance(self.host, list):
                self.host.append(["added during the copy"])
            else:
                self.host.add("added during the copy")
        return "grower"


class ReplacesValue:
    def __init__(self, host):
        self.host = host

    def __deepcopy__(self, memo):
        self.host["other"] = ["replaced during the copy"]
        return "replacer"


def _dict_growing_during_copy():
    host = {}
    host["grower"] = GrowsHost(host)
    host["after"] = [1]
    return host


def _list_growing_during_copy():
    host = [[0]]
    host.append(GrowsHost(host))
    host.append([2])
    return host


def _set_growing_during_copy():
    host = {1, 2}
    return [GrowsHost(host), host]


def _dict_value_replaced_during_copy():
    host = {"other": ["original"]}
    host["replacer"] = ReplacesValue(host)
    host["last"] = "x"
    return {"first": host["replacer"], "host": host}


MUTATIONS = {
    "dict-grows": _dict_growing_during_copy,
    "list-grows": _list_growing_during_copy,
    "set-grows": _set_growing_during_copy,
    "dict-value-replaced": _dict_value_replaced_during_copy,
}


@pytest.mark.parametrize("make", list(MUTATIONS.values()), ids=list(MUTATIONS))
def test_container_changed_during_copy_behaves_like_stdlib(make) -> None:
    assert_twin_parity(make, lambda module, x: module.deepcopy(x))


def test_dict_that_grows_during_copy_raises_runtime_error() -> None:
    with pytest.raises(RuntimeError, match="changed size during iteration"):
        copium.deepcopy(_dict_growing_during_copy())
