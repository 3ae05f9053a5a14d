"""Wait until a DHIS2 answers ``GET /api/system/info`` (the scheduled drift workflow starts a
pinned image, then waits here before ``python -m generator drift``).

    python scripts/wait_for_dhis2.py URL [--attempts 90] [--interval 10]

Credentials come from ``DHIS2_USERNAME``/``DHIS2_PASSWORD`` or ``DHIS2_PAT``, as ``generator
drift`` reads them. Exit 0 (printing the version) once the server answers with its system info,
1 when it has not after ``--attempts`` tries, each ``--interval`` seconds apart.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from typing import cast

import httpx


def _client() -> httpx.Client:
    token = os.environ.get("DHIS2_PAT")
    if token:
        return httpx.Client(headers={"Authorization": f"ApiToken {token}"}, timeout=10)
    user, password = os.environ.get("DHIS2_USERNAME"), os.environ.get("DHIS2_PASSWORD")
    return httpx.Client(auth=(user, password) if user and password else None, timeout=10)


def _version(client: httpx.Client, url: str) -> tuple[str | None, str]:
    """The version the server reports, or ``None`` and why not (yet)."""
    try:
        response = client.get(url, follow_redirects=False)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    if response.status_code != 200:
        return None, f"HTTP {response.status_code}"
    try:
        body: object = response.json()
    except ValueError:
        return None, "an answer that is not JSON"
    version = cast(dict[str, object], body).get("version") if isinstance(body, dict) else None
    return (None, "JSON without a version") if version is None else (str(version), "")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("url", help="base URL, e.g. http://localhost:8080")
    parser.add_argument("--attempts", type=int, default=90, help="tries before giving up")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between tries")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    url = f"{args.url.rstrip('/')}/api/system/info"
    reason = "no attempt made"
    with _client() as client:
        for attempt in range(1, args.attempts + 1):
            version, reason = _version(client, url)
            if version is not None:
                print(f"{url} answers: DHIS2 {version} (attempt {attempt})")
                return 0
            print(f"attempt {attempt}/{args.attempts}: {url}: {reason}", file=sys.stderr)
            if attempt < args.attempts:
                time.sleep(args.interval)
    print(f"{url} did not answer after {args.attempts} attempts ({reason})", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
