"""How the public API looks to a type checker; ``mypy --strict`` must accept this file.

Run by ``tests/test_about_typing.py``. Lines marked ``# type: ignore[...]`` must be
rejected: under --strict an ignore that silences nothing is itself an error, so each
one proves the stubs refuse that misuse.
"""

from __future__ import annotations

import sys
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any, Literal, Optional

from typing_extensions import assert_type

import copium
import copium.config
import copium.extra
import copium.patch
from copium import __about__


@dataclass
class Point:
    x: int
    y: int


orders: dict[str, list[int]] = {"a": [1, 2]}

# copium mirrors copy: the result has the argument's type.
assert_type(copium.deepcopy(orders), dict[str, list[int]])
assert_type(copium.deepcopy(orders, {}), dict[str, list[int]])
assert_type(copium.deepcopy(orders, None), dict[str, list[int]])
assert_type(copium.copy(Point(1, 2)), Point)
copium.deepcopy(orders, [])  # type: ignore[arg-type]

try:
    copium.deepcopy(orders)
except copium.Error as error:
    assert_type(error, copium.Error)

if sys.version_info >= (3, 13):
    assert_type(copium.replace(Point(1, 2), y=3), Point)


# The memo proxy is a mutable mapping keyed by id().
def custom_deepcopy(memo: copium.memo) -> MutableMapping[int, Any]:
    memo[id(orders)] = orders
    assert_type(memo.get(1), Optional[Any])
    return memo


# copium.patch
assert_type(copium.patch.enable(), bool)
assert_type(copium.patch.disable(), bool)
assert_type(copium.patch.enabled(), bool)

# copium.config
copium.config.apply(memo="dict")
copium.config.apply(on_incompatible="silent", suppress_warnings=["text"])
copium.config.apply(suppress_warnings=None)
copium.config.apply(memo="fast")  # type: ignore[arg-type]
copium.config.apply(on_incompatible="ignore")  # type: ignore[arg-type]
copium.config.apply(memo_kind="dict")  # type: ignore[call-arg]
settings = copium.config.get()
assert_type(settings, copium.config.Settings)
assert_type(settings["memo"], Literal["native", "dict"])
assert_type(settings["on_incompatible"], Literal["warn", "raise", "silent"])
assert_type(settings["suppress_warnings"], list[str])
copium.config.apply(**settings)

# copium.extra
assert_type(copium.extra.replicate(orders, 3), list[dict[str, list[int]]])
assert_type(copium.extra.repeatcall(lambda: Point(0, 0), 3), list[Point])
copium.extra.repeatcall(Point(0, 0), 3)  # type: ignore[arg-type]
copium.extra.replicate(orders, "3")  # type: ignore[arg-type]

# pins: a Pin copies its object's type.
order_pin = copium.extra.pin(orders)
assert_type(order_pin, copium.extra.Pin[dict[str, list[int]]])
assert_type(order_pin.copy(), dict[str, list[int]])
assert_type(order_pin(), dict[str, list[int]])
assert_type(order_pin.obj, dict[str, list[int]])
assert_type(order_pin.hits, int)
assert_type(order_pin.planned + order_pin.runs_code, int)
assert_type(copium.extra.pinned(orders), Optional[copium.extra.Pin[dict[str, list[int]]]])
assert_type(copium.extra.unpin(orders), bool)
assert_type(copium.extra.clear_pins(), int)
assert_type(copium.extra.pins()[id(orders)], copium.extra.Pin[Any])
order_pin(orders)  # type: ignore[arg-type]
copium.extra.pins()[id(orders)] = order_pin  # type: ignore[index]

# copium 0.1.0's spellings of copium.config, at the top level
copium.configure()
copium.configure(memo="dict")
copium.configure(on_incompatible="raise", suppress_warnings=("text",))
copium.configure(memo=None, on_incompatible=None, suppress_warnings=None)
copium.configure(memo="fast")  # type: ignore[arg-type]
config = copium.get_config()
assert_type(config["memo"], Literal["native", "dict"])
assert_type(config["on_incompatible"], Literal["warn", "raise", "silent"])
assert_type(config["suppress_warnings"], tuple[str, ...])

# copium.__about__
assert_type(copium.__version__, str)
assert_type(__about__.__version_tuple__, __about__.VersionInfo)
assert_type(__about__.__version_tuple__.major, int)
assert_type(__about__.__version_tuple__.pre, Optional[tuple[str, int]])
assert_type(__about__.__version_tuple__.dev, Optional[int])
assert_type(__about__.__version_tuple__.local, Optional[str])
assert_type(__about__.__build_hash__, str)
assert_type(__about__.__commit_id__, Optional[str])
assert_type(__about__.__authors__, tuple[__about__.Author, ...])
assert_type(__about__.__authors__[0].email, Optional[str])
assert_type(__about__.__limited_api__, Optional[str])
