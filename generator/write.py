"""Stage ``write``: put the generated files on disk atomically and deterministically.

Each unit (the ``dhis2_sdk/vNN`` package, the ``dhis2_sdk/runtime`` package, and single files) is
compared with what is on disk first; an identical unit is not touched. A changed package is
built complete in a sibling temp dir (unchanged files hard-linked from the old tree, so they keep
their timestamps) and swapped in with two renames; an error before the swap leaves the old tree
exactly as it was. Single files are replaced with ``os.replace``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


def _ignored(parts: tuple[str, ...]) -> bool:
    """Caches and build leftovers that tools put beside generated files."""
    return any(
        part == "__pycache__" or part.startswith(".") or part.endswith(".egg-info")
        for part in parts
    )


@dataclass(slots=True)
class WriteReport:
    """What a write changed, for the command line to print."""

    written: list[str] = field(default_factory=list[str])
    unchanged: list[str] = field(default_factory=list[str])
    summaries: list[str] = field(default_factory=list[str])

    def merge(self, other: WriteReport) -> None:
        """Add another report's entries."""
        self.written.extend(other.written)
        self.unchanged.extend(other.unchanged)


def existing_files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (caches left out), keyed by POSIX relative path."""
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not _ignored(path.relative_to(root).parts)
    }


def write_package(root: Path, files: Mapping[str, bytes]) -> WriteReport:
    """Make directory ``root`` hold exactly ``files`` (relative paths), swapping atomically."""
    report = WriteReport()
    old = existing_files(root)
    if old == dict(files):
        report.unchanged.append(root.as_posix())
        return report
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.new-", dir=root.parent))
    try:
        staging.chmod(0o755)  # mkdtemp creates 0700
        for rel, content in sorted(files.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
            if old.get(rel) == content:
                _link_or_copy(root / rel, target)
            else:
                target.write_bytes(content)
                report.written.append((root / rel).as_posix())
        report.written.extend((root / rel).as_posix() for rel in sorted(set(old) - set(files)))
        _swap(staging, root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def write_file(path: Path, content: bytes) -> WriteReport:
    """Replace one file atomically, only if its content changes."""
    report = WriteReport()
    if path.is_file() and path.read_bytes() == content:
        report.unchanged.append(path.as_posix())
        return report
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    report.written.append(path.as_posix())
    return report


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _swap(staging: Path, root: Path) -> None:
    """Two renames: old tree aside, new tree in; the old one is restored if the second fails."""
    if not root.exists():
        os.rename(staging, root)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{root.name}.old-", dir=root.parent))
    retired.rmdir()
    os.rename(root, retired)
    try:
        os.rename(staging, root)
    except BaseException:
        os.rename(retired, root)
        raise
    shutil.rmtree(retired, ignore_errors=True)
