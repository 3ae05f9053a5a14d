"""Client throughput: ``Dhis2Client`` vs a bare shared ``httpx.AsyncClient`` vs one per call.

Run: ``python benchmarks/client_throughput.py [--requests N] [--concurrency C] [--rounds R]``
(or ``nox -s bench``). Starts a DHIS2 stand-in (v42 data) in the same run, then has C workers
send small authenticated GETs (``/api/system/info``, ~1 KB of JSON, decoded by every mode) and
prints requests per second per mode (best of R rounds) and the ratios the runtime aims for:
``Dhis2Client`` within 15 % of bare httpx, and at least 3x the new-client-per-call pattern.
Numbers depend on the machine; only the ratios from one run mean something.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _entry in (ROOT, ROOT / "generated"):
    if str(_entry) not in sys.path:
        sys.path.insert(0, str(_entry))

import httpx  # noqa: E402

from dhis2_sdk import Dhis2Client, PatAuth  # noqa: E402
from dhis2_standin.launcher import RunningStandin, start_standin  # noqa: E402

PATH = "/api/system/info"
SHARED = Path(os.environ.get("DHIS2_SHARED_DIR", ROOT.parent / "shared" / "dhis2"))
DATA = SHARED / "v42"

Call = Callable[[], Awaitable[object]]


async def drive(call: Call, requests: int, concurrency: int) -> float:
    """Run ``requests`` calls from ``concurrency`` workers; return requests per second."""
    per_worker, extra = divmod(requests, concurrency)

    async def worker(count: int) -> None:
        for _ in range(count):
            await call()

    started = time.perf_counter()
    await asyncio.gather(*(worker(per_worker + (i < extra)) for i in range(concurrency)))
    return requests / (time.perf_counter() - started)


async def bench_client(server: RunningStandin, requests: int, concurrency: int) -> float:
    """``Dhis2Client.get_raw`` through its shared pool (auth, retries, error mapping on)."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with Dhis2Client(server.base_url, auth=PatAuth(server.pat), http_limits=limits) as client:

        async def call() -> object:
            return await client.get_raw(PATH)

        await drive(call, concurrency * 2, concurrency)  # warm the pool
        return await drive(call, requests, concurrency)


async def bench_bare(server: RunningStandin, requests: int, concurrency: int) -> float:
    """One shared ``httpx.AsyncClient`` with the same pool size, header and JSON decoding."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"ApiToken {server.pat}"}
    async with httpx.AsyncClient(base_url=server.base_url, headers=headers, limits=limits) as http:

        async def call() -> object:
            response = await http.get(PATH)
            response.raise_for_status()
            return response.json()

        await drive(call, concurrency * 2, concurrency)
        return await drive(call, requests, concurrency)


async def bench_per_call(server: RunningStandin, requests: int, concurrency: int) -> float:
    """The anti-pattern: a new ``httpx.AsyncClient`` (and connection) for every request."""
    headers = {"Authorization": f"ApiToken {server.pat}"}

    async def call() -> object:
        async with httpx.AsyncClient(base_url=server.base_url, headers=headers) as http:
            response = await http.get(PATH)
            response.raise_for_status()
            return response.json()

    return await drive(call, requests, concurrency)


async def run(server: RunningStandin, requests: int, concurrency: int, rounds: int) -> None:
    """Measure every mode ``rounds`` times (interleaved) and print the table."""
    modes = {
        "Dhis2Client (shared pool)": bench_client,
        "bare httpx.AsyncClient (shared)": bench_bare,
        "new httpx.AsyncClient per call": bench_per_call,
    }
    best = dict.fromkeys(modes, 0.0)
    for _ in range(rounds):
        for name, bench in modes.items():
            count = requests if "per call" not in name else max(concurrency, requests // 15)
            best[name] = max(best[name], await bench(server, count, concurrency))
    client, bare, per_call = best.values()
    print(f"\n{concurrency} concurrent GET {PATH}, {requests} requests per round", end="")
    print(f" ({max(concurrency, requests // 15)} for the per-call mode), best of {rounds} rounds")
    print(f"{'mode':<34}{'req/s':>10}")
    for name, rate in best.items():
        print(f"{name:<34}{rate:>10.0f}")
    print(f"\nDhis2Client / bare httpx      {client / bare:6.2f}  (target >= 0.85)")
    print(f"Dhis2Client / client-per-call {client / per_call:6.2f}  (target >= 3.00)")


def main() -> None:
    """Parse arguments, start the stand-in, benchmark, stop it."""
    parser = argparse.ArgumentParser(description="Dhis2Client throughput against a stand-in.")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", type=Path, default=DATA, help="stand-in data dir (v42)")
    args = parser.parse_args()
    server = start_standin(args.data)
    try:
        asyncio.run(run(server, args.requests, args.concurrency, args.rounds))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
