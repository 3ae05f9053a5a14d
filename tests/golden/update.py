"""Golden trees: tiny hand-written dumps rendered into committed expected trees.

``python -m tests.golden.update`` (or ``nox -s golden-update``) re-renders
``tests/golden/expected/<case>/`` from ``tests/golden/dumps/<case>/``: the snapshot ``pull`` makes
and the version package ``generate`` makes (the shared runtime and package files are left out;
the real-snapshot test covers them). Review the diff like any code change.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from generator.cli import REPO_SCHEMAS
from generator.pipeline import generate
from generator.pull import PulledSnapshot, build_snapshot, read_dump_dir, write_snapshot
from generator.write import existing_files

HERE = Path(__file__).resolve().parent
DUMPS = HERE / "dumps"
EXPECTED = HERE / "expected"
CORRECTIONS = REPO_SCHEMAS / "collection-key-corrections.json"


def cases() -> list[str]:
    """The names of the golden cases (one folder each under ``dumps/``)."""
    return sorted(path.name for path in DUMPS.iterdir() if path.is_dir())


def case_snapshot(case: str) -> PulledSnapshot:
    """The snapshot ``pull`` makes from one golden dump."""
    return build_snapshot(read_dump_dir(DUMPS / case), CORRECTIONS)


def render_case(case: str) -> dict[str, bytes]:
    """The golden tree of one case, as ``{relative path: bytes}``."""
    with tempfile.TemporaryDirectory(prefix=f"golden-{case}-") as tmp:
        root = Path(tmp)
        snapshot = case_snapshot(case)
        snapshot_path = root / "snapshot.json"
        write_snapshot(snapshot, snapshot_path)
        out = root / "out"
        generate([snapshot_path], out)
        version_key = snapshot.version_key
        files = {
            f"dhis2_sdk/{version_key}/{rel}": content
            for rel, content in existing_files(out / "dhis2_sdk" / version_key).items()
        }
        files["snapshot.json"] = snapshot_path.read_bytes()
        return files


def main() -> None:
    for case in cases():
        target = EXPECTED / case
        shutil.rmtree(target, ignore_errors=True)
        for rel, content in render_case(case).items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        print(f"rendered {target.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
