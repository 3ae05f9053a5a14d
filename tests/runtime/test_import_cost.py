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
        "import sys, dhis2_sdk, dhis2_sdk.runtime, dhis2_sdk.runtime._model\n"
        "print('httpx' in sys.modules, 'dhis2_sdk.runtime._client' in sys.modules)"
    )
    assert _run(code) == "False False"


def test_public_names_are_the_private_modules_all_and_resolve_from_the_top_level() -> None:
    code = (
        "import importlib, dhis2_sdk\n"
        "mods = [importlib.import_module(m, 'dhis2_sdk') for m in dhis2_sdk._RUNTIME_MODULES]\n"
        "home = {n: m for m in mods for n in m.__all__}\n"
        "wrong = [n for n in dhis2_sdk.__all__\n"
        "         if getattr(dhis2_sdk, n) is not getattr(home[n], n)]\n"
        "print(sorted(home) == sorted(dhis2_sdk.__all__), len(home), wrong)"
    )
    assert _run(code) == "True 93 []"
