"""Stage ``format``: run the pinned ruff over rendered Python sources, in one process call.

Import sorting (``ruff check --select I --fix``) then ``ruff format``, with settings given on
the command line (``--isolated``) so that no config file around the output changes the bytes.
Hands ``{path: text}`` with formatted Python to ``write``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from generator.errors import GeneratorError
from generator.render import LINE_LENGTH

RUFF_OUTPUT_LINES = 20  # of ruff's own words in an error; the first lines say what broke
RUFF_SETTINGS = ("--isolated", "--line-length", str(LINE_LENGTH), "--target-version", "py311")


@cache
def find_ruff_bin() -> str:
    """The ruff executable installed beside this Python (the pinned one), else on PATH."""
    for scripts in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(scripts) / ("ruff.exe" if sys.platform == "win32" else "ruff")
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("ruff")
    if found is None:
        raise GeneratorError("ruff is not installed: pip install -e . (it pins ruff)")
    return found


def format_sources(files: Mapping[str, str]) -> dict[str, str]:
    """Return ``files`` with every ``.py`` entry sorted and formatted by ruff."""
    python = {path: text for path, text in files.items() if path.endswith(".py")}
    if not python:
        return dict(files)
    with tempfile.TemporaryDirectory(prefix="dhis2-sdk-format-") as tmp:
        root = Path(tmp)
        for path, text in python.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
        _ruff("check", "--select", "I", "--fix", "--exit-zero", cwd=root)
        _ruff("format", cwd=root)
        formatted = {path: (root / path).read_text(encoding="utf-8") for path in python}
    return {**files, **formatted}


def _ruff(*args: str, cwd: Path) -> None:
    # No --quiet: it also hides why ruff failed. Its errors go to stderr; its stdout (a count
    # of files formatted) is only shown when stderr is empty.
    command = [find_ruff_bin(), args[0], *RUFF_SETTINGS, *args[1:], "."]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise GeneratorError(
            f"ruff {args[0]} failed on the rendered code (a generator bug; please report it "
            f"with the snapshot); ruff said:\n{_trimmed(done.stderr.strip() or done.stdout)}"
        )


def _trimmed(output: str) -> str:
    """Ruff's output, indented, blank lines dropped, at most ``RUFF_OUTPUT_LINES`` lines."""
    lines = [line.rstrip() for line in output.splitlines() if line.strip()] or ["(nothing)"]
    shown = [f"  {line}" for line in lines[:RUFF_OUTPUT_LINES]]
    if len(lines) > RUFF_OUTPUT_LINES:
        shown.append(f"  … and {len(lines) - RUFF_OUTPUT_LINES} more lines")
    return "\n".join(shown)
