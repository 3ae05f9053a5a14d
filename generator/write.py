"""Stage ``write``: put the generated packages on disk, all or nothing, deterministically.

A package identical to what is on disk is not touched. The changed ones are written as one
transaction, so that a run killed at any moment leaves either every old package or every new one:

1. **Stage.** Each changed package is built complete in a sibling ``.NAME.new-*`` dir (unchanged
   files hard-linked from the old tree, so they keep their timestamps). An error here removes the
   staging dirs; a kill leaves them behind, but the packages themselves are still the old ones.
2. **Journal.** ``.generate-journal.json``, listing every swap (package, staged dir, name to
   retire the old tree under), is written beside the packages from a temp file with
   ``os.replace``: it exists whole or not at all. Its appearance is the commit point.
3. **Swap.** Each package in turn is renamed aside to ``.NAME.old-*`` and its staged tree renamed
   into its place.
4. **Clean up.** The journal is deleted (from here on the packages are wholly new), then the
   retired trees.

Why a journal: a rename is atomic, a set of renames is not. Killed between the swaps of v41 and
v42, the output would hold one new and one old package, and nothing on disk would say which set
was meant. The journal is that record, and :func:`recover` (which ``generate`` calls before
anything else, and ``generate --check`` reads through :func:`find_leftovers`) acts on it:

* **A journal exists: roll forward.** Every staged tree it names was complete before it was
  written, so finishing the renames is always possible, and the journal alone says how: a swap
  whose staged dir is gone is done; one whose package is missing had its old tree moved aside
  already. Rolling back instead would be no simpler and would throw away a finished render.
* **No journal: delete every ``.NAME.new-*`` and ``.NAME.old-*`` entry.** Without a journal
  either nothing was renamed yet (step 1 or 2) or everything was (step 4), so the packages are
  already wholly old or wholly new. A reader that looks between a kill and the next run therefore
  sees a consistent set whenever there is no journal; with a journal, only after recovery.

Single files (the stamp) are replaced with ``os.replace`` from a ``.NAME.new-*`` temp file, a
leftover of the same kind. Not covered: power loss (nothing is fsynced: the guarantee is against
the process dying, whose writes the page cache keeps; the output is generated code kept in git, not
worth an fsync per file), and two runs writing into one directory at once (each would take the
other's staging dirs for leftovers).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from generator.errors import GeneratorError

JOURNAL_NAME = ".generate-journal.json"
_LEFTOVER = re.compile(r"\..+\.(new|old)-\w+")  # what mkdtemp/mkstemp make from our prefixes
_PACKAGE = re.compile(r"\w+")


def _ignored(parts: tuple[str, ...]) -> bool:
    """Caches and build leftovers that tools put beside generated files."""
    return any(
        part == "__pycache__" or part.startswith(".") or part.endswith(".egg-info")
        for part in parts
    )


@dataclass(frozen=True, slots=True)
class Swap:
    """One package to put in place: ``staged`` becomes ``package``, the old tree ``retired``
    (all three are names of entries in the same directory)."""

    package: str
    staged: str
    retired: str


@dataclass(frozen=True, slots=True)
class Leftovers:
    """What interrupted runs left in ``directory``: the swaps of an unfinished commit (when a
    journal exists) and the other staging, retired and temp entries (``strays``, by name)."""

    directory: Path
    pending: tuple[Swap, ...] | None
    strays: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """Nothing was left behind."""
        return self.pending is None and not self.strays


@dataclass(slots=True)
class WriteReport:
    """What a write changed (or, for ``--check``, would change), for the command line to print."""

    written: list[str] = field(default_factory=list[str])
    unchanged: list[str] = field(default_factory=list[str])
    summaries: list[str] = field(default_factory=list[str])
    leftovers: list[Leftovers] = field(default_factory=list[Leftovers])

    def merge(self, other: WriteReport) -> None:
        """Add another report's entries."""
        self.written.extend(other.written)
        self.unchanged.extend(other.unchanged)
        self.leftovers.extend(other.leftovers)


def existing_files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (caches left out), keyed by POSIX relative path."""
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not _ignored(path.relative_to(root).parts)
    }


def write_packages(directory: Path, packages: Mapping[str, Mapping[str, bytes]]) -> WriteReport:
    """Make each ``directory/NAME`` hold exactly ``packages[NAME]`` (relative paths -> bytes):
    every changed package is swapped in, or (killed or failing before the commit) none is."""
    for name in packages:
        if not _PACKAGE.fullmatch(name):
            raise ValueError(f"package name {name!r} is not a plain identifier")
    found = recover(directory)
    report = WriteReport(leftovers=[] if found.empty else [found])
    swaps: list[Swap] = []
    try:
        for name, files in sorted(packages.items()):
            staged = _stage(directory / name, files, report)
            if staged is not None:
                suffix = staged.name.removeprefix(f".{name}.new-")
                swaps.append(Swap(name, staged.name, f".{name}.old-{suffix}"))
        if swaps:
            _write_journal(directory, swaps)
    except BaseException:
        if not (directory / JOURNAL_NAME).exists():
            for swap in swaps:
                shutil.rmtree(directory / swap.staged, ignore_errors=True)
        raise
    if swaps:
        _commit(directory, tuple(swaps))
    return report


def write_file(path: Path, content: bytes) -> WriteReport:
    """Replace one file atomically, only if its content changes."""
    report = WriteReport()
    if path.is_file() and path.read_bytes() == content:
        report.unchanged.append(path.as_posix())
        return report
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace_file(path, content)
    report.written.append(path.as_posix())
    return report


def find_leftovers(directory: Path) -> Leftovers:
    """What interrupted runs left in ``directory`` (read only; see :func:`recover`)."""
    if not directory.is_dir():
        return Leftovers(directory, None, ())
    journal = directory / JOURNAL_NAME
    pending = _read_journal(journal) if journal.exists() else None
    named = {n for swap in pending or () for n in (swap.staged, swap.retired)}
    strays = sorted(
        entry.name
        for entry in directory.iterdir()
        if _LEFTOVER.fullmatch(entry.name) and entry.name not in named
    )
    return Leftovers(directory, pending, tuple(strays))


def recover(directory: Path) -> Leftovers:
    """Finish the commit a journal in ``directory`` records, then remove every other leftover;
    return what was found. Afterwards the packages there are wholly old or wholly new."""
    found = find_leftovers(directory)
    if found.pending is not None:
        _commit(directory, found.pending)
    for name in found.strays:
        _remove(directory / name)
    return found


def _stage(root: Path, files: Mapping[str, bytes], report: WriteReport) -> Path | None:
    """Build ``files`` complete in a staging dir beside ``root``; ``None`` when nothing changes."""
    old = existing_files(root)
    if old == dict(files):
        report.unchanged.append(root.as_posix())
        return None
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
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report.written.extend((root / rel).as_posix() for rel in sorted(set(old) - set(files)))
    return staging


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _replace_file(path: Path, content: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.new-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_journal(directory: Path, swaps: list[Swap]) -> None:
    entries = [{"package": s.package, "staged": s.staged, "retired": s.retired} for s in swaps]
    text = json.dumps({"swaps": entries}, indent=1, sort_keys=True) + "\n"
    _replace_file(directory / JOURNAL_NAME, text.encode("utf-8"))


def _read_journal(path: Path) -> tuple[Swap, ...]:
    """The swaps a journal lists, each name checked so that recovery renames and deletes only
    what a run of ``write_packages`` could have made."""
    try:
        raw: object = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise _bad_journal(path, f"it cannot be read ({exc})") from None
    entries = cast("dict[str, object]", raw).get("swaps") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise _bad_journal(path, "it lists no swaps")
    swaps: list[Swap] = []
    for entry in cast("list[object]", entries):
        fields = cast("dict[str, object]", entry) if isinstance(entry, dict) else {}
        package, staged, retired = (fields.get(k) for k in ("package", "staged", "retired"))
        if not (
            isinstance(package, str)
            and isinstance(staged, str)
            and isinstance(retired, str)
            and _PACKAGE.fullmatch(package)
            and re.fullmatch(rf"\.{package}\.new-\w+", staged)
            and re.fullmatch(rf"\.{package}\.old-\w+", retired)
        ):
            raise _bad_journal(path, f"it has a malformed swap {entry!r}")
        swaps.append(Swap(package, staged, retired))
    return tuple(swaps)


def _bad_journal(path: Path, problem: str) -> GeneratorError:
    return GeneratorError(
        f"{path}: {problem}, so the interrupted generate it belongs to cannot be finished. "
        "Delete it and every .NAME.new-* and .NAME.old-* entry beside it, then run generate "
        "again (it rewrites any package that is missing or stale)"
    )


def _commit(directory: Path, swaps: tuple[Swap, ...]) -> None:
    """Steps 3 and 4: the renames, then the journal and the retired trees go. Idempotent, so a
    commit that was killed is finished by running it again."""
    try:
        for swap in swaps:
            _roll_forward(directory, swap)
        (directory / JOURNAL_NAME).unlink(missing_ok=True)
    except OSError as exc:
        raise GeneratorError(
            f"{directory}: swapping in the new packages failed ({exc}). "
            f"{directory / JOURNAL_NAME} records the swaps: fix the cause and run generate "
            "again, which finishes them"
        ) from None
    for swap in swaps:
        shutil.rmtree(directory / swap.retired, ignore_errors=True)


def _roll_forward(directory: Path, swap: Swap) -> None:
    staged, target = directory / swap.staged, directory / swap.package
    if not staged.exists():
        return  # swapped in already
    if target.exists():
        _rename(target, directory / swap.retired)
    _rename(staged, target)


def _rename(source: Path, target: Path) -> None:
    # One place for the commit's renames, so that a test can stop a commit between any two.
    os.rename(source, target)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
