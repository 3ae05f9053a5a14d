"""Bodies and time limits the client enforces against hostile servers (issue 9): a bounded body
size (gzip bombs included, error bodies too), bounded ``stream()`` chunks, ``timeout=`` over a
whole attempt, cut bodies retried like dropped connections, and a retried 503 keeping its
connection. Each test failed before its fix. Attacks ``httpx.MockTransport`` cannot play (bytes
dripped, a body cut off, a kept connection) run against ``ScriptedServer`` on a real socket."""

from __future__ import annotations

import asyncio
import gzip
import json
import tracemalloc
from typing import TYPE_CHECKING

import httpx
import pytest

from dhis2_sdk import (
    DEFAULT_MAX_BODY_SIZE,
    BasicAuth,
    Dhis2Client,
    Dhis2TimeoutError,
    Dhis2TransportError,
    ResponseShapeError,
    ResponseTooLargeError,
    RetryPolicy,
)
from dhis2_sdk.runtime._bodies import BodyTransport
from tests.runtime.conftest import MockDhis2
from tests.runtime.scripted_server import (
    Exchange,
    Reply,
    ScriptedServer,
    answer,
    cut_off,
    drip,
)

if TYPE_CHECKING:
    from dhis2_sdk.runtime._client import Backend

pytestmark = pytest.mark.anyio
BASE = "https://dhis2.example.org"
MiB = 1024 * 1024


class Sleeps:
    """Records the delays between attempts instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def json_of_size(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes."""
    return b'{"data": "' + b"0" * (size - 12) + b'"}'


def gzipped(status: int, body: bytes) -> httpx.Response:
    """An answer whose body is still compressed, as a server sends it (not read yet)."""
    headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    return httpx.Response(status, headers=headers, stream=httpx.ByteStream(gzip.compress(body)))


def mock_client(mock: MockDhis2, *, max_body_size: int) -> Dhis2Client:
    return Dhis2Client(
        BASE,
        auth=BasicAuth("admin", "district"),
        transport=mock.transport(),
        retry_policy=RetryPolicy(max_attempts=1),
        max_body_size=max_body_size,
    )


def socket_client(
    server: ScriptedServer,
    sleeps: Sleeps,
    *,
    max_attempts: int = 3,
    timeout: float = 30.0,
    backend: Backend = "httpx",
) -> Dhis2Client:
    policy = RetryPolicy(max_attempts=max_attempts, jitter=False, sleep=sleeps)
    return Dhis2Client(server.base_url, retry_policy=policy, timeout=timeout, backend=backend)


# -- 1. body size ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 500])
async def test_a_gzip_bomb_stops_at_max_body_size_without_inflating_the_rest(status: int) -> None:
    mock = MockDhis2()
    bomb = json_of_size(32 * MiB)  # 32 KiB on the wire
    mock.route("GET", "/api/bomb", lambda _r: gzipped(status, bomb))
    async with mock_client(mock, max_body_size=MiB) as client:
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError) as caught:
                await client.get_raw("/api/bomb")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert str(caught.value) == (
        f"GET {BASE}/api/bomb answered {status} with a body larger than max_body_size=1048576 "
        "bytes (1 MiB) once decompressed; reading stopped there. If such a body is expected, "
        "pass a larger Dhis2Client(max_body_size=...), or read it piece by piece with "
        "client.stream(path), which holds no whole body in memory."
    )
    assert isinstance(caught.value, ResponseShapeError)
    assert (caught.value.limit, caught.value.status_code) == (MiB, status)
    assert peak < 4 * MiB, peak  # the limit plus a few pieces, never the 32 MiB


def piecewise(body: bytes, headers: dict[str, str]) -> Reply:
    """A 200 with ``body``'s length, written 64 KiB at a time (so that the server's own send
    buffer never holds the whole body: the test measures the client's memory)."""

    async def reply(exchange: Exchange) -> bool:
        exchange.head(200, {"Content-Length": str(len(body)), **headers})
        for start in range(0, len(body), 64 * 1024):
            if not await exchange.body(body[start : start + 64 * 1024]):
                return False
        return True

    return reply


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
async def test_a_body_over_the_limit_from_a_socket_is_never_held_whole(
    encoding: str, backend: Backend
) -> None:
    """On both connection pools, over a real socket: a gzip bomb and a plain body announced
    larger than the limit stop at ``max_body_size`` (the aiohttp pool reads small plain bodies
    at once, but never one over the limit, and never inflates one whole)."""
    body = json_of_size(16 * MiB)
    headers = {"Content-Type": "application/json"}
    if encoding == "gzip":
        body, headers = gzip.compress(body), {**headers, "Content-Encoding": "gzip"}
    policy = RetryPolicy(max_attempts=1)
    async with (
        ScriptedServer([piecewise(body, headers)]) as server,
        Dhis2Client(
            server.base_url, retry_policy=policy, max_body_size=MiB, backend=backend
        ) as client,
    ):
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError):
                await client.get_raw("/api/bomb")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 4 * MiB, peak  # the limit plus a few pieces, never the 16 MiB


@pytest.mark.parametrize("read_already", [False, True], ids=["streamed-in", "in-memory"])
async def test_a_body_of_exactly_max_body_size_is_read_one_byte_more_is_not(
    read_already: bool,
) -> None:
    mock = MockDhis2()

    def body_of(size: int) -> httpx.Response:
        body = json_of_size(size)
        if read_already:
            return httpx.Response(200, content=body)
        return httpx.Response(200, stream=httpx.ByteStream(body))

    limit = 64 * 1024  # /api/system/info (3 KiB) must fit
    mock.route("GET", "/api/fits", lambda _r: body_of(limit))
    mock.route("GET", "/api/over", lambda _r: body_of(limit + 1))
    async with mock_client(mock, max_body_size=limit) as client:
        assert len((await client.get_raw("/api/fits"))["data"]) == limit - 12
        with pytest.raises(ResponseTooLargeError):
            await client.get_raw("/api/over")


def test_the_default_limit_and_a_wrong_one() -> None:
    assert 512 * MiB == DEFAULT_MAX_BODY_SIZE
    assert Dhis2Client(BASE).max_body_size == DEFAULT_MAX_BODY_SIZE
    with pytest.raises(ValueError, match=r"^max_body_size must be a positive number of bytes"):
        Dhis2Client(BASE, max_body_size=0)


async def test_stream_chunks_stay_small_when_one_network_chunk_inflates_to_megabytes() -> None:
    mock = MockDhis2()
    body = json_of_size(8 * MiB)
    mock.route("GET", "/api/export", lambda _r: gzipped(200, body))  # one 8 KiB network chunk
    async with mock_client(mock, max_body_size=MiB) as client:  # a stream has no size limit
        sizes = [len(chunk) async for chunk in client.stream("/api/export")]
        assert sum(sizes) == 8 * MiB
        assert max(sizes) <= 64 * 1024, max(sizes)
        async with client.stream("/api/export") as stream:
            assert "content-encoding" not in stream.response.headers  # it is decoded already


# -- 2. timeout= over a whole attempt ----------------------------------------------------------


async def test_a_server_dripping_bytes_times_out_after_timeout_per_attempt(
    backend: Backend,
) -> None:
    sleeps = Sleeps()
    body = json_of_size(100)  # 100 bytes x 0.05 s: 5 s per attempt, 10x the timeout
    async with (
        ScriptedServer([drip(body, 0.05)]) as server,
        socket_client(server, sleeps, max_attempts=2, timeout=0.5, backend=backend) as client,
    ):
        with pytest.raises(Dhis2TimeoutError) as caught:
            await client.get_raw("/api/dataElements")
    assert str(caught.value).startswith(
        f"GET {server.base_url}/api/dataElements failed: ReadTimeout: the answer was not "
        "complete 0.5s after the request was sent; timeout= bounds each attempt from its first "
        "byte sent to its last byte read"
    )
    assert server.requests == ["/api/dataElements"] * 2  # each attempt bounded, then retried
    assert sleeps.delays == [0.5]
    assert server.bytes_dripped < 2 * len(body)  # both attempts were cut short


async def test_timeout_counts_from_the_send_however_long_pool_and_connect_may_take(
    backend: Backend,
) -> None:
    # 100 bytes x 0.05 s is 5 s: within pool + connect + read (11 s), far over read (0.5 s).
    # Each pool must start the clock when the request goes out (aiohttp's sends at once).
    policy = RetryPolicy(max_attempts=1, jitter=False, sleep=Sleeps())
    async with ScriptedServer([drip(json_of_size(100), 0.05)]) as server:
        client = Dhis2Client(
            server.base_url,
            retry_policy=policy,
            timeout=0.5,
            connect_timeout=10.0,
            backend=backend,
        )
        async with client:
            with pytest.raises(Dhis2TimeoutError, match=r"ReadTimeout: the answer was not "):
                await client.get_raw("/api/dataElements")
    assert server.bytes_dripped < 30


class TracedTransport(httpx.AsyncBaseTransport):
    """Plays httpcore's ``trace`` events: connecting takes ``connecting`` seconds, then the
    answer ``answering`` seconds after the request headers went out."""

    def __init__(self, connecting: float, answering: float) -> None:
        self.connecting = connecting
        self.answering = answering

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        trace = request.extensions["trace"]
        await trace("connection.connect_tcp.started", {})
        await asyncio.sleep(self.connecting)
        await trace("connection.connect_tcp.complete", {})
        await trace("http11.send_request_headers.started", {})
        await asyncio.sleep(self.answering)
        return httpx.Response(200, json={"ok": True})


@pytest.mark.parametrize(
    ("connecting", "answering", "times_out"),
    [(0.8, 0.0, False), (0.0, 5.0, True)],
    ids=["slow-connect-is-connect_timeout's", "slow-answer-is-timeout's"],
)
async def test_timeout_starts_when_the_request_is_sent_connecting_keeps_connect_timeout(
    connecting: float, answering: float, times_out: bool
) -> None:
    # Connecting is httpcore's to bound (connect_timeout, per step): even past pool + connect +
    # read seconds it does not count against timeout=; the answer does, from the send on.
    limits = httpx.Timeout(0.2, connect=0.1)
    transport = BodyTransport(TracedTransport(connecting, answering), timeout=limits)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        if times_out:
            with pytest.raises(httpx.ReadTimeout, match=r"^the answer was not complete 0.2s"):
                await http.get("/api/me")
        else:
            assert (await http.get("/api/me")).json() == {"ok": True}


async def test_a_stream_body_is_bounded_by_the_per_read_timeout_only() -> None:
    body = json_of_size(20)  # 20 bytes x 0.05 s: twice the timeout, no read waits that long
    async with (
        ScriptedServer([drip(body, 0.05)]) as server,
        socket_client(server, Sleeps(), timeout=0.5) as client,
    ):
        received = b"".join([chunk async for chunk in client.stream("/api/export")])
    assert received == body


# -- 3. cut bodies -----------------------------------------------------------------------------


async def test_a_get_whose_body_is_cut_off_is_retried() -> None:
    sleeps = Sleeps()
    body = json_of_size(60)
    async with (
        ScriptedServer([cut_off(body, 20), answer(200, body)]) as server,
        socket_client(server, sleeps) as client,
    ):
        assert len((await client.get_raw("/api/me"))["data"]) == 60 - 12
    assert server.requests == ["/api/me", "/api/me"]
    assert sleeps.delays == [0.5]


@pytest.mark.parametrize(("method", "attempts"), [("GET", 3), ("POST", 1)])
async def test_a_body_cut_off_every_time_is_a_transport_error_saying_so(
    method: str, attempts: int
) -> None:
    sleeps = Sleeps()
    async with (
        ScriptedServer([cut_off(json_of_size(60), 20)]) as server,
        socket_client(server, sleeps) as client,
    ):
        with pytest.raises(Dhis2TransportError) as caught:
            await client.request(method, "/api/me", json={} if method == "POST" else None)
    assert not isinstance(caught.value, Dhis2TimeoutError)
    assert str(caught.value).startswith(
        f"{method} {server.base_url}/api/me failed: RemoteProtocolError: the response body was "
        "cut off after 20 bytes (peer closed connection without sending complete message body"
    )
    assert len(server.requests) == attempts  # a POST that may have been processed: sent once


# -- 4. a retried 503 keeps its connection -----------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True], ids=["get_raw", "stream"])
async def test_a_retried_503_reuses_the_kept_open_connection(streamed: bool) -> None:
    sleeps = Sleeps()
    error = json.dumps({"httpStatusCode": 503, "status": "ERROR", "message": "busy"}).encode()
    script = [answer(503, error), answer(200, b'{"ok": true}')]
    async with ScriptedServer(script) as server, socket_client(server, sleeps) as client:
        if streamed:
            body = b"".join([chunk async for chunk in client.stream("/api/me")])
        else:
            body = json.dumps(await client.get_raw("/api/me")).encode()
    assert json.loads(body) == {"ok": True}
    assert server.requests == ["/api/me", "/api/me"]
    assert server.connections == 1  # /api/system/info, the 503 and the 200 on one connection
