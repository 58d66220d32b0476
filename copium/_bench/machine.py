# mypy: no-implicit-reexport
# (Names imported here are not part of this module: mypy.stubtest checks the public ones.)
"""What the numbers were measured on: interpreter, machine and copium build.

Benchmark figures mean little without these, so every report starts with them.
"""

from __future__ import annotations

import os
import platform
import sys
from typing import Optional

__all__ = ["copium_build", "cpu_model", "describe", "one_line", "summary_rows"]


def cpu_model() -> Optional[str]:
    """The CPU's marketing name from /proc/cpuinfo (Linux), else what platform knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                # "model name" on x86; some ARM kernels only have "Hardware"/"Model".
                if key.strip() in ("model name", "Model", "Hardware") and value.strip():
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or None


def copium_build() -> dict[str, Optional[str]]:
    from copium import __about__

    return {
        "version": __about__.__version__,
        "build_hash": __about__.__build_hash__,
        "variant": __about__.__build_variant__,
        "limited_api": __about__.__limited_api__,
        "built_for_python": __about__.__built_for_python__,
    }


def describe() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "os": f"{platform.system()} {platform.release()}",
        "machine": platform.machine(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "copium": copium_build(),
    }


def summary_rows(info: dict[str, object]) -> list[tuple[str, str]]:
    """The description as (label, text) rows for the report header."""
    build = info["copium"]
    assert isinstance(build, dict)
    if build["limited_api"]:
        variant = f"{build['variant']} (limited API {build['limited_api']})"
    else:
        variant = f"{build['variant']} (built for CPython {build['built_for_python']})"
    return [
        ("python", f"{info['implementation']} {info['python']} ({info['executable']})"),
        ("machine", f"{info['machine']}, {info['cpu'] or 'unknown CPU'}, {info['cores']} cores"),
        ("os", str(info["os"])),
        ("copium", f"{build['version']} {variant}, build {build['build_hash']}"),
    ]


def one_line(info: dict[str, object]) -> str:
    """A short caption: interpreter, machine and copium build on one line."""
    build = info["copium"]
    assert isinstance(build, dict)
    return (
        f"{info['implementation']} {info['python']} | {info['machine']}, "
        f"{info['cpu'] or 'unknown CPU'}, {info['cores']} cores | "
        f"copium {build['version']} {build['variant']}"
    )
