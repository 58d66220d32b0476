from typing import NamedTuple

__all__ = [
    "Author",
    "VersionInfo",
    "__authors__",
    "__build_hash__",
    "__build_variant__",
    "__built_for_python__",
    "__commit_id__",
    "__internals__",
    "__limited_api__",
    "__version__",
    "__version_tuple__",
]

class VersionInfo(NamedTuple):
    major: int
    minor: int
    patch: int
    pre: tuple[str, int] | None
    dev: int | None
    local: str | None

class Author(NamedTuple):
    name: str
    email: str | None

__version__: str
__version_tuple__: VersionInfo
__build_hash__: str
__commit_id__: str | None
__authors__: tuple[Author, ...]
__build_variant__: str
__limited_api__: str | None
__built_for_python__: str
__internals__: tuple[str, ...]
