"""Dhis2Client against the DHIS2 stand-in over real loopback HTTP.

Version dispatch on real system-info bodies, every auth kind, the shared OAuth2 refresh, retries
on injected faults, timeouts, a 10,000-call burst through a 10-connection pool, streaming a
large body in flat memory, and background jobs, each on both connection pools (``backend``).
Delays are asserted from an injected sleep, never from the wall clock.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tracemalloc
from pathlib import Path

import httpx
import psutil
import pytest

from dhis2_sdk import (
    AuthenticationError,
    BasicAuth,
    Dhis2Client,
    Dhis2TimeoutError,
    Dhis2TransportError,
    NotFoundError,
    OAuth2Auth,
    OAuth2FlowError,
    PatAuth,
    RetryPolicy,
    ServerError,
    TaskError,
    TokenEndpointError,
    UnsupportedVersionError,
)
from dhis2_sdk.runtime._client import Backend
from dhis2_sdk.v42 import Dhis2Client as V42Client
from dhis2_standin.faults import Fault
from dhis2_standin.launcher import RunningStandin
from tests.conftest import StandinFactory
from tests.paths import SHARED_DHIS2

pytestmark = pytest.mark.anyio


class Sleeps:
    """Records requested delays instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def data_dir_with_version(tmp_path: Path, source: str, version: str) -> Path:
    """A copy of a recorded data dir whose system info reports ``version``."""
    target = tmp_path / f"dhis2-{version}"
    target.mkdir()
    shutil.copy(SHARED_DHIS2 / source / "schemas.json", target / "schemas.json")
    info = json.loads((SHARED_DHIS2 / source / "system-info.json").read_text())
    info["version"] = version
    (target / "system-info.json").write_text(json.dumps(info))
    return target


def pat_client(
    server: RunningStandin, backend: Backend, **kwargs: bool | str | None
) -> Dhis2Client:
    version = kwargs.get("version")
    return Dhis2Client(
        server.base_url,
        auth=PatAuth(server.pat),
        allow_version_fallback=bool(kwargs.get("fallback", False)),
        version=version if isinstance(version, str) else None,
        backend=backend,
    )


# -- version dispatch -------------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["v41", "v42", "v43"])
async def test_exact_version_from_recorded_system_info(
    backend: Backend, standin_factory: StandinFactory, folder: str
) -> None:
    server = standin_factory(SHARED_DHIS2 / folder)
    raw = json.loads((SHARED_DHIS2 / folder / "system-info.json").read_text())["version"]
    async with pat_client(server, backend) as client:
        assert (client.version_key, client.raw_version) == (folder, raw)
        assert len(client.models) > 50


async def test_newer_server_falls_back_only_when_allowed(
    backend: Backend, standin_factory: StandinFactory, tmp_path: Path
) -> None:
    server = standin_factory(data_dir_with_version(tmp_path, "v43", "2.44.0"))
    async with pat_client(server, backend, fallback=True) as client:
        assert (client.version_key, client.raw_version) == ("v43", "2.44.0")
    client = pat_client(server, backend)
    with pytest.raises(UnsupportedVersionError) as info:
        await client.connect()
    assert "Pass allow_version_fallback=True to use the nearest lower version (v43)" in str(
        info.value
    )
    assert not client.is_connected


@pytest.mark.parametrize("fallback", [False, True])
async def test_older_server_is_unsupported(
    backend: Backend, standin_factory: StandinFactory, tmp_path: Path, fallback: bool
) -> None:
    server = standin_factory(data_dir_with_version(tmp_path, "v42", "2.40.0"))
    with pytest.raises(UnsupportedVersionError, match="oldest version this SDK supports is v41"):
        await pat_client(server, backend, fallback=fallback).connect()


async def test_pinned_clients(backend: Backend, standin_factory: StandinFactory) -> None:
    v42_server = standin_factory(SHARED_DHIS2 / "v42")
    async with V42Client(
        v42_server.base_url, auth=PatAuth(v42_server.pat), backend=backend
    ) as client:
        assert client.version_key == "v42"
    v43_server = standin_factory(SHARED_DHIS2 / "v43")
    with pytest.raises(UnsupportedVersionError, match="pinned to v42, but the server runs"):
        await V42Client(
            v43_server.base_url, auth=PatAuth(v43_server.pat), backend=backend
        ).connect()
    async with pat_client(v43_server, backend, version="v42", fallback=True) as client:
        assert (client.version_key, client.raw_version) == ("v42", "2.43-SNAPSHOT")


# -- auth ---------------------------------------------------------------------------------------


async def test_every_auth_kind_reaches_api_me(backend: Backend, standin: RunningStandin) -> None:
    auths: list[httpx.Auth] = [
        BasicAuth(standin.username, standin.password),
        PatAuth(standin.pat),
        OAuth2Auth(
            standin.client_id,
            standin.client_secret,
            username=standin.username,
            password=standin.password,
        ),
        OAuth2Auth(standin.client_id, standin.client_secret),
    ]
    for auth in auths:
        async with Dhis2Client(standin.base_url, auth=auth, backend=backend) as client:
            me = await client.system.me()
            assert me.username == standin.username, auth
    assert standin.stats().tokens_issued == 2


async def test_wrong_credentials_raise_without_secrets(
    backend: Backend, standin: RunningStandin
) -> None:
    secret = "not-the-password-42"
    with pytest.raises(AuthenticationError) as info:
        await Dhis2Client(
            standin.base_url, auth=BasicAuth(standin.username, secret), backend=backend
        ).connect()
    assert info.value.status_code == 401
    assert secret not in str(info.value)
    assert secret not in repr(info.value)
    with pytest.raises(OAuth2FlowError) as flow:
        await Dhis2Client(
            standin.base_url,
            auth=OAuth2Auth(standin.client_id, secret, username="admin", password=secret),
            backend=backend,
        ).connect()
    assert secret not in str(flow.value)


def password_grant(standin: RunningStandin, clock: Clock) -> OAuth2Auth:
    return OAuth2Auth(
        standin.client_id,
        standin.client_secret,
        username=standin.username,
        password=standin.password,
        clock=clock,
    )


async def test_fifty_requests_with_an_expired_token_share_one_refresh(
    backend: Backend,
    standin: RunningStandin,
) -> None:
    clock = Clock()
    auth = password_grant(standin, clock)
    async with Dhis2Client(standin.base_url, auth=auth, backend=backend) as client:
        clock.now += 7200  # past the stand-in's 3600 s lifetime
        users = await asyncio.gather(*(client.system.me() for _ in range(50)))
    assert {user.username for user in users} == {standin.username}
    stats = standin.stats()
    assert (stats.tokens_issued, stats.tokens_refreshed) == (1, 1)


async def test_fifty_requests_rejected_with_401_share_one_refresh(
    backend: Backend, standin: RunningStandin
) -> None:
    auth = OAuth2Auth(
        standin.client_id, standin.client_secret, username="admin", password=standin.password
    )
    async with Dhis2Client(standin.base_url, auth=auth, backend=backend) as client:
        assert standin.expire_tokens() == 1  # the client still believes its token is fresh
        users = await asyncio.gather(*(client.system.me() for _ in range(50)))
    assert len(users) == 50
    stats = standin.stats()
    assert (stats.tokens_issued, stats.tokens_refreshed) == (1, 1)


async def test_fifty_requests_share_one_attempt_at_a_hanging_token_endpoint(
    backend: Backend, standin: RunningStandin
) -> None:
    clock = Clock()
    auth = password_grant(standin, clock)
    async with Dhis2Client(standin.base_url, auth=auth, timeout=0.5, backend=backend) as client:
        standin.set_faults(Fault("stall", count=None, path="/uaa/oauth/token", seconds=60.0))
        clock.now += 7200  # the token expired: every request needs the refresh
        results = await asyncio.gather(
            *(client.system.me() for _ in range(50)), return_exceptions=True
        )
    stats = standin.stats()
    assert stats.requests["POST /uaa/oauth/token"] == 2  # the first token, one shared attempt
    assert stats.faults_fired == {"stall": 1}
    assert {type(result) for result in results} == {TokenEndpointError}
    assert {str(result) for result in results} == {
        f"The OAuth2 token endpoint {standin.token_url} did not answer the refresh_token grant "
        "(ReadTimeout: the answer was not complete 0.5s after the request was sent; timeout= "
        "bounds each attempt from its first byte sent to its last byte read). Check token_url "
        "and that the server is reachable from here; if it is only slow, raise timeout=."
    }


# -- retries and timeouts -------------------------------------------------------------------


def retrying_client(
    server: RunningStandin,
    backend: Backend,
    sleeps: Sleeps,
    max_attempts: int = 3,
    timeout: float = 30.0,
) -> Dhis2Client:
    policy = RetryPolicy(max_attempts=max_attempts, jitter=False, sleep=sleeps)
    return Dhis2Client(
        server.base_url,
        auth=PatAuth(server.pat),
        retry_policy=policy,
        timeout=timeout,
        backend=backend,
    )


async def test_fails_twice_then_succeeds(backend: Backend, standin: RunningStandin) -> None:
    sleeps = Sleeps()
    async with retrying_client(standin, backend, sleeps) as client:
        standin.set_faults(Fault("error", count=2, path="/api/me", status=503))
        assert (await client.system.me()).username == "admin"
    assert sleeps.delays == [0.5, 1.0]
    assert standin.stats().requests["GET /api/me"] == 3


async def test_gives_up_after_max_attempts(backend: Backend, standin: RunningStandin) -> None:
    sleeps = Sleeps()
    async with retrying_client(standin, backend, sleeps, max_attempts=4) as client:
        standin.set_faults(Fault("error", count=10, path="/api/me", status=502))
        with pytest.raises(ServerError) as info:
            await client.system.me()
    assert info.value.status_code == 502
    assert sleeps.delays == [0.5, 1.0, 2.0]
    assert standin.stats().requests["GET /api/me"] == 4


async def test_dropped_connections_are_retried_for_get(
    backend: Backend, standin: RunningStandin
) -> None:
    sleeps = Sleeps()
    async with retrying_client(standin, backend, sleeps) as client:
        standin.set_faults(Fault("drop", count=2, path="/api/me"))
        assert (await client.system.me()).username == "admin"
    assert len(sleeps.delays) == 2


@pytest.mark.parametrize(
    "fault",
    [
        Fault("error", count=1, path="/api/metadata", method="POST", status=503),
        Fault("drop", count=1, path="/api/metadata", method="POST"),
    ],
)
async def test_post_is_not_retried_after_the_body_was_sent(
    backend: Backend, standin: RunningStandin, fault: Fault
) -> None:
    sleeps = Sleeps()
    async with retrying_client(standin, backend, sleeps) as client:
        standin.set_faults(fault)
        with pytest.raises((ServerError, Dhis2TransportError)):
            await client.post_raw("/api/metadata", json={"dataElements": []})
    assert sleeps.delays == []
    assert standin.stats().requests.get("POST /api/metadata", 0) <= 1


async def test_retry_after_is_honoured(backend: Backend, standin: RunningStandin) -> None:
    sleeps = Sleeps()
    async with retrying_client(standin, backend, sleeps) as client:
        standin.set_faults(Fault("rate_limit", count=2, path="/api/me", retry_after=7))
        assert (await client.system.me()).username == "admin"
    assert sleeps.delays == [7.0, 7.0]


async def test_a_stalled_server_times_out(backend: Backend, standin: RunningStandin) -> None:
    sleeps = Sleeps()
    async with retrying_client(standin, backend, sleeps, max_attempts=1, timeout=0.3) as client:
        standin.set_faults(Fault("stall", count=1, path="/api/me", seconds=10.0))
        with pytest.raises(Dhis2TimeoutError) as info:
            await client.system.me()
    assert str(info.value).startswith(f"GET {standin.base_url}/api/me failed: ReadTimeout")


# -- volume ---------------------------------------------------------------------------------


@pytest.mark.slow
async def test_ten_thousand_calls_through_ten_connections(
    backend: Backend, standin: RunningStandin
) -> None:
    # The stand-in also counts the launcher's own control connection; it is open already.
    baseline = standin.stats().connections_open
    client = Dhis2Client(
        standin.base_url,
        auth=PatAuth(standin.pat),
        http_limits=httpx.Limits(max_connections=10),
        backend=backend,
    )
    async with client:
        results = await asyncio.gather(*(client.get_raw("/api/system/info") for _ in range(10_000)))
    assert len(results) == 10_000
    assert all(result["version"] == client.raw_version for result in results)
    stats = standin.stats()
    assert stats.connections_peak - baseline <= 10
    assert stats.requests["GET /api/system/info"] == 10_001


async def test_streaming_a_large_body_keeps_memory_flat(
    backend: Backend, standin: RunningStandin
) -> None:
    size = 128 * 1024 * 1024
    process = psutil.Process()
    received = 0
    checksum_ok = True
    async with Dhis2Client(standin.base_url, auth=PatAuth(standin.pat), backend=backend) as client:
        rss_before = process.memory_info().rss
        tracemalloc.start()
        try:
            stream = client.stream("/__standin__/blob", params={"size": size})
            async with stream as body:
                assert body.response.headers["content-type"] == "application/octet-stream"
                async for chunk in body:
                    if chunk and chunk[0] != received % 256:
                        checksum_ok = False
                    received += len(chunk)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        rss_growth = process.memory_info().rss - rss_before
    assert received == size
    assert checksum_ok
    assert peak < 8 * 1024 * 1024, peak
    assert rss_growth < 48 * 1024 * 1024, rss_growth


async def test_stream_as_plain_async_iterator_releases_the_connection(
    backend: Backend,
    standin: RunningStandin,
) -> None:
    client = Dhis2Client(
        standin.base_url,
        auth=PatAuth(standin.pat),
        http_limits=httpx.Limits(max_connections=1),
        backend=backend,
    )
    async with client:
        for _ in range(3):  # would deadlock on the single permit if a stream leaked it
            total = 0
            async for chunk in client.stream("/__standin__/blob", params={"size": 100_000}):
                total += len(chunk)
            assert total == 100_000
        with pytest.raises(NotFoundError):
            async for _ in client.stream("/api/nothingHere/abc"):
                pass
        assert (await client.system.me()).username == "admin"


# -- jobs -----------------------------------------------------------------------------------


async def test_start_a_job_and_await_its_completion(
    backend: Backend, standin_factory: StandinFactory
) -> None:
    server = standin_factory(job_duration=0.3)
    async with pat_client(server, backend) as client:
        ref = await client.tasks.start("/api/resourceTables/analytics")
        done = await client.tasks.await_completion(ref, poll_interval=0.05, timeout=30)
    assert done.final.completed
    assert done.final.message is not None
    assert done.final.message.startswith("Analytics tables updated")
    assert server.stats().jobs_started == 1


async def test_a_failing_job_raises(backend: Backend, standin_factory: StandinFactory) -> None:
    server = standin_factory(job_duration=0.2, faults=["job_error"])
    async with pat_client(server, backend) as client:
        ref = await client.tasks.start("/api/resourceTables/analytics")
        with pytest.raises(TaskError, match=r"DHIS2 job ANALYTICS_TABLE \w+ failed"):
            await client.tasks.await_completion(ref, poll_interval=0.05, timeout=30)
