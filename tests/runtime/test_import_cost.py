"""The runtime stays cheap to import: models never pay for httpx, public names load lazily."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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
    assert _run(code) == "True 124 []"


def test_a_copy_under_another_name_reports_its_own_name(tmp_path: Path) -> None:
    """Vendored as ``acme_dhis2``, the logger and the messages name ``acme_dhis2``."""
    shutil.copytree(
        GENERATED / "dhis2_sdk",
        tmp_path / "acme_dhis2",
        ignore=shutil.ignore_patterns("__pycache__", "v41", "v43"),
    )
    code = (
        "import acme_dhis2.runtime._retry as retry\n"
        "from acme_dhis2.v42 import Dhis2Client\n"
        "try:\n"
        "    Dhis2Client('http://127.0.0.1:9', version='v43')\n"
        "except ValueError as exc:\n"
        "    print(retry.logger.name, '|', exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert done.stdout.strip() == (
        "acme_dhis2.retry | Dhis2Client is generated for v42; for v43 use "
        "acme_dhis2.v43.Dhis2Client or the untyped acme_dhis2.Dhis2Client."
    )
    assert "dhis2_sdk" not in done.stdout
