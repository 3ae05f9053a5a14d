"""Code generated from hostile names (the golden dumps: keywords, builtins, pydantic-reserved
names, injection attempts, unknown property types) is pyright-strict clean: 0 errors, 0 warnings.

The real versions are checked by ``nox -s typecheck`` over generated/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from generator.pipeline import generate
from generator.pull import write_snapshot
from tests.golden.update import case_snapshot, cases
from tests.paths import copy_hand_written


def test_hostile_names_give_strict_clean_code(tmp_path: Path) -> None:
    snapshots: list[Path] = []
    for case in cases():
        path = tmp_path / f"{case}.json"
        write_snapshot(case_snapshot(case), path)
        snapshots.append(path)
    out = tmp_path / "out"
    generate(snapshots, out)
    copy_hand_written(out)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pyright",
            "--outputjson",
            "--pythonpath",
            sys.executable,
            "-p",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    messages = [
        f"{d['file']}:{d['range']['start']['line']}: {d['message']}"
        for d in report["generalDiagnostics"]
    ]
    assert messages == []
    assert report["summary"]["filesAnalyzed"] > 20
