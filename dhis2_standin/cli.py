"""The command line: ``python -m dhis2_standin --data DIR [--port 0] [--metadata FILE | --empty]``.

Without ``--metadata`` or ``--empty`` the server starts with recorded metadata of a real DHIS2
(see :mod:`dhis2_standin.recorded`), so that examples find the objects they name.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from dhis2_standin.auth import (
    DEFAULT_PASSWORD,
    DEFAULT_PAT,
    DEFAULT_TOKEN_LIFETIME,
    DEFAULT_USERNAME,
    OAUTH_CLIENT_ID,
    OAUTH_CLIENT_SECRET,
)
from dhis2_standin.data import DataDirError
from dhis2_standin.faults import Fault, FaultSpecError
from dhis2_standin.jobs import DEFAULT_JOB_DURATION
from dhis2_standin.recorded import RecordedMetadataError
from dhis2_standin.state import MetadataFileError, StandinSettings, StandinState


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dhis2_standin",
        description="A stand-in DHIS2 server for tests (a test double, not a DHIS2).",
    )
    parser.add_argument(
        "--data", type=Path, help="dir with system-info.json and schemas.json (required to serve)"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (the default)")
    preload = parser.add_mutually_exclusive_group()
    preload.add_argument(
        "--metadata",
        type=Path,
        help="an /api/metadata-shaped JSON file to preload instead of the recorded metadata",
    )
    preload.add_argument(
        "--empty",
        action="store_true",
        help="start with no metadata (default: a real DHIS2's recorded data elements, data sets, "
        "category combos... e.g. fbfJHSPpUQD 'ANC 1st visit')",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND[:key=value,...]",
        help="e.g. error:status=503,count=2,path=/api/dataElements or latency:ms=50 (repeatable)",
    )
    parser.add_argument(
        "--pat", action="append", default=[], help="another accepted personal access token"
    )
    parser.add_argument(
        "--token-lifetime", type=float, default=DEFAULT_TOKEN_LIFETIME, help="seconds"
    )
    parser.add_argument("--job-duration", type=float, default=DEFAULT_JOB_DURATION, help="seconds")
    parser.add_argument(
        "--print-credentials", action="store_true", help="print the credentials and exit"
    )
    return parser


def credentials_text() -> str:
    """The fixed test credentials, one per line."""
    return "\n".join(
        [
            f"basic: {DEFAULT_USERNAME}:{DEFAULT_PASSWORD}",
            f"pat: {DEFAULT_PAT}",
            f"oauth2 client: {OAUTH_CLIENT_ID}:{OAUTH_CLIENT_SECRET} (POST /uaa/oauth/token)",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the stand-in; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.print_credentials:
        print(credentials_text())
        return 0
    if args.data is None:
        parser.error("--data is required to serve")
    try:
        faults = tuple(Fault.parse(spec) for spec in args.fault)
        settings = StandinSettings(
            data_dir=args.data,
            metadata_file=args.metadata,
            recorded_metadata=not args.empty,
            faults=faults,
            token_lifetime=args.token_lifetime,
            job_duration=args.job_duration,
            extra_pats=tuple(args.pat),
        )
        state = StandinState(settings)
    except (DataDirError, MetadataFileError, RecordedMetadataError, FaultSpecError) as exc:
        print(f"dhis2_standin: {exc}", file=sys.stderr)
        return 2
    from dhis2_standin.server import serve  # uvicorn is imported only when serving

    serve(state, args.host, args.port)
    return 0
