"""``python -m copium``: ``info`` describes this copium build; ``bench`` runs benchmarks.

``bench`` hands all its arguments to ``copium._bench.main(argv)``, imported only then,
so ``info`` works even where the benchmark module is not installed.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import json
import os
import platform
import sys
from typing import Any, Optional

_BENCH_MODULE = "copium._bench"


def _build_info() -> dict[str, Any]:
    # Imported here so that `python -m copium --help` works without loading the engine.
    import copium.config
    import copium.patch
    from copium import __about__
    from copium._copium import BUILD

    return {
        "copium": __about__.__version__,
        "build_hash": __about__.__build_hash__,
        "variant": __about__.__build_variant__,
        "limited_api": __about__.__limited_api__,
        "built_for_python": __about__.__built_for_python__,
        "internals": list(__about__.__internals__),
        "newest_verified_python": BUILD["newest_verified_python"],
        "python_verified": BUILD["python_verified"],
        "atomic_types_from": dict(BUILD["atomic_types_from"]),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "patched": copium.patch.enabled(),
        "config": dict(copium.config.get()),
    }


def _format_info(info: dict[str, Any]) -> str:
    if info["limited_api"] is not None:
        variant = f"{info['variant']} (limited API {info['limited_api']}, any CPython >= it)"
    else:
        variant = f"{info['variant']} (built for CPython {info['built_for_python']} only)"
    config = info["config"]
    if info["python_verified"]:
        verified = f"yes (this copium verified CPython up to {info['newest_verified_python']})"
    else:
        verified = (
            f"no: newer than {info['newest_verified_python']}, the newest this copium "
            "verified, so it makes limited API calls only"
        )
    sources = info["atomic_types_from"]
    atomic_types_from = ", ".join(f"{name}: {sources[name]}" for name in ("deepcopy", "copy"))
    rows = [
        ("copium", info["copium"]),
        ("build hash", info["build_hash"]),
        ("variant", variant),
        ("internals", ", ".join(info["internals"]) or "none: limited API calls only"),
        ("python", f"{info['python']} ({info['implementation']}) {info['executable']}"),
        ("python verified", verified),
        ("atomic types", atomic_types_from),
        ("patched", "yes: copy.deepcopy goes to copium" if info["patched"] else "no"),
        ("memo", config["memo"]),
        ("on_incompatible", config["on_incompatible"]),
        ("suppress_warnings", repr(config["suppress_warnings"])),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name + ':':<{width + 2}}{value}" for name, value in rows)


def _info(args: argparse.Namespace) -> int:
    info = _build_info()
    print(json.dumps(info, indent=2) if args.json else _format_info(info))
    return 0


def _bench(argv: list[str]) -> int:
    try:
        bench = importlib.import_module(_BENCH_MODULE)
    except ModuleNotFoundError as error:
        if error.name != _BENCH_MODULE:
            raise  # the benchmark module exists but something it imports is missing
        print(
            f"python -m copium bench: {_BENCH_MODULE} is not part of this copium install, "
            "so there is nothing to run. Use tools/run_benchmark.py from the source tree.",
            file=sys.stderr,
        )
        return 2
    result = bench.main(argv)
    return int(result) if result is not None else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m copium", description="Describe this copium build, or benchmark it."
    )
    commands = parser.add_subparsers(dest="command", metavar="{info,bench}")
    commands.required = True
    info = commands.add_parser("info", help="print the version, build and Python in use")
    info.add_argument("--json", action="store_true", help="print it as JSON")
    info.set_defaults(run=_info)
    # Listed for --help only: main() hands "bench" and everything after it over as is.
    commands.add_parser("bench", help="run benchmarks (arguments go to copium._bench)")
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["bench"]:
        return _bench(args[1:])
    parsed = _parser().parse_args(args)
    return int(parsed.run(parsed))


def _is_closed_pipe(error: OSError) -> bool:
    # Windows reports a write to a pipe nobody reads any more as EINVAL, not EPIPE (the
    # subprocess module makes the same allowance).
    return isinstance(error, BrokenPipeError) or (
        sys.platform == "win32" and error.errno == errno.EINVAL
    )


def _run_as_script() -> int:
    """``main()`` with the usual handling of a reader that stops reading early
    (``python -m copium info | head -1``): no traceback, exit status 1."""
    try:
        status = main()
        # Flushed here, inside the try, rather than at interpreter exit, where a broken
        # pipe could only be reported as an ignored exception.
        sys.stdout.flush()
    except OSError as error:
        if not _is_closed_pipe(error):
            raise
        # Whatever is still buffered must not be flushed again at exit: point stdout at
        # the null device so that final flush succeeds silently.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return status


if __name__ == "__main__":
    sys.exit(_run_as_script())
