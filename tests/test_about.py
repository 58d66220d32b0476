"""What ``import copium`` offers, ``copium.__about__``, and ``python -m copium``."""

from __future__ import annotations

import copy
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

import copium
from copium import __about__, _copium


def run_copium_main(tmp_path: Path, *args: str, prelude: str = "") -> subprocess.CompletedProcess:
    # `prelude` runs first in the child, to stand in for an installed or missing module.
    code = f"{prelude}\nimport runpy\nrunpy.run_module('copium', run_name='__main__')"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPIUM_")}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=tmp_path,  # not a source checkout, so the installed copium is imported
        capture_output=True,
        text=True,
        check=False,
    )


# The package


def test_copium_offers_what_the_copy_module_offers() -> None:
    assert copium.Error is copy.Error
    assert callable(copium.copy) and callable(copium.deepcopy)
    assert isinstance(copium.memo, type)
    expected = ["Error", "copy", "deepcopy", "memo"]
    if sys.version_info >= (3, 13):
        expected.append("replace")
    assert sorted(copium.__all__) == sorted(expected)


@pytest.mark.skipif(sys.version_info < (3, 13), reason="copy.replace is new in 3.13")
def test_replace_is_exported_from_python_3_13() -> None:
    assert copium.replace is _copium.replace


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="copy.replace exists from 3.13")
def test_replace_is_not_exported_before_python_3_13() -> None:
    assert not hasattr(copium, "replace")


def test_submodules_are_reachable_from_the_package() -> None:
    for name in ("config", "extra", "patch", "__about__"):
        assert getattr(copium, name).__name__ == f"copium.{name}"


# copium.__about__


def test_version_matches_the_installed_distribution() -> None:
    assert __about__.__version__ == importlib.metadata.version("copium")
    assert copium.__version__ == __about__.__version__


def test_version_tuple_holds_the_parts_of_the_version() -> None:
    version = __about__.__version_tuple__
    assert isinstance(version, __about__.VersionInfo)
    assert __about__.__version__.startswith(f"{version.major}.{version.minor}.{version.patch}")


@pytest.mark.parametrize(
    ("version", "parts"),
    [
        ("0.2.0", (0, 2, 0, None, None, None)),
        ("1.10.3", (1, 10, 3, None, None, None)),
        ("0.2.0rc1", (0, 2, 0, ("rc", 1), None, None)),
        ("0.2.0-rc.1", (0, 2, 0, ("rc", 1), None, None)),
        ("0.2.0-alpha.2", (0, 2, 0, ("a", 2), None, None)),
        ("0.2.0b3", (0, 2, 0, ("b", 3), None, None)),
        ("0.2.0.dev4", (0, 2, 0, None, 4, None)),
        ("1.2.3b4.dev5+local.6", (1, 2, 3, ("b", 4), 5, "local.6")),
        ("0.2.0+abc", (0, 2, 0, None, None, "abc")),
    ],
)
def test_version_tuple_reads_pep_440_and_cargo_versions(version: str, parts: tuple) -> None:
    # The Cargo spelling is what the extension is compiled with; pip shows the PEP 440 one.
    assert __about__._version_info(version) == parts


def test_commit_id_is_the_build_hash_when_known() -> None:
    if __about__.__build_hash__ == "unknown":
        assert __about__.__commit_id__ is None
    else:
        assert __about__.__commit_id__ == __about__.__build_hash__


def test_authors_match_the_installed_distribution() -> None:
    # __authors__ repeats pyproject.toml's [project] authors (reading the metadata at import
    # would cost every import of copium); this keeps the two in step.
    metadata = importlib.metadata.metadata("copium")
    assert metadata["Author"] == ", ".join(author.name for author in __about__.__authors__)
    assert metadata.get("Author-email") is None
    assert all(author.email is None for author in __about__.__authors__)


def test_about_namespace_holds_only_its_fields() -> None:
    public = {name for name in dir(__about__) if not name.startswith("_")}
    assert public == {"Author", "VersionInfo"}
    fields = {name for name in dir(__about__) if name.startswith("__") and name.endswith("__")}
    module_dunders = set(dir(type(sys)("empty"))) | {
        "__all__",
        "__annotations__",
        "__builtins__",
        "__cached__",
        "__file__",
        "__path__",
    }
    assert fields - module_dunders == set(__about__.__all__) - public


def test_build_description_is_consistent() -> None:
    assert isinstance(__about__.__build_hash__, str) and __about__.__build_hash__
    assert __about__.__build_variant__ in ("abi3", "fast-paths")
    if __about__.__build_variant__ == "abi3":
        assert __about__.__limited_api__ == "3.9"
        assert __about__.__built_for_python__ == "abi3"
    else:
        # A fast-paths build only loads into the interpreter it was compiled for.
        assert __about__.__limited_api__ is None
        assert __about__.__built_for_python__ == "{}.{}".format(*sys.version_info[:2])


def test_about_reflects_the_engine_build_record() -> None:
    build = _copium.BUILD
    assert set(build) == {
        "version",
        "build_hash",
        "variant",
        "limited_api",
        "python",
        "internals",
        "newest_verified_python",
        "python_verified",
        "atomic_types_from",
    }
    assert (
        __about__.__version__,
        __about__.__build_hash__,
        __about__.__build_variant__,
        __about__.__limited_api__,
        __about__.__built_for_python__,
        __about__.__internals__,
    ) == (
        build["version"],
        build["build_hash"],
        build["variant"],
        build["limited_api"],
        build["python"],
        build["internals"],
    )


# python -m copium


def test_info_prints_version_build_and_python(tmp_path: Path) -> None:
    child = run_copium_main(tmp_path, "info")
    assert child.returncode == 0, child.stderr
    assert __about__.__version__ in child.stdout
    assert __about__.__build_hash__ in child.stdout
    assert __about__.__build_variant__ in child.stdout
    assert platform.python_version() in child.stdout


def test_info_json_is_machine_readable(tmp_path: Path) -> None:
    child = run_copium_main(tmp_path, "info", "--json")
    assert child.returncode == 0, child.stderr
    info = json.loads(child.stdout)
    assert info["copium"] == __about__.__version__
    assert info["variant"] == __about__.__build_variant__
    assert info["limited_api"] == __about__.__limited_api__
    assert all(isinstance(name, str) for name in info["internals"])
    assert info["python"] == platform.python_version()
    assert info["patched"] is False
    assert info["config"]["memo"] == "native"


def test_a_subcommand_is_required(tmp_path: Path) -> None:
    child = run_copium_main(tmp_path)
    assert child.returncode == 2
    assert "info" in child.stderr and "bench" in child.stderr


def test_bench_hands_its_arguments_to_the_bench_module(tmp_path: Path) -> None:
    fake_bench = (
        "import sys, types\n"
        "bench = types.ModuleType('copium._bench')\n"
        "bench.main = lambda argv: print('bench got', argv) or 7\n"
        "sys.modules['copium._bench'] = bench\n"
    )
    child = run_copium_main(tmp_path, "bench", "--fast", "-o", "out.json", prelude=fake_bench)
    assert child.stdout.strip() == "bench got ['--fast', '-o', 'out.json']"
    assert child.returncode == 7


def test_bench_without_the_bench_module_explains_and_fails(tmp_path: Path) -> None:
    # None in sys.modules makes the import fail just as a missing module does.
    missing_bench = "import sys\nsys.modules['copium._bench'] = None\n"
    child = run_copium_main(tmp_path, "bench", prelude=missing_bench)
    assert child.returncode == 2
    assert "copium._bench" in child.stderr
    assert "Traceback" not in child.stderr


def test_info_into_a_reader_that_stopped_reading_exits_quietly(tmp_path: Path) -> None:
    # `python -m copium info | head -0`: the pipe's read end is closed before anything is
    # written, so every write fails with EPIPE, deterministically.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        code = "import runpy\nrunpy.run_module('copium', run_name='__main__')"
        child = subprocess.run(
            [sys.executable, "-c", code, "info"],
            env={k: v for k, v in os.environ.items() if not k.startswith("COPIUM_")},
            cwd=tmp_path,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in child.stderr
    assert "BrokenPipeError" not in child.stderr
    assert child.returncode == 1


def test_main_is_callable_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    from copium.__main__ import main

    argv: list[str] = ["info"]
    assert main(argv) == 0
    assert __about__.__version__ in capsys.readouterr().out
