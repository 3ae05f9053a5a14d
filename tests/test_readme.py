"""The README runs: every ```python block is executed, as written, against the stand-in.

Each block is a script (``python block.py``) with ``DHIS2_URL``/``DHIS2_USERNAME``/
``DHIS2_PASSWORD`` pointing at a stand-in that serves the recorded metadata it starts with by
default, reset before each block. A block that fails, prints nothing, or prints ``None`` for an
attribute (a ``fields=`` selection that misses what it prints) fails its test. The README's shell
commands are checked where they name things the project defines (nox sessions, stand-in flags).
"""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nox.registry
import pytest

from dhis2_standin.launcher import RunningStandin, start_standin
from tests.conftest import DEFAULT_STANDIN_DATA
from tests.paths import GENERATED, REPO_ROOT

README = REPO_ROOT / "README.md"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def readme_blocks(language: str) -> list[str]:
    """The README's fenced blocks of ``language``, in order."""
    text = README.read_text(encoding="utf-8")
    return [body for lang, body in _FENCE.findall(text) if lang == language]


PYTHON_BLOCKS = readme_blocks("python")


def test_the_readme_has_python_examples() -> None:
    assert len(PYTHON_BLOCKS) >= 2


@pytest.fixture(scope="module")
def server() -> Iterator[RunningStandin]:
    with start_standin(DEFAULT_STANDIN_DATA, recorded_metadata=True) as running:
        yield running


def run_example(
    code: str, server: RunningStandin, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` as a script in a clean directory, the SDK importable as if installed."""
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(GENERATED),
        "DHIS2_URL": server.base_url,
        "DHIS2_USERNAME": server.username,
        "DHIS2_PASSWORD": server.password,
    }
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)))
def test_readme_example_runs(index: int, server: RunningStandin, tmp_path: Path) -> None:
    server.reset()
    done = run_example(PYTHON_BLOCKS[index], server, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "an example should show what it did"
    assert re.search(r"\bNone\b", done.stdout) is None, done.stdout


def test_the_examples_can_run_twice(server: RunningStandin, tmp_path: Path) -> None:
    # A newcomer runs an example again against the same server: its writes must not clash.
    server.reset()
    for block in PYTHON_BLOCKS:
        for _ in range(2):
            done = run_example(block, server, tmp_path)
            assert done.returncode == 0, done.stderr


def test_a_broken_example_fails(server: RunningStandin, tmp_path: Path) -> None:
    # The check above can fail: an example that asks for an object the server lacks.
    broken = PYTHON_BLOCKS[0].replace("fbfJHSPpUQD", "xxxxxxxxxxx", 1)
    assert broken != PYTHON_BLOCKS[0]
    server.reset()
    done = run_example(broken, server, tmp_path)
    assert done.returncode != 0
    assert "NotFoundError" in done.stderr


def _nox_sessions() -> set[str]:
    runpy.run_path(str(REPO_ROOT / "noxfile.py"))  # registers its sessions
    return set(nox.registry.get())


def test_the_sessions_the_readme_names_exist() -> None:
    shell = "\n".join(readme_blocks("sh"))
    named = {
        session
        for args in re.findall(r"(?:scripts/run\.py|nox) -s ([\w\- ]+)", shell)
        for session in args.split()
    }
    assert {"dev", "codegen", "lint", "typecheck", "tests"} <= named
    assert named <= _nox_sessions()


def test_the_standin_flags_the_readme_uses_exist() -> None:
    shell = "\n".join(readme_blocks("sh"))
    used = set(re.findall(r"dhis2_standin\.py[^\n]*", shell))
    flags = {flag for line in used for flag in re.findall(r"(--[\w-]+)", line)}
    script = REPO_ROOT / "scripts" / "dhis2_standin.py"
    helped = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, check=True
    ).stdout
    known = set(re.findall(r"(--[\w-]+)", helped))
    assert {"--data", "--port", "--empty", "--metadata", "--print-credentials"} <= flags
    assert flags <= known


def test_the_readme_documents_real_error_attributes() -> None:
    from dhis2_sdk import Dhis2ApiError

    text = README.read_text(encoding="utf-8")
    start = text.index("`Dhis2ApiError` for any 4xx/5xx answer, with")
    section = text[start : text.index(";", start)]
    attributes = set(re.findall(r"`\.(\w+)`", section))
    assert "status_code" in attributes
    error = Dhis2ApiError(status_code=404, message="m", method="GET", url="http://x/api/y")
    assert all(hasattr(error, name) for name in attributes), attributes


def test_the_docs_take_pyright_strict_mode_from_the_config() -> None:
    # pyright's CLI has no --strict flag; strict mode is typeCheckingMode in pyproject.toml.
    docs = [README, REPO_ROOT / "noxfile.py", *sorted((REPO_ROOT / "scripts").glob("*.py"))]
    claims = [path.name for path in docs if "pyright --strict" in path.read_text(encoding="utf-8")]
    assert claims == []
    for config in (REPO_ROOT / "pyproject.toml", GENERATED / "pyproject.toml"):
        assert 'typeCheckingMode = "strict"' in config.read_text(encoding="utf-8")
