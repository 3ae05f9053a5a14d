"""The runtime stays cheap to import: models never pay for httpx, public names load lazily."""

from __future__ import annotations

import subprocess
import sys

from tests.paths import GENERATED, REPO_ROOT


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        env={"PYTHONPATH": f"{GENERATED}"},
    )
    return result.stdout.strip()


def test_importing_the_package_and_model_runtime_does_not_import_httpx() -> None:
    code = (
        "import sys, dhis2_sdk, dhis2_sdk.runtime, dhis2_sdk.runtime.model\n"
        "print('httpx' in sys.modules, 'dhis2_sdk.runtime.client' in sys.modules)"
    )
    assert _run(code) == "False False"


def test_public_names_resolve_from_the_top_level() -> None:
    code = (
        "import dhis2_sdk, dhis2_sdk.runtime as rt\n"
        "missing = [n for n in rt.__all__ if getattr(dhis2_sdk, n) is not getattr(rt, n)]\n"
        "print(sorted(rt._EXPORTS) == sorted(rt.__all__), missing)"
    )
    assert _run(code) == "True []"
