from collections.abc import Iterable
from typing import Literal, TypedDict

__all__ = ["Settings", "apply", "get"]

class Settings(TypedDict):
    memo: Literal["native", "dict"]
    on_incompatible: Literal["warn", "raise", "silent"]
    suppress_warnings: list[str]

def apply(
    *,
    memo: Literal["native", "dict"] = ...,
    on_incompatible: Literal["warn", "raise", "silent"] = ...,
    suppress_warnings: Iterable[str] | None = ...,
) -> None: ...
def get() -> Settings: ...
