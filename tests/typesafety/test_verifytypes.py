"""``pyright --verifytypes``: the public surface of a generated version is completely typed.

Every version is rendered from the same templates, so v42 stands for all. (The whole
``dhis2_sdk`` scores 99.8 %: httpx's ``Auth``/transport base classes read as an unknown
metaclass under ``--ignoreexternal``.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.paths import GENERATED


def test_version_package_is_completely_typed(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pyright",
            "--pythonpath",
            sys.executable,
            "--outputjson",
            "--verifytypes",
            "dhis2_sdk.v42",
            "--ignoreexternal",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,  # away from the repo's pyright settings
        env={**os.environ, "PYTHONPATH": str(GENERATED)},
    )
    report = json.loads(done.stdout)
    completeness = report["typeCompleteness"]
    untyped = [symbol["name"] for symbol in completeness["symbols"] if not symbol["isTypeKnown"]]
    assert untyped == []
    assert completeness["completenessScore"] == 1.0
    assert completeness["exportedSymbolCounts"]["withKnownType"] > 4000
