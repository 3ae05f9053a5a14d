"""``generated/`` is a distribution: its wheel holds every file of the package and, installed in
a fresh virtualenv (httpx and pydantic from the package index, nothing else), imports cleanly."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.paths import GENERATED, VERSIONS

IMPORT_ALL = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    import dhis2_sdk
    modules = [i.name for i in pkgutil.walk_packages(dhis2_sdk.__path__, "dhis2_sdk.")]
    extras = {}
    for name in modules:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as missing:
            extras[name] = missing.name
    print(json.dumps({
        "extras": extras,
        "file": dhis2_sdk.__file__,
        "modules": len(modules),
        "names": len([getattr(dhis2_sdk, name) for name in dhis2_sdk.__all__]),
        "versions": dhis2_sdk.available_versions(),
    }))
    """
)


def _run(*argv: str | Path, cwd: Path) -> str:
    done = subprocess.run(
        [str(arg) for arg in argv], capture_output=True, text=True, check=False, cwd=cwd
    )
    assert done.returncode == 0, f"{argv}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_the_wheel_installs_and_imports_in_a_fresh_venv(tmp_path: Path) -> None:
    source = tmp_path / "generated"  # a copy: building writes build/ and egg-info beside it
    shutil.copytree(GENERATED, source, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    # The fresh venv's own pip builds the wheel too: the test's interpreter may have no pip
    # (nox makes its venvs with uv).
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    dist = tmp_path / "dist"
    _run(python, "-m", "pip", "wheel", "--quiet", source, "--no-deps", "-w", dist, cwd=tmp_path)
    (wheel,) = dist.glob("dhis2_sdk-*.whl")
    package = GENERATED / "dhis2_sdk"
    expected = {
        f"dhis2_sdk/{p.relative_to(package).as_posix()}"
        for p in package.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
    }
    with zipfile.ZipFile(wheel) as archive:
        packed = {name for name in archive.namelist() if name.startswith("dhis2_sdk/")}
    assert packed == expected

    _run(python, "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    found = json.loads(_run(python, "-I", "-c", IMPORT_ALL, cwd=tmp_path))
    assert Path(found["file"]).is_relative_to(venv)
    assert found["versions"] == list(VERSIONS)
    # the one module of an optional extra (Dhis2Client(backend="aiohttp") imports it on demand)
    assert found["extras"] == {"dhis2_sdk.runtime._aiohttp": "aiohttp"}
    assert found["modules"] > 3 * 100
    assert found["names"] > 50
