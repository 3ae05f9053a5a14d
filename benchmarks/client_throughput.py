"""Client throughput: ``Dhis2Client`` on each backend against the bare client of that backend.

Run: ``python benchmarks/client_throughput.py [--requests N] [--concurrency C] [--rounds R]
[--rows FILE]`` (or ``nox -s bench``). Starts, in the same run, a DHIS2 stand-in (v42 data) and a
trivial server (``_trivial_server.py``: a bare asyncio protocol answering the same recorded
``/api/system/info`` body to every GET, so that the client is the limit). Against each, C workers
send small authenticated GETs (~1 KB of JSON, decoded by every mode) through:

* ``Dhis2Client`` with ``backend="httpx"`` and a bare shared ``httpx.AsyncClient``;
* ``Dhis2Client`` with ``backend="aiohttp"`` and a bare shared ``aiohttp.ClientSession``;
* a new ``httpx.AsyncClient`` per call (the anti-pattern).

Fairness: every pooled mode gets the same pool limit (C connections) and the same warm-up: one
request alone (what ``Dhis2Client.connect()`` sends), then C concurrent requests that the server
holds until all C are in (the trivial server) or for 1.5 s (the stand-in), so that every side
starts the measured burst with C open connections (printed as "pool", counted by the server). A
smaller pool flatters httpcore, which scans its connections on every request; without the held
burst the SDK's pool settled near 12 connections and the bare client's at 50. Each round runs
every mode once (interleaved); a ratio is the median of the per-round ratios, its spread their
range. Beside requests per second, each mode's CPU time per request in this process (the
client's own cost, which other load on the machine disturbs less than the wall clock). Targets:
``Dhis2Client`` (httpx) >= 0.85x bare httpx, ``Dhis2Client`` (aiohttp) >= 0.5x a bare aiohttp
session, >= 3x a client per call. Numbers depend on the machine; only ratios from one run mean
something.

``--rows FILE`` appends one JSON line per comparison: ``{"comparison", "ratio", "spread",
"data", "note"}`` (``ratio`` = SDK / baseline throughput), for ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _entry in (ROOT, ROOT / "generated", Path(__file__).resolve().parent):
    if str(_entry) not in sys.path:
        sys.path.insert(0, str(_entry))

import httpx  # noqa: E402
from _common import SHARED, machine_lines  # noqa: E402
from _trivial_server import TrivialServer  # noqa: E402

from dhis2_sdk import Dhis2Client, PatAuth  # noqa: E402
from dhis2_standin.faults import Fault  # noqa: E402
from dhis2_standin.launcher import RunningStandin, start_standin  # noqa: E402

PATH = "/api/system/info"
DATA = SHARED / "v42"
HOLD_MS = 1500

Call = Callable[[], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Target:
    """A server the modes send their requests to."""

    name: str
    base_url: str
    token: str
    warm: Callable[[int], str]
    """Arms the server for a burst of N held requests; returns the path to GET N times at once
    (which makes the client open one connection per request)."""
    open_connections: Callable[[], int]

    @property
    def auth_header(self) -> dict[str, str]:
        return {"Authorization": f"ApiToken {self.token}"}


def standin_target(server: RunningStandin) -> Target:
    """The DHIS2 stand-in: the held requests are ``latency`` faults on ``PATH``."""

    def warm(count: int) -> str:
        server.set_faults(Fault("latency", count=count, path=PATH, ms=HOLD_MS))
        return PATH

    def open_connections() -> int:
        return server.stats().connections_open - 1  # its own control connection

    return Target("stand-in", server.base_url, server.pat, warm, open_connections)


def trivial_target(server: TrivialServer) -> Target:
    """The trivial server: ``/warm?n=N`` is held until N wait, ``/__stats__`` counts connections."""

    def open_connections() -> int:
        with httpx.Client() as http:
            return int(http.get(f"{server.base_url}/__stats__").json()["open"])

    return Target(
        "trivial", server.base_url, "d2pat_bench", lambda n: f"/warm?n={n}", open_connections
    )


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured burst: requests per second and the connections open before it."""

    rate: float
    cpu: float
    """CPU seconds of this process per request."""
    pool: int


async def drive(call: Call, requests: int, concurrency: int) -> tuple[float, float]:
    """Run ``requests`` calls from ``concurrency`` workers; return requests per second and CPU
    seconds per request."""
    per_worker, extra = divmod(requests, concurrency)

    async def worker(count: int) -> None:
        for _ in range(count):
            await call()

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(per_worker + (i < extra)) for i in range(concurrency)))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return requests / wall, cpu / requests


async def measure(
    target: Target, get: Callable[[str], Awaitable[object]], requests: int, c: int
) -> Sample:
    """The shared warm-up (C held requests at once), then the measured burst of GET ``PATH``."""
    path = target.warm(c)
    await asyncio.gather(*(get(path) for _ in range(c)))
    pool = await asyncio.to_thread(target.open_connections)
    rate, cpu = await drive(lambda: get(PATH), requests, c)
    return Sample(rate, cpu, pool)


# -- modes: each opens its client, sends the one solo request, measures ---------------------------

Mode = Callable[[Target, int, int], Awaitable[Sample]]


async def sdk(target: Target, requests: int, c: int, backend: str) -> Sample:
    """``Dhis2Client.get_raw`` through its shared pool (auth, retries, error mapping on)."""
    limits = httpx.Limits(max_connections=c, max_keepalive_connections=c)
    client = Dhis2Client(
        target.base_url,
        auth=PatAuth(target.token),
        http_limits=limits,
        backend="aiohttp" if backend == "aiohttp" else "httpx",
    )
    async with client:  # connect() is the solo request
        return await measure(target, client.get_raw, requests, c)


async def sdk_httpx(target: Target, requests: int, c: int) -> Sample:
    return await sdk(target, requests, c, "httpx")


async def sdk_aiohttp(target: Target, requests: int, c: int) -> Sample:
    return await sdk(target, requests, c, "aiohttp")


async def bare_httpx(target: Target, requests: int, c: int) -> Sample:
    """One shared ``httpx.AsyncClient`` with the same pool size, header and JSON decoding."""
    limits = httpx.Limits(max_connections=c, max_keepalive_connections=c)
    async with httpx.AsyncClient(
        base_url=target.base_url, headers=target.auth_header, limits=limits
    ) as http:

        async def get(path: str) -> object:
            response = await http.get(path)
            response.raise_for_status()
            return response.json()

        await get(PATH)
        return await measure(target, get, requests, c)


async def bare_aiohttp(target: Target, requests: int, c: int) -> Sample:
    """One shared ``aiohttp.ClientSession`` with the same pool size, header and JSON decoding."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=c)
    async with aiohttp.ClientSession(
        target.base_url, connector=connector, headers=target.auth_header
    ) as session:

        async def get(path: str) -> object:
            async with session.get(path) as response:
                response.raise_for_status()
                return json.loads(await response.read())

        await get(PATH)
        return await measure(target, get, requests, c)


async def per_call(target: Target, requests: int, c: int) -> Sample:
    """The anti-pattern: a new ``httpx.AsyncClient`` (and connection) for every request."""

    async def call() -> object:
        async with httpx.AsyncClient(base_url=target.base_url, headers=target.auth_header) as http:
            response = await http.get(PATH)
            response.raise_for_status()
            return response.json()

    rate, cpu = await drive(call, max(c, requests // 15), c)
    return Sample(rate, cpu, 0)


@dataclass(frozen=True, slots=True)
class Comparison:
    """SDK mode / baseline mode, and the ratio the runtime aims for."""

    name: str
    sdk: str
    baseline: str
    target: float | None


MODES: dict[str, Mode] = {
    "Dhis2Client (httpx)": sdk_httpx,
    "bare httpx.AsyncClient (shared)": bare_httpx,
    "Dhis2Client (aiohttp)": sdk_aiohttp,
    "bare aiohttp.ClientSession (shared)": bare_aiohttp,
    "new httpx.AsyncClient per call": per_call,
}
COMPARISONS = (
    Comparison(
        "Dhis2Client (httpx) / bare shared httpx.AsyncClient",
        "Dhis2Client (httpx)",
        "bare httpx.AsyncClient (shared)",
        0.85,
    ),
    Comparison(
        "Dhis2Client (aiohttp) / bare shared aiohttp.ClientSession",
        "Dhis2Client (aiohttp)",
        "bare aiohttp.ClientSession (shared)",
        0.5,
    ),
    Comparison(
        "Dhis2Client (httpx) / new httpx.AsyncClient per call",
        "Dhis2Client (httpx)",
        "new httpx.AsyncClient per call",
        3.0,
    ),
    Comparison(
        "Dhis2Client (aiohttp) / Dhis2Client (httpx)",
        "Dhis2Client (aiohttp)",
        "Dhis2Client (httpx)",
        None,
    ),
)


@dataclass(frozen=True, slots=True)
class Settings:
    requests: int
    concurrency: int
    rounds: int


async def run(targets: list[Target], settings: Settings) -> dict[str, dict[str, list[Sample]]]:
    """Every mode against every target, ``rounds`` times, interleaved."""
    samples: dict[str, dict[str, list[Sample]]] = {t.name: {m: [] for m in MODES} for t in targets}
    for number in range(1, settings.rounds + 1):
        print(f"round {number} of {settings.rounds}", file=sys.stderr)
        for target in targets:
            for name, mode in MODES.items():
                sample = await mode(target, settings.requests, settings.concurrency)
                samples[target.name][name].append(sample)
                print(f"  {target.name}: {name}: {sample.rate:.0f} req/s", file=sys.stderr)
    return samples


def report(
    targets: list[Target], samples: dict[str, dict[str, list[Sample]]], settings: Settings
) -> list[dict[str, Any]]:
    """Print the tables; return one row per comparison and target."""
    print("\n".join(machine_lines()))
    per_call_requests = max(settings.concurrency, settings.requests // 15)
    print(
        f"{settings.concurrency} concurrent GET {PATH} (~1 KB JSON, decoded), "
        f"{settings.requests} requests per round ({per_call_requests} for the per-call mode), "
        f"{settings.rounds} rounds; pool = connections open after warm-up"
    )
    rows: list[dict[str, Any]] = []
    for target in targets:
        by_mode = samples[target.name]
        print(f"\n{target.name}: median req/s (min-max), median CPU us/request, pool")
        for name, runs in by_mode.items():
            rates = [s.rate for s in runs]
            pools = "/".join(str(pool) for pool in sorted({s.pool for s in runs}))
            cpu = statistics.median(s.cpu for s in runs) * 1e6
            print(
                f"  {name:<38}{statistics.median(rates):>8.0f} "
                f"({min(rates):.0f}-{max(rates):.0f}), {cpu:7.0f} us, pool {pools}"
            )
        print("  SDK / baseline: throughput ratio (spread), CPU ratio (baseline CPU / SDK CPU)")
        for comparison in COMPARISONS:
            pairs = list(zip(by_mode[comparison.sdk], by_mode[comparison.baseline], strict=True))
            ratio = statistics.median(a.rate / b.rate for a, b in pairs)
            ratios = [a.rate / b.rate for a, b in pairs]
            cpu_ratio = statistics.median(b.cpu / a.cpu for a, b in pairs)
            spread = f"{min(ratios):.2f}-{max(ratios):.2f} over {len(ratios)} rounds"
            goal = f"target >= {comparison.target:.2f}" if comparison.target else "no target"
            verdict = ""
            if comparison.target is not None:
                verdict = " ok" if ratio >= comparison.target else " MISSED"
            print(
                f"  {comparison.name:<58}{ratio:6.2f}x ({spread}; {goal}){verdict}, "
                f"CPU {cpu_ratio:.2f}x"
            )
            sdk_rate = statistics.median(s.rate for s in by_mode[comparison.sdk])
            base_rate = statistics.median(s.rate for s in by_mode[comparison.baseline])
            rows.append(
                {
                    "comparison": comparison.name,
                    "ratio": round(ratio, 3),
                    "spread": spread,
                    "data": f"{target.name}: {settings.concurrency} concurrent GET {PATH}",
                    "note": f"{goal}; median {sdk_rate:.0f} vs {base_rate:.0f} req/s; CPU per "
                    f"request ratio {cpu_ratio:.2f}x; "
                    + (
                        "the baseline opens a client and a connection per request"
                        if comparison.baseline == "new httpx.AsyncClient per call"
                        else f"same warm-up, {settings.concurrency} pooled connections each"
                    ),
                }
            )
    return rows


def main() -> None:
    """Parse arguments, start both servers, benchmark, stop them."""
    parser = argparse.ArgumentParser(description="Dhis2Client throughput against bare clients.")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DATA, help="stand-in data dir (v42)")
    parser.add_argument("--only", choices=("stand-in", "trivial"), help="one target only")
    parser.add_argument("--rows", type=Path, help="append one JSON line per comparison here")
    args = parser.parse_args()
    settings = Settings(args.requests, args.concurrency, args.rounds)
    standin = start_standin(args.data)
    trivial = TrivialServer.start(args.data / "system-info.json")
    try:
        targets = [standin_target(standin), trivial_target(trivial)]
        targets = [t for t in targets if args.only in (None, t.name)]
        samples = asyncio.run(run(targets, settings))
        rows = report(targets, samples, settings)
    finally:
        trivial.stop()
        standin.stop()
    if args.rows is not None:
        with args.rows.open("a", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
