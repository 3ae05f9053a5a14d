"""``Dhis2Client(backend=...)``: choosing the pool, the error without aiohttp, and what the aiohttp
pool must do exactly as httpx's does (errors as httpx errors, compressed bodies decoded once,
cookies kept by the client, pool limits). The stand-in suites run every other case on both."""

from __future__ import annotations

import gzip
import json
import socket
import sys
from collections.abc import AsyncIterator
from typing import cast

import aiohttp
import httpx
import pytest
from aiohttp import web
from pydantic import SecretStr

from dhis2_sdk import (
    Dhis2Client,
    Dhis2TimeoutError,
    Dhis2TransportError,
    PatAuth,
    Profile,
    open_client,
)
from dhis2_sdk.runtime._aiohttp import AiohttpTransport, httpx_error, read_response
from dhis2_sdk.runtime._client import Backend
from dhis2_standin.launcher import RunningStandin
from tests.runtime.conftest import MockDhis2, recorded_system_info

pytestmark = pytest.mark.anyio
BASE = "https://dhis2.example.org"


def test_without_aiohttp_the_backend_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # what an environment without it sees
    with pytest.raises(ImportError) as info:
        Dhis2Client(BASE, backend="aiohttp")
    assert str(info.value) == (
        "backend='aiohttp' needs the aiohttp package, which is not installed: "
        "pip install 'dhis2-sdk[aiohttp]' (or use the default backend='httpx')."
    )
    assert Dhis2Client(BASE).backend == "httpx"  # the default needs nothing more


def test_an_unknown_backend_or_a_transport_with_a_backend_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^backend must be 'httpx' or 'aiohttp', got 'curl'$"):
        Dhis2Client(BASE, backend=cast(Backend, "curl"))
    with pytest.raises(ValueError, match=r"^transport= replaces the network, so backend="):
        Dhis2Client(BASE, backend="aiohttp", transport=MockDhis2().transport())


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (aiohttp.ConnectionTimeoutError("connect"), httpx.ConnectTimeout),
        (aiohttp.SocketTimeoutError("read"), httpx.ReadTimeout),
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (aiohttp.ClientPayloadError("cut body"), httpx.RemoteProtocolError),
        (aiohttp.ClientOSError(104, "reset"), httpx.ReadError),
        (aiohttp.InvalidURL("x"), httpx.UnsupportedProtocol),
        (aiohttp.ClientError("other"), httpx.TransportError),
    ],
)
def test_aiohttp_errors_become_thehttpx_errors_the_retry_layer_knows(
    error: aiohttp.ClientError, expected: type[httpx.TransportError]
) -> None:
    request = httpx.Request("GET", f"{BASE}/api/me")
    mapped = httpx_error(error, request)
    assert type(mapped) is expected
    assert mapped.request is request
    assert (str(mapped) == "") is isinstance(error, TimeoutError)  # as httpcore's timeouts


async def test_a_refused_connection_is_a_transport_error_with_advice(backend: Backend) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = Dhis2Client(
        f"http://127.0.0.1:{port}", auth=PatAuth("d2pat_x"), connect_timeout=5, backend=backend
    )
    with pytest.raises(Dhis2TransportError) as info:
        await client.connect()
    assert not isinstance(info.value, Dhis2TimeoutError)
    assert str(info.value).startswith(f"GET http://127.0.0.1:{port}/api/system/info failed: Con")
    assert "Could not connect: check base_url" in str(info.value)


async def test_open_client_takes_the_backend(backend: Backend, standin: RunningStandin) -> None:
    profile = Profile(base_url=standin.base_url, auth="pat", token=SecretStr(standin.pat))
    async with open_client(profile, backend=backend) as client:
        assert client.backend == backend
        assert (await client.system.me()).username == standin.username


# -- a small aiohttp server for what the stand-in does not do: gzip bodies and cookies -----------


async def _system_info(request: web.Request) -> web.Response:
    info = recorded_system_info("v42")
    body = gzip.compress(json.dumps(info).encode())
    response = web.Response(body=body, content_type="application/json")
    response.headers["Content-Encoding"] = "gzip"
    response.set_cookie("JSESSIONID", "s1")
    return response


async def _echo_cookie(request: web.Request) -> web.Response:
    return web.json_response({"cookie": request.headers.get("Cookie")})


async def _echo_body(request: web.Request) -> web.Response:
    headers = request.headers
    body = await request.read()
    return web.json_response(
        {k: headers.get(k) for k in ("Content-Type", "User-Agent")} | {"body": body.decode()}
    )


@pytest.fixture
async def little_server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/api/system/info", _system_info)
    app.router.add_get("/api/echo", _echo_cookie)
    app.router.add_post("/api/echo", _echo_body)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}"
    await runner.cleanup()


async def test_gzip_bodies_are_decoded_once_and_cookies_kept(
    backend: Backend, little_server: str
) -> None:
    async with Dhis2Client(little_server, auth=PatAuth("d2pat_x"), backend=backend) as client:
        assert client.raw_version == recorded_system_info("v42")["version"]  # gunzipped JSON
        assert await client.get_raw("/api/echo") == {"cookie": "JSESSIONID=s1"}


async def test_the_aiohttp_pool_is_sized_by_http_limits(little_server: str) -> None:
    transport = AiohttpTransport(httpx.Limits(max_connections=3, keepalive_expiry=7.0))
    async with httpx.AsyncClient(transport=transport) as http:
        response = await http.get(f"{little_server}/api/echo")
        assert response.json() == {"cookie": None}
        session = transport.session
        assert session is not None
        assert session.connector is not None
        assert (session.connector.limit, session.connector.limit_per_host) == (3, 0)
    assert session.closed
    assert transport.session is None


async def test_the_aiohttp_pool_sends_the_request_httpx_built(little_server: str) -> None:
    """No Content-Type or User-Agent of aiohttp's own when the httpx request has its own."""
    transport = AiohttpTransport(httpx.Limits())
    async with httpx.AsyncClient(transport=transport, headers={"User-Agent": "me"}) as http:
        untyped = await http.post(f"{little_server}/api/echo", content=b"raw")
        typed = await http.post(f"{little_server}/api/echo", json={"a": 1})
    assert untyped.json() == {"Content-Type": None, "User-Agent": "me", "body": "raw"}
    assert typed.json() == {
        "Content-Type": "application/json",
        "User-Agent": "me",
        "body": '{"a":1}',
    }


@pytest.mark.parametrize(
    ("headers", "content"),
    [
        ([(b"Content-Type", b"application/json")], b'{"version": "2.42.4"}'),
        ([(b"Content-Type", b"text/plain; charset=latin-1"), (b"X-A", b"1")], b"caf\xe9"),
        ([], b""),
    ],
)
async def test_a_body_read_at_once_is_the_response_httpx_reads(
    headers: list[tuple[bytes, bytes]], content: bytes
) -> None:
    """The aiohttp pool fills in a read response itself instead of running httpx's read(): every
    public attribute must be what read() leaves (this fails if httpx renames what it fills)."""
    extensions = {"http_version": b"HTTP/1.1", "reason_phrase": b"OK"}
    ours = read_response(200, headers, content, extensions)
    theirs = httpx.Response(
        200, headers=headers, stream=httpx.ByteStream(content), extensions=extensions
    )
    theirs.read()

    def public(response: httpx.Response) -> tuple[object, ...]:
        return (
            response.status_code,
            response.headers.multi_items(),
            response.content,
            response.text,
            response.encoding,
            response.is_closed,
            response.is_stream_consumed,
            response.num_bytes_downloaded,
            response.http_version,
            response.reason_phrase,
            response.extensions,
        )

    assert public(ours) == public(theirs)
    assert await ours.aread() == content  # reading again gives the body, as after read()
    assert b"".join(ours.iter_bytes()) == content
    assert b"".join([chunk async for chunk in ours.aiter_bytes()]) == content
