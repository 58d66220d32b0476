from collections.abc import Iterable
from typing import Literal, TypedDict

__all__ = ["Config", "configure", "get_config"]

class Config(TypedDict):
    memo: Literal["native", "dict"]
    on_incompatible: Literal["warn", "raise", "silent"]
    suppress_warnings: tuple[str, ...]

def configure(
    *,
    memo: Literal["native", "dict"] | None = None,
    on_incompatible: Literal["warn", "raise", "silent"] | None = None,
    suppress_warnings: Iterable[str] | None = None,
) -> None: ...
def get_config() -> Config: ...
