"""``scripts/schema_drift.py`` (``nox -s schema-drift``) against a live server with bad
credentials: exit 2 and the very message ``python -m generator drift`` prints, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dhis2_standin.launcher import RunningStandin
from tests.paths import REPO_ROOT


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "credentials",
    [
        {"DHIS2_USERNAME": "admin", "DHIS2_PASSWORD": "not-the-password"},
        {"DHIS2_PAT": "d2pat_notatokenthisserverknows0000000000"},
    ],
)
def test_bad_credentials_exit_2_with_the_generators_message(
    standin: RunningStandin, credentials: dict[str, str]
) -> None:
    env = {"DHIS2_URL": standin.base_url, **credentials}
    script = _run(["scripts/schema_drift.py"], env)
    generator = _run(
        ["-m", "generator", "drift", "--url", standin.base_url, "--snapshot", "schemas/v42.json"],
        env,
    )
    assert (script.returncode, generator.returncode) == (2, 2)
    assert script.stderr == generator.stderr
    assert script.stderr == (
        f"error: GET {standin.base_url}/api/system/info: 401 Unauthorized; "
        "check --username/--password or --token\n"
    )
    assert script.stdout == ""
