__all__ = [
    "__build_hash__",
    "__build_variant__",
    "__built_for_python__",
    "__internals__",
    "__limited_api__",
    "__version__",
    "__version_tuple__",
]

__version__: str
__version_tuple__: tuple[int | str, ...]
__build_hash__: str
__build_variant__: str
__limited_api__: str | None
__built_for_python__: str
__internals__: tuple[str, ...]
