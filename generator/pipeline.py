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
from generator import stamp
from generator.errors import GeneratorError, SnapshotError
from generator.format import format_sources
from generator.normalise import NameOverrides, normalise
from generator.render import PACKAGE, render_version
from generator.spec import load_json_object, validate_snapshot
from generator.write import WriteReport, existing_files, write_file, write_package

OVERRIDES_NAME = "name-overrides.json"


@dataclass(frozen=True, slots=True)
class RenderedTree:
    """Everything one ``generate`` run writes: shared files, runtime, and version packages."""

    single_files: dict[str, bytes]
    packages: dict[str, dict[str, bytes]]  # package dir (relative) -> {relative path: bytes}
    summaries: tuple[str, ...]  # one line per version, for the user


def load_overrides(path: Path) -> NameOverrides:
    """Read ``{"fields": {klass: {wire name: python name}}}``; a missing file means none."""
    if not path.is_file():
        return NameOverrides.empty()
    raw = load_json_object(path.read_bytes(), source=str(path))
    fields = raw.get("fields", {})
    table: dict[str, dict[str, str]] = {}
    if isinstance(fields, dict):
        for klass, renames in fields.items():
            if isinstance(renames, dict):
                table[klass] = {str(k): str(v) for k, v in renames.items()}
    return NameOverrides(table)


def render_tree(snapshot_paths: Sequence[Path], overrides: NameOverrides) -> RenderedTree:
    """Parse, normalise, render and format every snapshot (nothing is written)."""
    rendered: dict[str, str] = {}
    version_roots: list[str] = []
    summaries: list[str] = []
    for path in snapshot_paths:
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise GeneratorError(f"{path}: cannot read the snapshot ({exc.strerror})") from None
        raw = load_json_object(text, source=path.as_posix())
        snapshot = validate_snapshot(raw, source=path.as_posix())
        _check_digest(path, snapshot.digest, raw)
        version = normalise(snapshot, source=path.as_posix(), overrides=overrides)
        root = f"{PACKAGE}/{version.version_key}"
        if root in version_roots:
            raise GeneratorError(f"{path}: a second snapshot for {version.version_key}")
        version_roots.append(root)
        rendered.update(render_version(version))
        summaries.append(
            f"{version.version_key}: {len(version.models)} models, {len(version.enums)} enums, "
            f"{version.field_count} fields, {version.untyped_count} typed only as JSON "
            f"({100 * version.untyped_count / max(version.field_count, 1):.1f} %)"
        )
        summaries.extend(f"{version.version_key}: note: {note}" for note in version.notes)
    formatted = {path: text.encode("utf-8") for path, text in format_sources(rendered).items()}
    packages: dict[str, dict[str, bytes]] = {root: {} for root in version_roots}
    singles: dict[str, bytes] = {}
    for path, content in formatted.items():
        owner = next((root for root in packages if path.startswith(root + "/")), None)
        if owner is None:
            singles[path] = content
        else:
            packages[owner][path.removeprefix(owner + "/")] = content
    return RenderedTree(singles, packages, tuple(summaries))


def _check_digest(path: Path, recorded: str, raw: dict[str, JsonValue]) -> None:
    actual = pull_stage.content_digest(raw)
    if actual != recorded:
        raise SnapshotError(
            f"{path}: its content does not match its digest ({recorded} recorded, {actual} "
            "found): it was edited after pull wrote it. Pull it again, or restore it from git"
        )


def generate(snapshot_paths: Sequence[Path], out: Path, *, check: bool = False) -> WriteReport:
    """The whole pipeline into ``out``; with ``check``, only report what would change.

    When the stamp beside ``out`` shows the same inputs and untouched outputs, nothing is
    rendered at all (a no-op regeneration costs a few file reads).
    """
    overrides_path = snapshot_paths[0].parent / OVERRIDES_NAME
    key = stamp.stamp_key(snapshot_paths)
    inputs = stamp.input_fingerprint(snapshot_paths, overrides_path)
    record = stamp.load_record(out, key)
    if (
        not check
        and record is not None
        and record.inputs == inputs
        and stamp.output_fingerprint(out, record.units) == record.outputs
    ):
        return WriteReport(unchanged=list(record.units), summaries=list(record.summaries))
    tree = render_tree(snapshot_paths, load_overrides(overrides_path))
    report = WriteReport(summaries=list(tree.summaries))
    if check:
        for rel, content in tree.single_files.items():
            target = out / rel
            same = target.is_file() and target.read_bytes() == content
            (report.unchanged if same else report.written).append(target.as_posix())
        for rel, files in tree.packages.items():
            same = existing_files(out / rel) == files
            (report.unchanged if same else report.written).append((out / rel).as_posix())
        return report
    for rel, files in sorted(tree.packages.items()):
        report.merge(write_package(out / rel, files))
    for rel, content in sorted(tree.single_files.items()):
        report.merge(write_file(out / rel, content))
    units = tuple(sorted([*tree.packages, *tree.single_files]))
    outputs = stamp.output_fingerprint(out, units)
    stamp.save_record(out, key, stamp.StampRecord(inputs, outputs, units, tree.summaries))
    return report
