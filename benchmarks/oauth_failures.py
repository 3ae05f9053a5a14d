"""A failing or hanging OAuth2 token endpoint: N concurrent requests against one token request.

Run: ``python benchmarks/oauth_failures.py [--requests N] [--timeout S] [--rounds R]`` (or
``nox -s bench``). Starts a DHIS2 stand-in (v42 data) in the same run and, for each fault on
``/uaa/oauth/token`` (a stall that never answers, a 500), measures:

* the baseline: one request whose token request meets the fault (one attempt);
* N concurrent requests whose shared token refresh meets it.

It prints the median seconds of each, their ratio, and the token requests the stand-in saw for
the N requests (the target is 1). For the stall the ratio should be about 1 (one timeout for
all, not N after each other); a 500 fails in milliseconds, so there the ratio is mostly the N
requests' own cost and the token request count is the figure that matters. Numbers depend on
the machine; only the ratios from one run mean something.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _entry in (ROOT, ROOT / "generated"):
    if str(_entry) not in sys.path:
        sys.path.insert(0, str(_entry))

from dhis2_sdk import Dhis2Client, OAuth2Auth, RetryPolicy, TokenEndpointError  # noqa: E402
from dhis2_standin.faults import Fault  # noqa: E402
from dhis2_standin.launcher import RunningStandin, start_standin  # noqa: E402

SHARED = Path(os.environ.get("DHIS2_SHARED_DIR", ROOT.parent / "shared" / "dhis2"))
DATA = SHARED / "v42"
TOKEN_PATH = "/uaa/oauth/token"
FAULTS = {
    "hanging (stall)": Fault("stall", count=None, path=TOKEN_PATH, seconds=600.0),
    "500": Fault("error", count=None, path=TOKEN_PATH, status=500),
}


class Clock:
    """A clock moved by hand, to expire the token without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def client_for(server: RunningStandin, clock: Clock, timeout: float) -> Dhis2Client:
    auth = OAuth2Auth(
        server.client_id,
        server.client_secret,
        username=server.username,
        password=server.password,
        clock=clock,
    )
    return Dhis2Client(
        server.base_url, auth=auth, timeout=timeout, retry_policy=RetryPolicy(max_attempts=1)
    )


async def failing_requests(
    server: RunningStandin, fault: Fault, requests: int, client_timeout: float
) -> tuple[float, int]:
    """Seconds until all ``requests`` failed with ``TokenEndpointError``; token requests seen."""
    server.reset()
    clock = Clock()
    async with client_for(server, clock, client_timeout) as client:
        server.set_faults(fault)
        before = server.stats().requests.get(f"POST {TOKEN_PATH}", 0)
        clock.now += 7200  # past the stand-in's token lifetime: every request needs a refresh
        started = time.perf_counter()
        results = await asyncio.gather(
            *(client.system.me() for _ in range(requests)), return_exceptions=True
        )
        elapsed = time.perf_counter() - started
    if not all(isinstance(result, TokenEndpointError) for result in results):
        raise SystemExit(f"expected only TokenEndpointError, got {results[:3]!r}")
    return elapsed, server.stats().requests.get(f"POST {TOKEN_PATH}", 0) - before


async def run(server: RunningStandin, requests: int, client_timeout: float, rounds: int) -> None:
    """Measure baseline and N requests ``rounds`` times per fault (interleaved), print a table."""
    print(f"\n{requests} concurrent requests, timeout={client_timeout} s, ", end="")
    print(f"median of {rounds} rounds")
    print(f"{'token endpoint':<18}{'1 request s':>13}{f'{requests} requests s':>16}", end="")
    print(f"{'ratio':>8}{'token POSTs':>13}")
    for name, fault in FAULTS.items():
        single: list[float] = []
        many: list[float] = []
        posts = 0
        for _ in range(rounds):
            single.append((await failing_requests(server, fault, 1, client_timeout))[0])
            elapsed, posts = await failing_requests(server, fault, requests, client_timeout)
            many.append(elapsed)
        one, all_of_them = statistics.median(single), statistics.median(many)
        print(f"{name:<18}{one:>13.3f}{all_of_them:>16.3f}{all_of_them / one:>8.2f}{posts:>13}")
    server.reset()
    print("\ntarget: ratio about 1 and 1 token POST (one attempt shared by every request)")


def main() -> None:
    """Parse arguments, start the stand-in, benchmark, stop it."""
    parser = argparse.ArgumentParser(description="OAuth2 token endpoint failures, shared.")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", type=Path, default=DATA, help="stand-in data dir (v42)")
    args = parser.parse_args()
    server = start_standin(args.data)
    try:
        asyncio.run(run(server, args.requests, args.timeout, args.rounds))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
