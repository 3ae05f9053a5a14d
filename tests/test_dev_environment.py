"""Commands started by a Python without the project's dependencies say, in one line, which
command makes the environment (``python3 scripts/run.py -s dev``), instead of a traceback.

``python -S`` stands in for a bare system Python: no site-packages, so none of the
dependencies, whatever the machine has installed.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import DEFAULT_STANDIN_DATA
from tests.paths import REPO_ROOT

SETUP = "python3 scripts/run.py -s dev"


def _bare(*args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-S", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "command", "missing"),
    [
        (("-m", "generator", "generate", "--help"), "python -m generator", "pydantic"),
        (
            ("scripts/dhis2_standin.py", "--data", str(DEFAULT_STANDIN_DATA)),
            "scripts/dhis2_standin.py",
            "starlette",
        ),
        (("-m", "dhis2_standin", "--print-credentials"), "python -m dhis2_standin", "starlette"),
    ],
)
def test_a_bare_python_gets_one_line_naming_the_setup_command(
    args: tuple[str, ...], command: str, missing: str
) -> None:
    done = _bare(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith(f"{command}: this Python ({sys.executable}) lacks ")
    assert missing in line
    assert f"run `{SETUP}`" in line
    assert "Traceback" not in done.stderr
