# mypy: no-implicit-reexport
# (Names imported here are not part of this module: mypy.stubtest checks the public ones.)
"""The benchmark set: objects to deep-copy, each built fresh by a function.

This module imports nothing but the standard library. ``runner.py`` loads it in
another interpreter (a baseline copium's venv) where ``copium._bench`` does not
exist, so both sides copy exactly the same objects.

Each workload belongs to a class; the report gives a geometric mean per class.
The "pyperformance" class holds equivalents of the cases pyperformance's
``bm_deepcopy`` describes (a dict of mixed values holding a dataclass, an object
copied through ``__reduce__``, a dict whose values repeat one list so the memo is
hit), written for this project and named after what they contain.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import fractions
import re
import uuid
from typing import Any, Callable, NamedTuple, Optional

__all__ = [
    "APPLICATION",
    "Address",
    "FLAT",
    "NESTED",
    "OBJECTS",
    "PYPERFORMANCE",
    "PlainObject",
    "Point",
    "RECORDS",
    "Reducible",
    "Shape",
    "SlotsObject",
    "Status",
    "User",
    "WORKLOADS",
    "Workload",
    "application_state_document",
    "application_state_of_builtins",
    "by_name",
    "bytearrays",
    "dataclass_with_nested_dataclasses",
    "dict_of_10k_int_to_float",
    "dict_of_1k_str_to_int",
    "dict_and_tuple_sharing_one_list",
    "dict_of_mixed_values",
    "dict_repeating_one_list",
    "dicts_nested_300_deep",
    "json_like_records",
    "list_of_10k_ints",
    "list_of_decimals_fractions_patterns",
    "list_of_1k_mixed_atomics",
    "list_of_1k_strs",
    "lists_nested_300_deep",
    "nested_immutable_tuples",
    "object_with_reduce",
    "plain_objects",
    "set_and_frozenset_of_300_ints",
    "slots_objects",
    "tree_of_lists_and_dicts",
    "tuple_of_10k_ints",
]


class Workload(NamedTuple):
    name: str
    group: str
    description: str
    build: Callable[[], Any]
    # A shallow copy of the same object, for workloads whose deep copy can be
    # compared with one: a deep copy of flat atomics does the same work.
    shallow: Optional[Callable[[Any], Any]] = None
    shallow_label: str = ""


# ---------------------------------------------------------------- pyperformance


@dataclasses.dataclass
class Point:
    x: float
    y: float


@dataclasses.dataclass
class Shape:
    name: str
    corners: list[Point]
    tags: list[str]
    closed: bool = True


class Reducible:
    """Copied through ``__reduce__``: the path every class without a fast path takes."""

    def __init__(self, label: str, weights: list[int]) -> None:
        self.label = label
        self.weights = weights

    def __reduce__(self) -> tuple[Any, ...]:
        return (Reducible, (self.label, self.weights))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reducible) and (self.label, self.weights) == (
            other.label,
            other.weights,
        )

    __hash__ = None  # type: ignore[assignment]


def dict_of_mixed_values() -> dict[str, Any]:
    return {
        "name": "widget",
        "count": 42,
        "ratio": 0.25,
        "flags": [True, False, None],
        "sizes": list(range(10)),
        "coords": (1, 2, 3),
        "nested": {"a": "x", "b": [1.5, 2.5], "c": {"d": "deep"}},
        "shape": Shape("square", [Point(0, 0), Point(0, 1), Point(1, 1), Point(1, 0)], ["geo"]),
    }


def object_with_reduce() -> Reducible:
    return Reducible("weights", list(range(20)))


def dict_repeating_one_list() -> dict[str, Any]:
    shared = list(range(10))
    return {"first": shared, "second": shared, "pairs": [shared, shared, shared], "own": [1, 2]}


def dataclass_with_nested_dataclasses() -> Shape:
    return Shape("hexagon", [Point(float(i), float(i * i)) for i in range(6)], ["a", "b", "c"])


# ------------------------------------------------------------ application state


class Status(enum.Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


@dataclasses.dataclass
class Address:
    street: str
    city: str
    postcode: str


@dataclasses.dataclass
class User:
    id: uuid.UUID
    name: str
    status: Status
    joined: datetime.datetime
    address: Address
    roles: frozenset[str]
    balance: decimal.Decimal
    preferences: dict[str, Any] = dataclasses.field(default_factory=dict)


def application_state_document() -> dict[str, Any]:
    """What an app deep-copies before mutating its state: typed, nested, shared."""
    epoch = datetime.datetime(2024, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)
    default_prefs = {"theme": "dark", "language": "en", "notifications": {"email", "push"}}
    cities = [Address(f"{n} Main St", city, f"{10000 + n}") for n, city in enumerate("ABCDE")]
    users = [
        User(
            id=uuid.UUID(int=n),
            name=f"user{n}",
            status=Status.ACTIVE if n % 7 else Status.SUSPENDED,
            joined=epoch + datetime.timedelta(days=n),
            address=cities[n % len(cities)],  # shared between users
            roles=frozenset({"reader", "writer"} if n % 3 else {"reader"}),
            balance=decimal.Decimal(n) / 4,
            preferences=default_prefs if n % 2 else {"theme": "light"},
        )
        for n in range(50)
    ]
    return {
        "version": (2, 4, 1),
        "saved_at": epoch,
        "timeout": datetime.timedelta(seconds=30),
        "users": users,
        "by_name": {user.name: user for user in users},  # references, not new users
        "tags": {"beta", "internal", "eu"},
        "feature_flags": frozenset({"fast-search", "new-editor"}),
        "history": [("login", user.name, user.joined.date()) for user in users[:20]],
        "defaults": default_prefs,
        "limits": {"upload": 10 * 2**20, "ratio": fractions.Fraction(3, 4)},
    }


def application_state_of_builtins() -> dict[str, Any]:
    """A small state document of builtins only: dicts of dicts, short lists and tuples,
    sets and frozensets, ints standing in for timestamps and amounts, shared parts."""
    epoch = 1_704_110_400
    default_prefs = {"theme": "dark", "language": "en", "notifications": {"email", "push"}}
    cities = [
        {"street": f"{n} Main St", "city": city, "postcode": f"{10000 + n}"}
        for n, city in enumerate("ABC")
    ]
    users = [
        {
            "id": 1000 + n,
            "name": f"user{n}",
            "status": "active" if n % 7 else "suspended",
            "joined": epoch + 86_400 * n,
            "address": cities[n % len(cities)],  # shared between users
            "roles": frozenset({"reader", "writer"} if n % 3 else {"reader"}),
            "balance_cents": 25 * n,
            "preferences": default_prefs if n % 2 else {"theme": "light"},
            "last_seen": (epoch + 3_600 * n, "web"),
        }
        for n in range(12)
    ]
    return {
        "version": (2, 4, 1),
        "saved_at": epoch,
        "users": users,
        "by_name": {user["name"]: user for user in users},  # references, not new users
        "tags": {"beta", "internal", "eu"},
        "feature_flags": frozenset({"fast-search", "new-editor"}),
        "history": [("login", user["name"], user["joined"]) for user in users[:8]],
        "defaults": default_prefs,
        "limits": {"upload": 10 * 2**20, "ratio_percent": 75},
    }


# ------------------------------------------------------------- flat containers


def list_of_10k_ints() -> list[int]:
    return list(range(10_000))


def list_of_1k_strs() -> list[str]:
    return [f"item-{i}" for i in range(1_000)]


def dict_of_1k_str_to_int() -> dict[str, int]:
    return {f"key-{i}": i for i in range(1_000)}


def dict_of_10k_int_to_float() -> dict[int, float]:
    return {i: i / 3 for i in range(10_000)}


def tuple_of_10k_ints() -> tuple[int, ...]:
    return tuple(range(10_000))


def list_of_1k_mixed_atomics() -> list[Any]:
    atoms: list[Any] = [
        0, -1, 2**70, 1.5, float("inf"), 2j, "text", "", b"bytes", None, True, False,
        Ellipsis, NotImplemented, range(5), int, len, _nested_lists,
    ]  # fmt: skip
    return [atoms[i % len(atoms)] for i in range(1_000)]


def set_and_frozenset_of_300_ints() -> tuple[set[int], frozenset[int]]:
    return set(range(300)), frozenset(range(300, 600))


# --------------------------------------------------------------------- nesting


def nested_immutable_tuples() -> tuple[Any, ...]:
    """Tuples of tuples of atomics: the copy is the original, found by a full walk."""
    return tuple(tuple((i, f"s{i}", (i * 0.5, None, (j,))) for j in range(10)) for i in range(100))


def _nested_lists(depth: int) -> list[Any]:
    node: list[Any] = [0]
    for level in range(1, depth):
        node = [level, node]
    return node


def lists_nested_300_deep() -> list[Any]:
    # Deep enough to stress recursion, shallow enough for the stdlib's recursion limit.
    return _nested_lists(300)


def dicts_nested_300_deep() -> dict[str, Any]:
    node: dict[str, Any] = {"leaf": True}
    for level in range(300):
        node = {"level": level, "child": node}
    return node


def tree_of_lists_and_dicts() -> dict[str, Any]:
    """A wide, moderately deep tree: branching 4, depth 5."""

    def branch(depth: int) -> Any:
        if depth == 0:
            return [depth, "leaf", 1.0]
        return (
            {f"k{i}": branch(depth - 1) for i in range(4)}
            if depth % 2
            else [branch(depth - 1) for _ in range(4)]
        )

    result: dict[str, Any] = branch(5)
    return result


def dict_and_tuple_sharing_one_list() -> dict[str, Any]:
    """One list referenced 100 times, from a dict and from a tuple: memo hits dominate."""
    shared = list(range(20))
    return {
        "by_key": {f"k{i}": shared for i in range(50)},
        "in_order": tuple(shared for _ in range(50)),
    }


# --------------------------------------------------------------------- records


def json_like_records() -> list[dict[str, Any]]:
    """A decoded JSON API response: only dicts, lists, str, int, float, bool and None."""
    return [
        {
            "id": i,
            "name": f"user-{i}",
            "email": f"user-{i}@example.com",
            "active": i % 2 == 0,
            "score": i * 1.25,
            "manager": None if i % 5 else i - 1,
            "tags": ["staff", "admin"] if i % 10 == 0 else ["staff"],
            "address": {"city": ("Oslo", "Lima", "Pune")[i % 3], "zip": f"{10000 + i}"},
        }
        for i in range(200)
    ]


# --------------------------------------------------------------------- objects


class PlainObject:
    def __init__(self, index: int) -> None:
        self.index = index
        self.name = f"obj{index}"
        self.values = [index, index + 1]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainObject) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]


class SlotsObject:
    __slots__ = ("index", "name", "values")

    def __init__(self, index: int) -> None:
        self.index = index
        self.name = f"obj{index}"
        self.values = [index, index + 1]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SlotsObject) and all(
            getattr(self, slot) == getattr(other, slot) for slot in self.__slots__
        )

    __hash__ = None  # type: ignore[assignment]


def plain_objects() -> list[PlainObject]:
    return [PlainObject(i) for i in range(500)]


def slots_objects() -> list[SlotsObject]:
    return [SlotsObject(i) for i in range(500)]


def list_of_decimals_fractions_patterns() -> list[Any]:
    """Objects whose class's own ``__deepcopy__`` returns the object itself: compiled
    patterns (C), Decimals (C) and Fractions (Python, for the exact class)."""
    patterns = [re.compile(rf"item-{i}-(\d+)") for i in range(20)]
    return [
        (decimal.Decimal(i) / 8, fractions.Fraction(i, 7), patterns[i % 20])[i % 3]
        for i in range(600)
    ]


def bytearrays() -> list[bytearray]:
    return [bytearray(range(256)) * 4 for _ in range(100)]


# ----------------------------------------------------------------------- table

PYPERFORMANCE = "pyperformance"
APPLICATION = "application"
FLAT = "flat containers"
NESTED = "nesting"
RECORDS = "records"
OBJECTS = "objects and buffers"

WORKLOADS: tuple[Workload, ...] = (
    Workload("dict_of_mixed_values", PYPERFORMANCE,
             "dict of str/int/float/list/tuple/dict values and a dataclass",
             dict_of_mixed_values),
    Workload("object_with_reduce", PYPERFORMANCE,
             "an object copied through __reduce__ holding a list of 20 ints",
             object_with_reduce),
    Workload("dict_repeating_one_list", PYPERFORMANCE,
             "dict whose values repeat one list five times (memo hits)",
             dict_repeating_one_list),
    Workload("dataclass_with_nested_dataclasses", PYPERFORMANCE,
             "dataclass holding a list of 6 dataclasses and a list of str",
             dataclass_with_nested_dataclasses),
    Workload("application_state_document", APPLICATION,
             "50 dataclass users with UUID, enum, datetime, Decimal, frozenset, "
             "shared addresses and preferences, indexed twice",
             application_state_document),
    Workload("application_state_of_builtins", APPLICATION,
             "12 users as dicts of builtins (ints for timestamps and amounts), sets, "
             "frozensets, short tuples, shared addresses and preferences, indexed twice",
             application_state_of_builtins),
    Workload("list_of_10k_ints", FLAT, "list of 10,000 ints",
             list_of_10k_ints, lambda x: x[:], "x[:]"),
    Workload("list_of_1k_strs", FLAT, "list of 1,000 str",
             list_of_1k_strs, lambda x: x[:], "x[:]"),
    Workload("dict_of_1k_str_to_int", FLAT, "dict of 1,000 str -> int",
             dict_of_1k_str_to_int, lambda d: d.copy(), "d.copy()"),
    Workload("dict_of_10k_int_to_float", FLAT, "dict of 10,000 int -> float",
             dict_of_10k_int_to_float, lambda d: d.copy(), "d.copy()"),
    Workload("tuple_of_10k_ints", FLAT, "tuple of 10,000 ints (the copy is the original)",
             tuple_of_10k_ints),
    Workload("list_of_1k_mixed_atomics", FLAT,
             "list of 1,000 atomics: int, big int, float, complex, str, bytes, None, "
             "bool, Ellipsis, NotImplemented, range, a type, functions",
             list_of_1k_mixed_atomics, lambda x: x[:], "x[:]"),
    Workload("set_and_frozenset_of_300_ints", FLAT, "a set and a frozenset of 300 ints each",
             set_and_frozenset_of_300_ints),
    Workload("nested_immutable_tuples", NESTED,
             "100 tuples of 10 tuples of atomics and tuples (the copy is the original)",
             nested_immutable_tuples),
    Workload("lists_nested_300_deep", NESTED, "a list nested 300 levels deep",
             lists_nested_300_deep),
    Workload("dicts_nested_300_deep", NESTED, "a dict nested 300 levels deep",
             dicts_nested_300_deep),
    Workload("tree_of_lists_and_dicts", NESTED,
             "alternating dict/list levels, branching 4, depth 5",
             tree_of_lists_and_dicts),
    Workload("dict_and_tuple_sharing_one_list", NESTED,
             "one list of 20 ints referenced 50 times from a dict and 50 from a tuple "
             "(memo hits)",
             dict_and_tuple_sharing_one_list),
    Workload("json_like_records", RECORDS,
             "200 decoded-JSON records: dicts, lists, str, int, float, bool, None",
             json_like_records),
    Workload("plain_objects", OBJECTS, "500 instances with a __dict__ of 3 attributes",
             plain_objects),
    Workload("slots_objects", OBJECTS, "500 instances with 3 __slots__",
             slots_objects),
    Workload("list_of_decimals_fractions_patterns", OBJECTS,
             "600 Decimals, Fractions and compiled patterns, each copied as itself by its "
             "class's __deepcopy__",
             list_of_decimals_fractions_patterns),
    Workload("bytearrays", OBJECTS, "100 bytearrays of 1 KiB", bytearrays),
)  # fmt: skip


def by_name() -> dict[str, Workload]:
    return {workload.name: workload for workload in WORKLOADS}
