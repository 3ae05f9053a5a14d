"""Socket-level connection counts under concurrency, and a streamed body larger than 100 MB."""

from __future__ import annotations

import time

import anyio
import httpx
import psutil
import pytest

from dhis2_standin.faults import Fault
from dhis2_standin.launcher import RunningStandin

pytestmark = pytest.mark.anyio


async def _burst(client: httpx.AsyncClient, count: int) -> list[int]:
    statuses: list[int] = []

    async def one() -> None:
        statuses.append((await client.get("/me")).status_code)

    async with anyio.create_task_group() as group:
        for _ in range(count):
            group.start_soon(one)
    return statuses


def _settle(standin: RunningStandin, open_connections: int) -> int:
    deadline = time.monotonic() + 5
    while (
        now := standin.stats().connections_open
    ) > open_connections and time.monotonic() < deadline:
        time.sleep(0.02)
    return now


async def test_peak_counts_sockets_not_requests(standin: RunningStandin) -> None:
    baseline = standin.stats().connections_open  # the control client's own socket
    standin.set_faults(Fault("latency", count=None, ms=50))
    limits = httpx.Limits(max_connections=10)
    async with httpx.AsyncClient(
        base_url=standin.api_url, auth=standin.basic_auth, limits=limits
    ) as client:
        statuses = await _burst(client, 60)
    stats = standin.stats()
    assert statuses == [200] * 60
    assert stats.requests["GET /api/me"] == 60
    assert stats.connections_peak - baseline == 10
    assert _settle(standin, baseline) == baseline


async def test_hundreds_of_concurrent_connections(standin: RunningStandin) -> None:
    baseline = standin.stats().connections_open
    standin.set_faults(Fault("latency", count=None, ms=300))
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
    timeout = httpx.Timeout(30.0)
    async with httpx.AsyncClient(
        base_url=standin.api_url, auth=standin.basic_auth, limits=limits, timeout=timeout
    ) as client:
        statuses = await _burst(client, 300)
    assert statuses == [200] * 300
    assert standin.stats().connections_peak - baseline >= 250
    assert _settle(standin, baseline) == baseline


async def test_streams_a_large_body_without_buffering_it(standin: RunningStandin) -> None:
    size = 128 * 1024 * 1024
    pattern = bytes(range(256)) * 4096
    server = psutil.Process(standin.process.pid)
    rss_before = server.memory_info().rss
    received = 0
    async with (
        httpx.AsyncClient(base_url=standin.base_url, timeout=30.0) as client,
        client.stream("GET", "/__standin__/blob", params={"size": size}) as response,
    ):
        assert response.headers["content-length"] == str(size)
        async for chunk in response.aiter_raw():
            start = received % 256
            assert chunk == pattern[start : start + len(chunk)]
            received += len(chunk)
    assert received == size
    assert server.memory_info().rss - rss_before < 32 * 1024 * 1024
