"""Dhis2Client against a mock transport: lifecycle, raw and typed calls, errors, dispatch."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from pydantic import BaseModel

from dhis2_sdk import (
    Dhis2Client,
    Dhis2TimeoutError,
    Dhis2TransportError,
    NotConnectedError,
    NotFoundError,
    PatAuth,
    RetryPolicy,
    SystemInfo,
    UnsupportedVersionError,
    v42,
)
from dhis2_sdk.v42 import Dhis2Client as V42Client
from tests.runtime.conftest import MockDhis2

pytestmark = pytest.mark.anyio

NO_RETRY = RetryPolicy(max_attempts=1)


def client_for(server: MockDhis2, **kwargs: bool | str | None) -> Dhis2Client:
    version = kwargs.get("version")
    return Dhis2Client(
        "http://dhis2.test",
        auth=PatAuth("d2pat_x"),
        transport=server.transport(),
        retry_policy=NO_RETRY,
        version=version if isinstance(version, str) else None,
        allow_version_fallback=bool(kwargs.get("fallback", False)),
    )


async def test_connect_detects_the_version_and_loads_models() -> None:
    server = MockDhis2("2.42.1")
    async with client_for(server) as client:
        assert client.version_key == "v42"
        assert client.raw_version == "2.42.1"
        assert client.models is v42.MODELS
        assert client.generated_version.raw_version == v42.RAW_VERSION
    assert not client.is_connected


async def test_connect_twice_refreshes_the_info_and_keeps_the_pool() -> None:
    server = MockDhis2("2.42.1")
    client = client_for(server, fallback=True)
    await client.connect()
    http_before = client.is_connected
    server.server_version = "2.43.2"
    await client.connect()
    assert http_before
    assert client.is_connected
    assert (client.version_key, client.raw_version) == ("v43", "2.43.2")
    assert server.paths() == ["/api/system/info", "/api/system/info"]
    await client.close()
    await client.close()


async def test_fallback_to_nearest_lower_version() -> None:
    async with client_for(MockDhis2("2.44.0"), fallback=True) as client:
        assert (client.version_key, client.raw_version) == ("v43", "2.44.0")


async def test_unsupported_version_closes_the_pool() -> None:
    client = client_for(MockDhis2("2.44.0"))
    with pytest.raises(UnsupportedVersionError, match="Pass allow_version_fallback=True"):
        await client.connect()
    assert not client.is_connected
    with pytest.raises(UnsupportedVersionError, match="oldest version this SDK supports is v41"):
        async with client_for(MockDhis2("2.40.0"), fallback=True):
            pass


async def test_version_argument_pins() -> None:
    async with client_for(MockDhis2("2.42.1"), version="42") as client:
        assert client.pinned_version == "v42"
        assert client.version_key == "v42"
    with pytest.raises(UnsupportedVersionError, match="pinned to v41, but the server runs"):
        await client_for(MockDhis2("2.42.1"), version="v41").connect()


async def test_generated_subclass_is_pinned() -> None:
    assert V42Client.PINNED_VERSION == "v42"
    server = MockDhis2("2.42.4-SNAPSHOT")
    async with V42Client("http://dhis2.test", transport=server.transport()) as client:
        assert client.version_key == "v42"
    server = MockDhis2("2.43.0")
    with pytest.raises(UnsupportedVersionError, match="pinned to v42"):
        await V42Client("http://dhis2.test", transport=server.transport()).connect()
    fallback = V42Client(
        "http://dhis2.test", transport=server.transport(), allow_version_fallback=True
    )
    async with fallback as client:
        assert (client.version_key, client.raw_version) == ("v42", "2.43.0")
    with pytest.raises(
        ValueError, match=r"generated for v42; for v43 use dhis2_sdk\.v43\.Dhis2Client"
    ):
        V42Client("http://dhis2.test", version="v43")


async def test_requests_need_a_connection() -> None:
    client = client_for(MockDhis2())
    with pytest.raises(NotConnectedError, match=r"await client\.connect\(\)"):
        await client.get_raw("/api/me")
    with pytest.raises(NotConnectedError):
        _ = client.models


async def test_raw_methods_send_params_and_json() -> None:
    server = MockDhis2()
    server.json("GET", "/api/dataElements", {"dataElements": [{"id": "a"}], "pager": {"page": 1}})
    server.json("POST", "/api/metadata", {"status": "OK"})
    server.json("PUT", "/api/dataElements/a", {"status": "OK"})
    server.json("PATCH", "/api/dataElements/a", {"status": "OK"})
    server.route("DELETE", "/api/dataElements/a", lambda _r: httpx.Response(204))
    async with client_for(server) as client:
        got = await client.get_raw(
            "/api/dataElements",
            params={"fields": "id,name", "filter": ["a:eq:1", "b:eq:2"], "paging": False},
        )
        assert got == {"dataElements": [{"id": "a"}], "pager": {"page": 1}}
        assert await client.post_raw("/api/metadata", json={"dataElements": []}) == {"status": "OK"}
        assert await client.put_raw("/api/dataElements/a", json={"name": "A"}) == {"status": "OK"}
        patch = [{"op": "replace", "path": "/name", "value": "B"}]
        assert await client.patch_raw("/api/dataElements/a", json=patch) == {"status": "OK"}
        assert await client.delete_raw("/api/dataElements/a") == {}
    get, post, put, patch_request, delete = server.requests[1:]
    assert str(get.url) == (
        "http://dhis2.test/api/dataElements?fields=id%2Cname&filter=a%3Aeq%3A1&filter=b%3Aeq%3A2&paging=false"
    )
    assert json.loads(post.content) == {"dataElements": []}
    assert json.loads(put.content) == {"name": "A"}
    assert patch_request.headers["Content-Type"] == "application/json-patch+json"
    assert json.loads(patch_request.content) == patch
    assert delete.method == "DELETE"


async def test_non_object_roots_are_wrapped() -> None:
    server = MockDhis2()
    server.json("GET", "/api/system/tasks/ANALYTICS_TABLE/abc", [{"completed": True}])
    server.route("GET", "/api/system/ping", lambda _r: httpx.Response(200, text="pong"))
    async with client_for(server) as client:
        assert await client.get_raw("/api/system/tasks/ANALYTICS_TABLE/abc") == {
            "data": [{"completed": True}]
        }
        assert await client.get_raw("/api/system/ping") == {"data": "pong"}


class Pager(BaseModel):
    page: int
    total: int


async def test_typed_get_validates_the_body() -> None:
    server = MockDhis2()
    server.json("GET", "/api/pager", {"page": 2, "total": 40})
    async with client_for(server) as client:
        pager = await client.get("/api/pager", model=Pager)
        info = await client.get("/api/system/info", model=SystemInfo)
    assert pager == Pager(page=2, total=40)
    assert info.version == "2.42.4-SNAPSHOT"


async def test_pydantic_models_are_sent_by_alias() -> None:
    server = MockDhis2()
    server.json("POST", "/api/echo", {})
    async with client_for(server) as client:
        await client.post_raw(
            "/api/echo", json=SystemInfo.model_validate({"version": "2.42.1", "systemName": "S"})
        )
    assert json.loads(server.requests[-1].content) == {"version": "2.42.1", "systemName": "S"}


async def test_error_status_raises_mapped_error() -> None:
    server = MockDhis2()
    async with client_for(server) as client:
        with pytest.raises(NotFoundError) as info:
            await client.get_raw("/api/nothing")
    assert str(info.value).startswith(
        "GET http://dhis2.test/api/nothing failed with 404: No route GET /api/nothing\n"
    )


@pytest.mark.parametrize(
    ("exc", "cls", "hint"),
    [
        (httpx.ConnectError, Dhis2TransportError, "Could not connect: check base_url"),
        (httpx.ReadTimeout, Dhis2TimeoutError, "raise timeout= (seconds)"),
        (httpx.ConnectTimeout, Dhis2TimeoutError, "raise connect_timeout"),
        (httpx.RemoteProtocolError, Dhis2TransportError, "retried by RetryPolicy"),
    ],
)
async def test_transport_errors_are_wrapped(
    exc: type[httpx.TransportError], cls: type[Dhis2TransportError], hint: str
) -> None:
    server = MockDhis2()

    def fail(request: httpx.Request) -> httpx.Response:
        raise exc("boom", request=request)

    server.route("GET", "/api/me", fail)
    async with client_for(server) as client:
        with pytest.raises(cls) as info:
            await client.get_raw("/api/me")
    assert type(info.value) is cls
    assert isinstance(info.value.__cause__, exc)
    assert str(info.value).startswith(
        f"GET http://dhis2.test/api/me failed: {exc.__name__}: boom\n"
    )
    assert hint in str(info.value)


async def test_system_info_is_cached_and_me_is_typed() -> None:
    server = MockDhis2()
    server.json(
        "GET",
        "/api/me",
        {
            "id": "xE7jOejl9FI",
            "username": "admin",
            "authorities": ["ALL"],
            "userRoles": [{"id": "UYXOT4A7JMI"}],
        },
    )
    async with client_for(server) as client:
        first = await client.system.info()
        second = await client.system.info()
        me = await client.system.me()
    assert first is second
    assert server.paths().count("/api/system/info") == 1
    assert me.username == "admin"
    assert me.authorities == ["ALL"]
    assert me.user_roles[0].id == "UYXOT4A7JMI"


async def test_concurrency_is_capped_by_the_pool_size() -> None:
    in_flight = 0
    peak = 0
    info = MockDhis2()

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        if request.url.path == "/api/system/info":
            return info(request)
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.001)
        in_flight -= 1
        return httpx.Response(200, json={"ok": True})

    client = Dhis2Client(
        "http://dhis2.test",
        transport=httpx.MockTransport(handler),
        http_limits=httpx.Limits(max_connections=4),
    )
    async with client:
        results = await asyncio.gather(*(client.get_raw("/api/x") for _ in range(200)))
    assert results == [{"ok": True}] * 200
    assert peak == 4
