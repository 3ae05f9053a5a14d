"""``python -m generator upgrade --from v42 --to v43 PATH…``: move user code to another DHIS2
version's package, and say what the move breaks.

Collects the Python files under the paths (leaving out vendored SDK copies, caches and hidden
directories), rewrites their imports with :mod:`generator.codemod` (for ``dhis2_sdk``, the names
given with ``--package`` and every vendored copy found beside the code, which is known by its
``vendored.json``), then hands the old and new text to :mod:`generator.breaks`, which runs pyright
and explains each new error from the changelog of the two versions. Writes the files unless
``dry_run``; hands an :class:`UpgradeReport` to ``cli``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from generator.breaks import Break, find_breaks
from generator.changelog import load_changelog
from generator.codemod import VersionMove, rewrite_source
from generator.errors import GeneratorError
from generator.render import PACKAGE
from generator.vendor import MANIFEST_NAME

_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages"})
_RELATIVE_LEVELS = 4  # from ....pkg import v42: deeper relative imports are not looked for


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One user file: where it is, its path inside the import root, its text before and after."""

    path: Path
    rel: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class UpgradeReport:
    """What ``upgrade`` changed (or would change) and what the new version breaks."""

    files: tuple[SourceFile, ...]
    breaks: tuple[Break, ...]
    notes: tuple[str, ...]

    @property
    def changed(self) -> tuple[SourceFile, ...]:
        """The files the rewrite changes."""
        return tuple(source for source in self.files if source.before != source.after)

    def diff(self) -> str:
        """The rewrite as a unified diff (``--dry-run``)."""
        return "".join(
            "".join(
                difflib.unified_diff(
                    source.before.splitlines(keepends=True),
                    source.after.splitlines(keepends=True),
                    _diff_name("a", source.path),
                    _diff_name("b", source.path),
                )
            )
            for source in self.changed
        )

    def display(self, found: Break) -> str:
        """``path/as/given.py:12: Dashboard.short_name: removed in v43``."""
        paths = {source.rel: source.path.as_posix() for source in self.files}
        return f"{paths.get(found.path, found.path)}:{found.line}: {found.what}"


def _diff_name(side: str, path: Path) -> str:
    return path.as_posix() if path.is_absolute() else f"{side}/{path.as_posix()}"


def upgrade(
    paths: Sequence[Path],
    old: str,
    new: str,
    *,
    schemas: Path,
    packages: Sequence[str] = (),
    dry_run: bool = False,
    python: str | None = None,
) -> UpgradeReport:
    """Rewrite the files under ``paths`` from ``old`` to ``new``; find what breaks."""
    if old == new:
        raise GeneratorError(f"--from and --to are both {old}: give two different versions")
    changelog = load_changelog(old, new, schemas)
    files = _collect(paths)
    root = _import_root(files)
    vendored = _vendored_copies(paths, root)
    notes = tuple(
        f"note: the vendored copy {copy} has no {new}: vendor it again with --versions {new}"
        for copy in vendored
        if not (copy / new).is_dir()
    )
    sources: list[SourceFile] = []
    for path in files:
        before = _read(path)
        move = VersionMove(old, new, {PACKAGE, *packages, *_names_of(vendored, path, root)})
        try:
            after = rewrite_source(before, move)
        except cst.ParserSyntaxError as exc:
            raise GeneratorError(f"{path}: cannot parse it ({exc.message}); fix it first") from None
        rel = path.resolve().relative_to(root).as_posix()
        sources.append(SourceFile(path, rel, before, after))
    report = UpgradeReport(tuple(sources), (), notes)
    if report.changed:
        before_texts = {source.rel: source.before for source in sources}
        after_texts = {source.rel: source.after for source in sources}
        extra = {"python": python} if python is not None else {}
        breaks = find_breaks(root, before_texts, after_texts, changelog, **extra)
        report = UpgradeReport(report.files, tuple(breaks), notes)
    if not dry_run:
        for source in report.changed:
            with source.path.open("w", encoding="utf-8", newline="") as handle:
                handle.write(source.after)
    return report


def _read(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise GeneratorError(f"{path}: cannot read it ({exc})") from None


def _collect(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(_walk(path))
        else:
            raise GeneratorError(f"{path}: no such file or directory")
    unique = sorted(set(files), key=lambda p: p.as_posix())
    if not unique:
        raise GeneratorError(f"no Python files under {', '.join(map(str, paths))}")
    return unique


def _walk(directory: Path) -> Iterator[Path]:
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith(".") or entry.name in _SKIPPED_DIRS:
            continue
        if entry.is_dir():
            if not (entry / MANIFEST_NAME).is_file() and not (entry / "pyvenv.cfg").is_file():
                yield from _walk(entry)
        elif entry.suffix == ".py":
            yield entry


def _import_root(files: Sequence[Path]) -> Path:
    """The directory the files import from: their common directory, above its packages."""
    root = Path(os.path.commonpath([file.resolve().parent for file in files]))
    while (root / "__init__.py").is_file() and root.parent != root:
        root = root.parent
    return root


def _vendored_copies(paths: Sequence[Path], root: Path) -> list[Path]:
    """Vendored SDK copies under the paths and beside the import root and its parents."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(m.parent.resolve() for m in path.rglob(MANIFEST_NAME))
    for directory in (root, *root.parents[:2]):
        found.update(m.parent for m in directory.glob(f"*/{MANIFEST_NAME}"))
    return sorted(found)


def _names_of(vendored: Sequence[Path], file: Path, root: Path) -> set[str]:
    """How ``file`` may name each vendored copy: dotted from the import root or one of its
    parents (``acme_dhis2``, ``myproject._vendor.acme_dhis2``), or relative (``..acme_dhis2``)."""
    names: set[str] = set()
    here = file.resolve().parent
    for copy in vendored:
        for base in (root, *root.parents[:2]):
            names.update(_dotted(copy, base, ""))
        for level, base in enumerate((here, *here.parents[: _RELATIVE_LEVELS - 1]), start=1):
            names.update(_dotted(copy, base, "." * level))
    return names


def _dotted(copy: Path, base: Path, dots: str) -> list[str]:
    if not copy.is_relative_to(base) or copy == base:
        return []
    parts = copy.relative_to(base).parts
    return [dots + ".".join(parts)] if all(part.isidentifier() for part in parts) else []
