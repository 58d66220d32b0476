"""Usage: python wheel-contents.py WHEEL abi3|fast-paths

Fails unless WHEEL holds exactly what a copium wheel should, and nothing else:

- copium/: every file of the source tree's copium/ package (modules, .pyi stubs,
  py.typed), byte for byte, plus exactly one compiled extension named for the variant
  (abi3: _copium.abi3.so or _copium.pyd; fast-paths: _copium.cpython-3XY-*.so or
  _copium.cp3XY-*.pyd);
- at the root: the autopatch .pth file(s) of the repository root, byte for byte;
- copium-VERSION.dist-info/: METADATA, WHEEL, RECORD, the license files named by
  pyproject.toml's license-files, and optionally the SBOM maturin writes under sboms/.

It also checks that the version in the file name, METADATA and Cargo.toml agree, that
WHEEL's tags are the file name's, and that RECORD lists every file with its real hash
and size. Expectations come from the repository it sits in (or an unpacked sdist), so
a file added to copium/ is expected in the wheel without editing this script.

Standard library only (plus tomli on Python < 3.11), so any interpreter can run it.
"""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
import zipfile
from email.parser import HeaderParser
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - depends on the interpreter
    import tomli as tomllib

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "copium"
# Files that live in the source package folder but never belong in a wheel.
BUILD_DEBRIS = re.compile(r"(^|/)__pycache__/|\.py[co]$|\.so$|\.pyd$|\.dll$|\.dylib$")
EXTENSION = {
    "abi3": re.compile(r"^copium/_copium\.(abi3\.so|pyd)$"),
    "fast-paths": re.compile(r"^copium/_copium\.(cpython-3\d+[^/]*\.so|cp3\d+-[^/.]+\.pyd)$"),
}


def source_files(folder: str) -> set[str]:
    """Paths (relative to the repository) of the files under `folder` that a build
    would see: git's tracked plus untracked-but-not-ignored files in a checkout, the
    folder's contents in an unpacked sdist."""
    try:
        listed = subprocess.run(
            [
                "git",
                "ls-files",
                "--cached",
                "--others",
                "--exclude-standard",
                "--",
                folder,
            ],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split("\n")
        # A deleted-but-tracked file is still listed by --cached: keep existing ones.
        files = {path for path in listed if path and (REPO_ROOT / path).is_file()}
    except (OSError, subprocess.CalledProcessError):
        files = {
            path.relative_to(REPO_ROOT).as_posix()
            for path in (REPO_ROOT / folder).rglob("*")
            if path.is_file()
        }
    return {path for path in files if not BUILD_DEBRIS.search(path)}


def sha256_record(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def check(wheel_path: Path, variant: str) -> list[str]:
    problems: list[str] = []
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    cargo = tomllib.loads((REPO_ROOT / "Cargo.toml").read_text(encoding="utf-8"))
    version = cargo["package"]["version"]

    name_parts = wheel_path.name[: -len(".whl")].split("-")
    if len(name_parts) != 5 or name_parts[0] != PACKAGE:
        return [f"{wheel_path.name} is not named copium-VERSION-PY-ABI-PLATFORM.whl"]
    _, wheel_version, python_tag, abi_tag, platform_tag = name_parts
    if wheel_version != version:
        problems.append(f"file name says version {wheel_version}, Cargo.toml says {version}")
    dist_info = f"{PACKAGE}-{wheel_version}.dist-info"

    with zipfile.ZipFile(wheel_path) as archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        contents: dict[str, bytes] = {name: archive.read(name) for name in names}
    if len(names) != len(set(names)):
        problems.append("the archive holds the same path more than once")

    expected: dict[str, bytes] = {}
    for path in sorted(source_files(PACKAGE)):
        expected[path] = (REPO_ROOT / path).read_bytes()
    for pth in sorted(REPO_ROOT.glob("*.pth")):
        expected[pth.name] = pth.read_bytes()
    for license_file in pyproject["project"].get("license-files", []):
        license_path = REPO_ROOT / license_file
        expected[f"{dist_info}/licenses/{license_file}"] = license_path.read_bytes()

    # Files built during packaging: present, but their bytes are checked differently.
    generated = {f"{dist_info}/{name}" for name in ("METADATA", "WHEEL", "RECORD")}
    sbom = re.compile(rf"^{re.escape(dist_info)}/sboms/[^/]+\.cyclonedx\.json$")
    extensions = [name for name in names if EXTENSION[variant].match(name)]
    if len(extensions) != 1:
        problems.append(f"expected one {variant} extension module, found {extensions or 'none'}")

    for name in names:
        if name in expected:
            if contents[name] != expected[name]:
                problems.append(f"{name} differs from the source tree's copy")
        elif name not in generated and name not in extensions and not sbom.match(name):
            problems.append(f"unexpected file in the wheel: {name}")
    for name in sorted(set(expected) | generated):
        if name not in contents:
            problems.append(f"missing from the wheel: {name}")
    if problems:
        return problems

    metadata = HeaderParser().parsestr(contents[f"{dist_info}/METADATA"].decode("utf-8"))
    if metadata["Name"] != PACKAGE or metadata["Version"] != version:
        problems.append(
            f"METADATA names {metadata['Name']} {metadata['Version']}, expected {PACKAGE} {version}"
        )
    wheel_meta = HeaderParser().parsestr(contents[f"{dist_info}/WHEEL"].decode("utf-8"))
    tags_in_name = {
        f"{py}-{abi}-{plat}"
        for py in python_tag.split(".")
        for abi in abi_tag.split(".")
        for plat in platform_tag.split(".")
    }
    if set(wheel_meta.get_all("Tag") or []) != tags_in_name:
        problems.append(f"WHEEL tags {wheel_meta.get_all('Tag')} are not the file name's")
    if wheel_meta["Root-Is-Purelib"] != "false":
        problems.append("WHEEL says Root-Is-Purelib is not false for a binary wheel")

    problems += check_record(contents, f"{dist_info}/RECORD")
    return problems


def check_record(contents: dict[str, bytes], record_name: str) -> list[str]:
    """RECORD must list every other file once, with its real sha256 and size."""
    problems: list[str] = []
    recorded: set[str] = set()
    for line in contents[record_name].decode("utf-8").splitlines():
        if not line.strip():
            continue
        # Paths in our wheels contain no commas, so a plain split is exact.
        path, digest, size = line.rsplit(",", 2)
        recorded.add(path)
        if path == record_name:
            continue
        data = contents.get(path)
        if data is None:
            problems.append(f"RECORD lists {path}, which is not in the wheel")
        elif digest != sha256_record(data) or size != str(len(data)):
            problems.append(f"RECORD's hash or size for {path} does not match the file")
    for path in sorted(set(contents) - recorded):
        problems.append(f"{path} is missing from RECORD")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[2] not in EXTENSION:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    wheel_path = Path(argv[1])
    problems = check(wheel_path, argv[2])
    if problems:
        print(f"{wheel_path.name}: wrong contents", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"{wheel_path.name}: contents as expected ({argv[2]})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
