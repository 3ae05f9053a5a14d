"""Stage ``cli``: the command line, and :func:`generate`, the pipeline end to end.

    python -m generator pull     --url URL (--username U --password P | --token T) --out FILE
    python -m generator pull     --from-dir DIR --out FILE
    python -m generator generate --snapshot FILE [--snapshot FILE ...] --out DIR [--check]
    python -m generator drift    --snapshot FILE (--url URL ... | --from-dir DIR)

Exit status: 0 done, 1 ``--check``/``drift`` found a difference, 2 an error (the message says
what to do).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import JsonValue

from generator import pull as pull_stage
from generator import stamp
from generator.drift import describe_drift
from generator.embedding import (
    EMBEDDING_CORRECTIONS,
    EmbeddingCorrections,
    load_embedding_corrections,
)
from generator.errors import EXIT_USAGE, GeneratorError, SnapshotError
from generator.format import format_sources
from generator.normalise import normalise
from generator.overrides import NameOverrides, load_overrides
from generator.render import PACKAGE, render_version
from generator.spec import load_json_object, parse_snapshot, validate_snapshot
from generator.write import WriteReport, existing_files, write_file, write_package

REPO_SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
CORRECTIONS_NAME = "collection-key-corrections.json"
OVERRIDES_NAME = "name-overrides.json"


@dataclass(frozen=True, slots=True)
class RenderedTree:
    """Everything one ``generate`` run writes: shared files, runtime, and version packages."""

    single_files: dict[str, bytes]
    packages: dict[str, dict[str, bytes]]  # package dir (relative) -> {relative path: bytes}
    summaries: tuple[str, ...]  # one line per version, for the user


def render_tree(
    snapshot_paths: Sequence[Path],
    overrides: NameOverrides,
    embedding: EmbeddingCorrections | None = None,
) -> RenderedTree:
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
        version = normalise(
            snapshot, source=path.as_posix(), overrides=overrides, embedding=embedding
        )
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
    embedding_path = snapshot_paths[0].parent / EMBEDDING_CORRECTIONS
    key = stamp.stamp_key(snapshot_paths)
    inputs = stamp.input_fingerprint(snapshot_paths, overrides_path, embedding_path)
    record = stamp.load_record(out, key)
    if (
        not check
        and record is not None
        and record.inputs == inputs
        and stamp.output_fingerprint(out, record.units) == record.outputs
    ):
        return WriteReport(unchanged=list(record.units), summaries=list(record.summaries))
    tree = render_tree(
        snapshot_paths, load_overrides(overrides_path), load_embedding_corrections(embedding_path)
    )
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


def _credentials(args: argparse.Namespace) -> pull_stage.Credentials:
    token = args.token or os.environ.get("DHIS2_PAT")
    username = args.username or os.environ.get("DHIS2_USERNAME")
    password = args.password or os.environ.get("DHIS2_PASSWORD")
    if token:
        return pull_stage.Credentials(token=token)
    if username and password:
        return pull_stage.Credentials(username=username, password=password)
    raise GeneratorError(
        "no credentials: give --username and --password, or --token d2pat_... "
        "(or set DHIS2_USERNAME/DHIS2_PASSWORD or DHIS2_PAT)"
    )


def _dump(args: argparse.Namespace) -> pull_stage.Dump:
    if args.from_dir is not None:
        return pull_stage.read_dump_dir(Path(args.from_dir))
    return pull_stage.fetch_dump(args.url, _credentials(args))


def _corrections_path(args: argparse.Namespace, beside: Path) -> Path:
    if args.corrections:
        return Path(args.corrections)
    local = beside.parent / CORRECTIONS_NAME
    return local if local.is_file() else REPO_SCHEMAS / CORRECTIONS_NAME


def cmd_pull(args: argparse.Namespace) -> int:
    out = Path(args.out)
    snapshot = pull_stage.build_snapshot(_dump(args), _corrections_path(args, out))
    pull_stage.write_snapshot(snapshot, out)
    schemas = snapshot.document["schemas"]
    count = len(schemas) if isinstance(schemas, list) else 0
    derived = ""
    if snapshot.derived:
        by_rule = sum(1 for d in snapshot.derived if d.source == "rule")
        derived = (
            f"; derived {len(snapshot.derived)} collection keys the dump lacked ({by_rule} by "
            f"rule, {len(snapshot.derived) - by_rule} from corrections; -v lists them)"
        )
    print(
        f"wrote {out}: DHIS2 {snapshot.raw_version} ({snapshot.version_key}), {count} schemas, "
        f"{snapshot.document['digest']}{derived}"
    )
    if args.verbose and snapshot.derived:
        print("\n".join(pull_stage.derived_report(snapshot.derived)))
    if args.pins:
        pull_stage.update_pins(Path(args.pins), snapshot, args.image)
        print(f"pinned {snapshot.version_key} in {args.pins}")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    snapshots = [Path(p) for p in args.snapshot]
    started = time.perf_counter()
    report = generate(snapshots, Path(args.out), check=args.check)
    elapsed = time.perf_counter() - started
    if args.check:
        for path in report.written:
            print(f"out of date: {path}")
        print(f"{len(report.written)} out of date, {len(report.unchanged)} up to date")
        return 1 if report.written else 0
    for line in report.summaries:
        print(line)
    print(
        f"generated {', '.join(p.stem for p in snapshots)} into {args.out}: "
        f"{len(report.written)} files written, {len(report.unchanged)} units unchanged "
        f"({elapsed:.2f} s)"
    )
    return 0


def cmd_drift(args: argparse.Namespace) -> int:
    pinned_path = Path(args.snapshot)
    pinned = parse_snapshot(pinned_path.read_bytes(), source=pinned_path.as_posix())
    live = pull_stage.build_snapshot(_dump(args), _corrections_path(args, pinned_path))
    lines = describe_drift(pinned, live)
    if not lines:
        print(f"no drift: {pinned_path} matches {live.document['source']} ({pinned.digest})")
        return 0
    print(f"drift between {pinned_path} and {live.document['source']}:")
    print("\n".join(lines))
    return 1


def _add_source(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--url", help="base URL of a live DHIS2, e.g. https://play.dhis2.org/40")
    source.add_argument("--from-dir", help="directory with recorded system-info.json, schemas.json")
    parser.add_argument("--username", help="Basic auth user (or DHIS2_USERNAME)")
    parser.add_argument("--password", help="Basic auth password (or DHIS2_PASSWORD)")
    parser.add_argument("--token", help="personal access token d2pat_... (or DHIS2_PAT)")
    parser.add_argument("--corrections", help=f"collection-key corrections ({CORRECTIONS_NAME})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator", description=(__doc__ or "").split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    pull = commands.add_parser("pull", help="write a snapshot from a live DHIS2 or a recorded dump")
    _add_source(pull)
    pull.add_argument("--out", required=True, help="snapshot file to write, e.g. schemas/v42.json")
    pull.add_argument("--pins", help="pin file to update, e.g. schemas/pins.json")
    pull.add_argument("--image", help="docker image the snapshot is pinned to (with --pins)")
    pull.add_argument(
        "-v", "--verbose", action="store_true", help="list each collection key pull derived"
    )
    pull.set_defaults(run=cmd_pull)
    gen = commands.add_parser("generate", help="render the SDK from snapshots")
    gen.add_argument("--snapshot", action="append", required=True, help="snapshot (repeatable)")
    gen.add_argument("--out", required=True, help="tree to write: DIR/dhis2_sdk/vNN/...")
    gen.add_argument("--check", action="store_true", help="write nothing; exit 1 if out of date")
    gen.set_defaults(run=cmd_generate)
    drift = commands.add_parser("drift", help="compare a pinned snapshot with a live server")
    _add_source(drift)
    drift.add_argument("--snapshot", required=True, help="pinned snapshot, e.g. schemas/v42.json")
    drift.set_defaults(run=cmd_drift)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except GeneratorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
