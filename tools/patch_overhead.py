"""What the patch costs: ``copy.deepcopy`` patched by copium vs ``copium.deepcopy`` itself.

Both copy the same small dict, where a fixed per-call cost shows most. The difference
is what a program pays for reaching copium through the stdlib name:

    python tools/patch_overhead.py --fast
    python tools/patch_overhead.py -o patch_overhead.json   # keep the pyperf results

Any pyperf option works; ``python tools/patch_overhead.py --help``.
"""

from __future__ import annotations

import copy

import pyperf

import copium
import copium.patch
from copium import __about__

SMALL_DICT = {"id": 7, "name": "alice", "active": True, "tags": ["a", "b"]}


def main() -> None:
    copium.patch.enable()
    runner = pyperf.Runner()
    runner.metadata["copium_variant"] = __about__.__build_variant__
    direct = runner.bench_func("copium.deepcopy, direct", copium.deepcopy, SMALL_DICT)
    patched = runner.bench_func("copy.deepcopy, patched", copy.deepcopy, SMALL_DICT)
    # Only the parent process gets both results back; workers get None.
    if direct is not None and patched is not None:
        direct_s, patched_s = direct.mean(), patched.mean()
        print(
            f"patch overhead on a small dict ({__about__.__build_variant__} build): "
            f"{(patched_s - direct_s) * 1e9:+.1f} ns per call "
            f"({(patched_s / direct_s - 1) * 100:+.1f}%: "
            f"{direct_s * 1e9:.1f} ns direct, {patched_s * 1e9:.1f} ns patched)"
        )


if __name__ == "__main__":
    main()
