"""Where the tests find the project and the recorded DHIS2 responses.

``../shared/dhis2`` beside the checkout (CI lays a copy there); ``DHIS2_SHARED_DIR`` overrides it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DHIS2 = Path(os.environ.get("DHIS2_SHARED_DIR", REPO_ROOT.parent / "shared" / "dhis2"))
GENERATED = REPO_ROOT / "generated"
SCHEMAS = REPO_ROOT / "schemas"
VERSIONS = ("v41", "v42", "v43")


def copy_hand_written(out: Path) -> None:
    """Lay the hand-written part of the package (``dhis2_sdk/__init__.py``, ``py.typed``, the
    runtime, ``pyproject.toml``) beside versions generated into ``out``, as in ``generated/``.

    The generator writes only the ``vNN`` packages; a tree it wrote elsewhere needs these to be
    imported or type-checked.
    """
    package = out / "dhis2_sdk"
    package.mkdir(parents=True, exist_ok=True)
    shutil.copy2(GENERATED / "pyproject.toml", out / "pyproject.toml")
    for name in ("__init__.py", "py.typed"):
        shutil.copy2(GENERATED / "dhis2_sdk" / name, package / name)
    shutil.copytree(
        GENERATED / "dhis2_sdk" / "runtime",
        package / "runtime",
        ignore=shutil.ignore_patterns("__pycache__"),
        dirs_exist_ok=True,
    )


def version_dirs(root: Path) -> list[str]:
    """The ``vNN`` package names under ``root/dhis2_sdk``, sorted."""
    package = root / "dhis2_sdk"
    return sorted(p.name for p in package.iterdir() if p.is_dir() and p.name[1:].isdigit())
