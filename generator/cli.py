"""Stage ``cli``: the command line. It parses arguments, calls a stage or the pipeline
(:func:`generator.pipeline.generate`) and prints what they report.

    python -m generator pull     --url URL (--username U --password P | --token T) --out FILE
    python -m generator pull     --from-dir DIR --out FILE
    python -m generator generate --snapshot FILE [--snapshot FILE ...] --out DIR [--check]
    python -m generator drift    --snapshot FILE (--url URL ... | --from-dir DIR) [--json]
    python -m generator diff     OLD NEW [--json]          (version keys v42 or snapshot paths)
    python -m generator vendor   --versions v42[,v43] --dest DIR --package NAME
    python -m generator vendor   --check --dest DIR --package NAME
    python -m generator upgrade  --from v42 --to v43 PATH... [--dry-run] [--package NAME]

Exit status: 0 done, 1 ``--check``/``drift`` found a difference, 2 an error (the message says
what to do).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from generator import pipeline, vendor
from generator import pull as pull_stage
from generator.changelog import load_changelog, to_markdown
from generator.drift import describe_drift
from generator.errors import EXIT_USAGE, GeneratorError
from generator.spec import parse_snapshot
from generator.write import JOURNAL_NAME, Leftovers

REPO_SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
REPO_PACKAGE = Path(__file__).resolve().parent.parent / "generated" / "dhis2_sdk"
CORRECTIONS_NAME = "collection-key-corrections.json"


def _credentials(args: argparse.Namespace) -> pull_stage.Credentials:
    return credentials(token=args.token, username=args.username, password=args.password)


def credentials(
    *, token: str | None = None, username: str | None = None, password: str | None = None
) -> pull_stage.Credentials:
    """The credentials given, else ``DHIS2_PAT`` or ``DHIS2_USERNAME``/``DHIS2_PASSWORD``."""
    token = token or os.environ.get("DHIS2_PAT")
    username = username or os.environ.get("DHIS2_USERNAME")
    password = password or os.environ.get("DHIS2_PASSWORD")
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
    report = pipeline.generate(snapshots, Path(args.out), check=args.check)
    elapsed = time.perf_counter() - started
    leftovers = _leftover_lines(report.leftovers, check=args.check)
    if args.check:
        for line in leftovers:
            print(line)
        for path in report.written:
            print(f"out of date: {path}")
        counts = f"{len(report.written)} out of date, {len(report.unchanged)} up to date"
        if leftovers:
            counts += f", {len(leftovers)} left by an interrupted generate"
        print(counts)
        return 1 if report.written or leftovers else 0
    for line in [*leftovers, *report.summaries]:
        print(line)
    print(
        f"generated {', '.join(p.stem for p in snapshots)} into {args.out}: "
        f"{len(report.written)} files written, {len(report.unchanged)} units unchanged "
        f"({elapsed:.2f} s)"
    )
    return 0


def _leftover_lines(found: Sequence[Leftovers], *, check: bool) -> list[str]:
    """One line per unfinished commit or stray entry: what ``--check`` found, or what
    ``generate`` did about it."""
    lines: list[str] = []
    for entry in found:
        if entry.pending is not None:
            journal = (entry.directory / JOURNAL_NAME).as_posix()
            packages = ", ".join(swap.package for swap in entry.pending)
            lines.append(
                f"unfinished: {journal} (an interrupted generate was swapping in {packages}; "
                "run generate to finish it)"
                if check
                else f"finished swapping in {packages}, which an interrupted generate had begun "
                f"({journal})"
            )
        for name in entry.strays:
            path = (entry.directory / name).as_posix()
            lines.append(
                f"leftover: {path} (from an interrupted generate; run generate to remove it)"
                if check
                else f"removed {path}, left by an interrupted generate"
            )
    return lines


def cmd_drift(args: argparse.Namespace) -> int:
    pinned_path = Path(args.snapshot)
    pinned = parse_snapshot(pinned_path.read_bytes(), source=pinned_path.as_posix())
    live = pull_stage.build_snapshot(_dump(args), _corrections_path(args, pinned_path))
    lines = describe_drift(pinned, live)
    source = live.document["source"]
    if lines:
        summary = [f"drift between {pinned_path} and {source}:", *lines]
    else:
        summary = [f"no drift: {pinned_path} matches {source} ({pinned.digest})"]
    if not args.json:
        print("\n".join(summary))
        return 1 if lines else 0
    result = {
        "snapshot": pinned_path.as_posix(),
        "source": source,
        "pinnedDigest": pinned.digest,
        "liveDigest": live.document["digest"],
        "pinnedVersion": pinned.dhis2.version,
        "liveVersion": live.raw_version,
        "drift": bool(lines),
        "lines": [line.strip() for line in lines],
    }
    print(json.dumps(result, indent=1, sort_keys=True))
    print("\n".join(summary), file=sys.stderr)  # the readable summary, for a CI log
    return 1 if lines else 0


def cmd_diff(args: argparse.Namespace) -> int:
    changelog = load_changelog(args.old, args.new, REPO_SCHEMAS)
    if args.json:
        print(json.dumps(changelog.to_json(), indent=1, sort_keys=True))
    else:
        print(to_markdown(changelog, f"python -m generator diff {args.old} {args.new}"), end="")
    return 0


def cmd_vendor(args: argparse.Namespace) -> int:
    source = vendor.VendorSource(REPO_PACKAGE, REPO_SCHEMAS)
    package = vendor.check_package_name(args.package)
    dest = Path(args.dest)
    versions = vendor.parse_versions(args.versions) if args.versions else None
    if not args.check:
        if versions is None:
            raise GeneratorError("vendor needs --versions, e.g. --versions v42,v43")
        root = vendor.vendor(source, versions, dest, package)
        print(
            f"vendored {', '.join(versions)} into {root}: import {package}, {package}.{versions[0]}"
        )
        return 0
    result = vendor.check(source, dest, package, versions)
    for state, path in result.differences:
        print(f"{state}: {path}")
    if not result.differences:
        print(f"up to date: {result.root} ({', '.join(result.versions)})")
        return 0
    print(
        f"{len(result.differences)} files differ from what this generator writes; refresh with "
        f"python -m generator vendor --versions {','.join(result.versions)} --dest {dest} "
        f"--package {package} (hand edits are overwritten: move them out of the copy first)"
    )
    return 1


def cmd_upgrade(args: argparse.Namespace) -> int:
    try:  # libcst and pyright are dev dependencies: generate, pull and drift run without them
        from generator import upgrade
    except ImportError as exc:
        raise GeneratorError(
            f"upgrade needs libcst and pyright ({exc}): pip install -e .[dev]"
        ) from None
    report = upgrade.upgrade(
        [Path(p) for p in args.paths],
        args.old,
        args.new,
        schemas=REPO_SCHEMAS,
        packages=args.package or (),
        dry_run=args.dry_run,
        python=args.python,
    )
    if args.dry_run:
        print(report.diff(), end="")
    for note in report.notes:
        print(note)
    for found in report.breaks:
        print(report.display(found))
    done = "would rewrite" if args.dry_run else "rewrote"
    summary = f"{done} {len(report.changed)} of {len(report.files)} files"
    if report.breaks:
        summary += (
            f"; {len(report.breaks)} uses break in {args.new} "
            f"(python -m generator diff {args.old} {args.new} lists every change)"
        )
    print(summary)
    return 1 if report.breaks else 0


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
    drift.add_argument(
        "--json", action="store_true", help="print the result as JSON (the summary on stderr)"
    )
    drift.set_defaults(run=cmd_drift)
    diff = commands.add_parser("diff", help="Markdown changelog of one version to another")
    diff.add_argument("old", help="version key (v42) or snapshot path")
    diff.add_argument("new", help="version key (v43) or snapshot path")
    diff.add_argument("--json", action="store_true", help="print the changes as JSON")
    diff.set_defaults(run=cmd_diff)
    vend = commands.add_parser("vendor", help="copy the SDK into a project under its own name")
    vend.add_argument("--versions", help="version keys to include, e.g. v42,v43")
    vend.add_argument("--dest", required=True, help="directory to write NAME/ into")
    vend.add_argument("--package", required=True, help="import name of the copy")
    vend.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the copy is stale or edited"
    )
    vend.set_defaults(run=cmd_vendor)
    up = commands.add_parser("upgrade", help="move user code to another version's package")
    up.add_argument("--from", dest="old", required=True, help="version key now imported (v42)")
    up.add_argument("--to", dest="new", required=True, help="version key to move to (v43)")
    up.add_argument("paths", nargs="+", metavar="PATH", help="Python files or directories")
    up.add_argument(
        "--package", action="append", help="another name the SDK is imported as (repeatable)"
    )
    up.add_argument("--dry-run", action="store_true", help="print the diff; change nothing")
    up.add_argument("--python", help="interpreter whose packages pyright sees (default: this one)")
    up.set_defaults(run=cmd_upgrade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except GeneratorError as exc:
        return report_error(exc)


def report_error(exc: GeneratorError) -> int:
    """Print ``exc`` as the command line does (one ``error:`` line on stderr); exit status 2."""
    print(f"error: {exc}", file=sys.stderr)
    return EXIT_USAGE
