"""Usage: python sdist-contents.py SDIST

Fails unless the sdist (copium-VERSION.tar.gz) can build both variants on its own:
it must hold pyproject.toml, Cargo.toml, Cargo.lock (so `--locked` builds resolve the
same crates), build.rs, README.md, the license files, PKG-INFO at the Cargo.toml
version, and every file of the source tree's src/ and copium/ byte for byte, plus the
autopatch .pth file(s). Build debris (target/, caches, compiled modules, .git) must
not be in it. Expectations come from the repository this script sits in.
"""

from __future__ import annotations

import importlib.util
import sys
import tarfile
from email.parser import HeaderParser
from pathlib import Path

# One definition of "the source tree's files", shared with the wheel contents check.
_spec = importlib.util.spec_from_file_location(
    "wheel_contents", Path(__file__).with_name("wheel-contents.py")
)
assert _spec is not None and _spec.loader is not None
wheel_contents = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wheel_contents)

REPO_ROOT = wheel_contents.REPO_ROOT
BUILD_INPUTS = ["pyproject.toml", "Cargo.toml", "Cargo.lock", "build.rs", "README.md"]
# Folders that only ever hold build output, caches or VCS data.
DEBRIS_FOLDERS = {
    "target",
    ".cache",
    ".git",
    "__pycache__",
    ".venv",
    "wheelhouse",
    "dist",
}


def is_debris(path: str) -> bool:
    folders = path.split("/")[:-1]
    return bool(DEBRIS_FOLDERS.intersection(folders)) or bool(
        wheel_contents.BUILD_DEBRIS.search(path)
    )


def check(sdist: Path) -> list[str]:
    problems: list[str] = []
    pyproject = wheel_contents.tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))
    cargo = wheel_contents.tomllib.loads((REPO_ROOT / "Cargo.toml").read_text("utf-8"))
    version = cargo["package"]["version"]
    top = f"copium-{version}/"
    if sdist.name != f"copium-{version}.tar.gz":
        problems.append(f"{sdist.name} is not copium-{version}.tar.gz (Cargo.toml's version)")

    with tarfile.open(sdist) as archive:
        members = [member for member in archive.getmembers() if member.isfile()]
        contents: dict[str, bytes] = {}
        for member in members:
            if not member.name.startswith(top):
                problems.append(f"{member.name} is outside the {top} folder")
                continue
            extracted = archive.extractfile(member)
            assert extracted is not None
            contents[member.name[len(top) :]] = extracted.read()

    expected = set(BUILD_INPUTS) | set(pyproject["project"].get("license-files", []))
    expected |= {pth.name for pth in REPO_ROOT.glob("*.pth")}
    expected |= wheel_contents.source_files("src") | wheel_contents.source_files("copium")
    for path in sorted(expected):
        if path not in contents:
            problems.append(f"missing from the sdist: {path}")
        elif contents[path] != (REPO_ROOT / path).read_bytes():
            problems.append(f"{path} differs from the source tree's copy")

    problems += [
        f"build debris in the sdist: {path}" for path in sorted(contents) if is_debris(path)
    ]

    if "PKG-INFO" not in contents:
        problems.append("missing from the sdist: PKG-INFO")
    else:
        metadata = HeaderParser().parsestr(contents["PKG-INFO"].decode("utf-8"))
        if metadata["Name"] != "copium" or metadata["Version"] != version:
            problems.append(
                f"PKG-INFO names {metadata['Name']} {metadata['Version']}, expected copium {version}"
            )
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    sdist = Path(argv[1])
    problems = check(sdist)
    if problems:
        print(f"{sdist.name}: wrong contents", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"{sdist.name}: holds everything both variants build from", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
