"""The pipeline end to end: snapshot files in, version packages on disk out.

Runs the stages in the order data flows (``spec`` parses and checks each snapshot, ``normalise``
builds the IR, ``render`` and ``format`` turn it into files, ``write`` puts them on disk) and hands
a :class:`~generator.write.WriteReport` to ``cli``, which only parses arguments and prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import JsonValue

from generator import pull as pull_stage
from generator import stamp, write
from generator.embedding import (
    EMBEDDING_CORRECTIONS,
    EmbeddingCorrections,
    load_embedding_corrections,
)
from generator.errors import GeneratorError, SnapshotError
from generator.format import format_sources
from generator.ir import VersionIR
from generator.normalise import normalise
from generator.overrides import NameOverrides, load_overrides
from generator.render import PACKAGE, render_version
from generator.spec import load_json_object, validate_snapshot
from generator.write import Leftovers, WriteReport, existing_files, find_leftovers, write_packages

OVERRIDES_NAME = "name-overrides.json"


@dataclass(frozen=True, slots=True)
class RenderedTree:
    """Everything one ``generate`` run writes: the version packages, and a line about each."""

    packages: dict[str, dict[str, bytes]]  # version key (v42) -> {path in the package: bytes}
    summaries: tuple[str, ...]  # one line per version, for the user


def render_tree(
    snapshot_paths: Sequence[Path],
    overrides: NameOverrides,
    embedding: EmbeddingCorrections | None = None,
) -> RenderedTree:
    """Parse, normalise, render and format every snapshot (nothing is written)."""
    rendered: dict[str, str] = {}
    owners: dict[str, str] = {}  # rendered path -> the version key of its package
    summaries: list[str] = []
    for path in snapshot_paths:
        version = load_version(path, overrides, embedding)
        if version.version_key in owners.values():
            raise GeneratorError(f"{path}: a second snapshot for {version.version_key}")
        files = render_version(version)
        owners.update(dict.fromkeys(files, version.version_key))
        rendered.update(files)
        summaries.append(
            f"{version.version_key}: {len(version.models)} models, {len(version.enums)} enums, "
            f"{version.field_count} fields, {version.untyped_count} typed only as JSON "
            f"({100 * version.untyped_count / max(version.field_count, 1):.1f} %)"
        )
        summaries.extend(f"{version.version_key}: note: {note}" for note in version.notes)
    packages: dict[str, dict[str, bytes]] = {key: {} for key in owners.values()}
    for path, text in format_sources(rendered).items():
        key = owners[path]
        packages[key][path.removeprefix(f"{PACKAGE}/{key}/")] = text.encode("utf-8")
    return RenderedTree(packages, tuple(summaries))


def load_version(
    path: Path, overrides: NameOverrides, embedding: EmbeddingCorrections | None = None
) -> VersionIR:
    """One snapshot file, parsed, checked against its digest and normalised into the IR."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise GeneratorError(f"{path}: cannot read the snapshot ({exc.strerror})") from None
    raw = load_json_object(text, source=path.as_posix())
    snapshot = validate_snapshot(raw, source=path.as_posix())
    _check_digest(path, snapshot.digest, raw)
    return normalise(snapshot, source=path.as_posix(), overrides=overrides, embedding=embedding)


def side_files(snapshot_paths: Sequence[Path]) -> tuple[NameOverrides, EmbeddingCorrections]:
    """The name overrides and embedding corrections beside the (first) snapshot."""
    return (
        load_overrides(_overrides_path(snapshot_paths)),
        load_embedding_corrections(_embedding_path(snapshot_paths)),
    )


def _check_digest(path: Path, recorded: str, raw: dict[str, JsonValue]) -> None:
    actual = pull_stage.content_digest(raw)
    if actual != recorded:
        raise SnapshotError(
            f"{path}: its content does not match its digest ({recorded} recorded, {actual} "
            "found): it was edited after pull wrote it. Pull it again, or restore it from git"
        )


def leftovers(out: Path) -> list[Leftovers]:
    """What interrupted runs left in ``out`` (staging and retired packages, an unfinished
    commit's journal, temp files); nothing is changed."""
    found = [find_leftovers(directory) for directory in _written_dirs(out)]
    return [entry for entry in found if not entry.empty]


def recover(out: Path) -> list[Leftovers]:
    """Finish an interrupted run's commit in ``out`` and remove its leftovers; return what was
    found. Afterwards the version packages are wholly those of one run."""
    found = [write.recover(directory) for directory in _written_dirs(out)]
    return [entry for entry in found if not entry.empty]


def _written_dirs(out: Path) -> tuple[Path, Path]:
    return out / PACKAGE, out  # the version packages; the stamp


def generate(snapshot_paths: Sequence[Path], out: Path, *, check: bool = False) -> WriteReport:
    """The whole pipeline into ``out``; with ``check``, only report what would change.

    A run first finishes or removes what an interrupted one left (``check`` reports it), before
    the stamp is read, so that the stamp judges the tree as it will stay. When the stamp shows
    the same inputs and untouched outputs, nothing is rendered at all (a no-op regeneration
    costs a few file reads).
    """
    if check:
        return _check(snapshot_paths, out)
    recovered = recover(out)
    overrides_path = _overrides_path(snapshot_paths)
    key = stamp.stamp_key(snapshot_paths)
    embedding_path = _embedding_path(snapshot_paths)
    inputs = stamp.input_fingerprint(snapshot_paths, overrides_path, embedding_path)
    record = stamp.load_record(out, key)
    if (
        record is not None
        and record.inputs == inputs
        and stamp.output_fingerprint(out, record.units) == record.outputs
    ):
        return WriteReport(
            unchanged=list(record.units), summaries=list(record.summaries), leftovers=recovered
        )
    tree = render_tree(
        snapshot_paths, load_overrides(overrides_path), load_embedding_corrections(embedding_path)
    )
    report = WriteReport(summaries=list(tree.summaries), leftovers=recovered)
    report.merge(write_packages(out / PACKAGE, tree.packages))
    units = tuple(sorted(f"{PACKAGE}/{version_key}" for version_key in tree.packages))
    outputs = stamp.output_fingerprint(out, units)
    stamp.save_record(out, key, stamp.StampRecord(inputs, outputs, units, tree.summaries))
    return report


def _check(snapshot_paths: Sequence[Path], out: Path) -> WriteReport:
    """``generate --check``: leftovers and out-of-date packages, written nowhere."""
    found = leftovers(out)
    tree = render_tree(
        snapshot_paths,
        load_overrides(_overrides_path(snapshot_paths)),
        load_embedding_corrections(_embedding_path(snapshot_paths)),
    )
    report = WriteReport(summaries=list(tree.summaries), leftovers=found)
    for version_key, files in sorted(tree.packages.items()):
        root = out / PACKAGE / version_key
        same = existing_files(root) == files
        (report.unchanged if same else report.written).append(root.as_posix())
    return report


def _overrides_path(snapshot_paths: Sequence[Path]) -> Path:
    return snapshot_paths[0].parent / OVERRIDES_NAME


def _embedding_path(snapshot_paths: Sequence[Path]) -> Path:
    return snapshot_paths[0].parent / EMBEDDING_CORRECTIONS
