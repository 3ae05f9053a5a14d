"""Run nox without installing anything by hand: ``python3 scripts/run.py -s tests``.

Creates ``.venv-nox`` (nox and uv, pinned) on first use, then hands every argument to nox.
This is what the README's two commands and ``.ci/run`` call.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".venv-nox"
PINS = ("nox==2026.10.20", "uv==0.13.9")


def _bin(name: str) -> Path:
    return TOOLS / ("Scripts" if os.name == "nt" else "bin") / name


def _ensure_tools() -> None:
    marker = TOOLS / "pins.txt"
    if marker.is_file() and marker.read_text() == "\n".join(PINS):
        return
    if sys.version_info[:2] < (3, 11):  # noqa: UP036 - this script may meet an old python3
        raise SystemExit("dhis2-sdk needs Python 3.11 or newer: run this with python3.11+")
    print(f"setting up {TOOLS.name} ({', '.join(PINS)})", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(TOOLS)
    subprocess.run(
        [
            str(_bin("python")),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *PINS,
        ],
        check=True,
    )
    marker.write_text("\n".join(PINS))


def _pyenv_versions() -> str | None:
    """On pyenv machines only the global version's shims resolve; expose every 3.11+ CPython so
    that nox finds 3.13 for the tests as well. None where pyenv is not in use."""
    try:
        listed = subprocess.run(
            ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return None
    wanted = [v for v in listed if v.count(".") == 2 and v.split(".")[0] == "3"]
    wanted = [v for v in wanted if int(v.split(".")[1]) >= 11]
    return ":".join(sorted(wanted, key=lambda v: tuple(int(p) for p in v.split(".")))) or None


def main() -> int:
    _ensure_tools()
    env = {**os.environ, "PATH": f"{_bin('python').parent}{os.pathsep}{os.environ['PATH']}"}
    versions = _pyenv_versions()
    if versions:
        # pyenv's shim already set PYENV_VERSION to the one version that runs this script.
        current = [v for v in env.get("PYENV_VERSION", "").split(":") if v]
        env["PYENV_VERSION"] = ":".join(
            current + [v for v in versions.split(":") if v not in current]
        )
    nox = subprocess.run([str(_bin("nox")), *sys.argv[1:]], cwd=ROOT, env=env, check=False)
    return nox.returncode


if __name__ == "__main__":
    raise SystemExit(main())
