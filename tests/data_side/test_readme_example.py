"""The README's data side example, run as a script against a stand-in that starts with the
recorded Sierra Leone metadata (as ``tests/test_readme.py`` runs every block), printing exactly
what the README promises: one value stored, one conflict, the value exported, its analytics."""

from __future__ import annotations

import re
from pathlib import Path

from dhis2_standin.launcher import start_standin
from tests.conftest import DEFAULT_STANDIN_DATA
from tests.paths import REPO_ROOT
from tests.test_readme import run_example

SECTION = "## Data values, analytics and tracker"


def readme_example() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None, "the section has no python example"
    return match.group(1)


def test_the_readme_example_stores_exports_and_sums_the_value(tmp_path: Path) -> None:
    with start_standin(DEFAULT_STANDIN_DATA, recorded_metadata=True) as server:
        done = run_example(readme_example(), server, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "WARNING 1 [\"E7619 many: Value must match data element's `DTVRnCGamkV` type "
        'constraints: NUMBER (values 1)"]',
        "DTVRnCGamkV 2024 DiszpKrYNg8 412",
        "[{'dx': 'DTVRnCGamkV', 'pe': '2024', 'ou': 'DiszpKrYNg8', 'value': 412}]",
    ]
