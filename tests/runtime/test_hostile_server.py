"""The client against a hostile or broken server: credentials stay with their origin, bodies
that are not what the call expects raise typed SDK errors, and a pager that lies ends ``iterate``
with an error instead of a loop. Each case failed before its fix (issue: the client against
hostile servers)."""

from __future__ import annotations

import httpx
import pytest

from dhis2_sdk import (
    BasicAuth,
    CrossOriginError,
    Dhis2Client,
    PatAuth,
    ResponseShapeError,
)
from dhis2_sdk.v42 import DataElement
from tests.runtime.conftest import MockDhis2

pytestmark = pytest.mark.anyio
BASE = "https://dhis2.example.org"


def _client(mock: MockDhis2, auth: httpx.Auth | None = None) -> Dhis2Client:
    return Dhis2Client(
        BASE, auth=auth or BasicAuth("admin", "district"), transport=mock.transport()
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://other-host/x",
        "https://dhis2.example.org.evil.test/api/me",
        "http://dhis2.example.org/api/me",  # same host, other scheme
        "https://dhis2.example.org:8443/api/me",  # same host, other port
    ],
)
@pytest.mark.parametrize("auth", [BasicAuth("admin", "district"), PatAuth("d2pat_" + "a" * 42)])
async def test_credentials_are_never_sent_to_another_origin(url: str, auth: httpx.Auth) -> None:
    mock = MockDhis2()
    async with _client(mock, auth) as client:
        with pytest.raises(CrossOriginError) as caught:
            await client.get_raw(url)
    assert mock.paths() == ["/api/system/info"]  # nothing went out
    assert str(caught.value).startswith(f"Refusing GET {url}: it is not on {BASE}")


async def test_same_origin_absolute_urls_are_followed() -> None:
    mock = MockDhis2()
    mock.json("GET", "/api/dataElements", {"dataElements": [], "pager": {"page": 2}})
    async with _client(mock) as client:
        body = await client.get_raw(f"{BASE}/api/dataElements?page=2")
    assert body["pager"] == {"page": 2}


async def test_an_html_page_with_200_is_an_error_not_data() -> None:
    mock = MockDhis2()
    html = b"<!DOCTYPE html><html><body>Please log in</body></html>"
    mock.route(
        "GET",
        "/api/me",
        lambda _r: httpx.Response(200, content=html, headers={"Content-Type": "text/html"}),
    )
    async with _client(mock) as client:
        with pytest.raises(ResponseShapeError) as caught:
            await client.get_raw("/api/me")
    message = str(caught.value)
    assert message.startswith("GET https://dhis2.example.org/api/me answered 200 with text/html, ")
    assert "<!DOCTYPE html><html>" in message


async def test_a_redirect_is_raised_not_returned_as_empty() -> None:
    mock = MockDhis2()
    mock.route(
        "GET",
        "/api/me",
        lambda _r: httpx.Response(302, headers={"Location": "/dhis-web-login/"}),
    )
    async with _client(mock) as client:
        with pytest.raises(ResponseShapeError) as caught:
            await client.get_raw("/api/me")
    assert "redirected (302) to /dhis-web-login/" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "content"),
    [(200, b'{"name": {"a": 1}}'), (200, b""), (204, b""), (200, b"[1, 2]")],
)
async def test_typed_get_of_a_wrong_body_is_an_sdk_error(status: int, content: bytes) -> None:
    mock = MockDhis2()
    mock.route("GET", "/api/dataElements/abc", lambda _r: httpx.Response(status, content=content))
    async with _client(mock) as client:
        with pytest.raises(ResponseShapeError) as caught:
            await client.get("/api/dataElements/abc", model=DataElement)
    assert "GET /api/dataElements/abc" in str(caught.value)
    assert "DataElement" in str(caught.value)


async def test_iterate_ends_when_the_server_repeats_a_page() -> None:
    mock = MockDhis2()
    page = {"pager": {"page": 1, "pageCount": 5, "total": 10}, "dataElements": [{"id": "a"}]}
    mock.json("GET", "/api/dataElements", page)  # always page 1
    async with _client(mock) as client:
        with pytest.raises(ResponseShapeError, match=r"asked for page 2, the server sent page 1"):
            _ = [item async for item in client.iterate("/api/dataElements", model=DataElement)]
    assert mock.paths().count("/api/dataElements") == 2


async def test_iterate_ends_when_pages_come_back_empty_before_the_last() -> None:
    mock = MockDhis2()

    def empty_page(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page"])
        body: dict[str, object] = {
            "pager": {"page": number, "pageCount": 1000, "total": 5},
            "dataElements": [],
        }
        return httpx.Response(200, json=body)

    mock.route("GET", "/api/dataElements", empty_page)
    async with _client(mock) as client:
        with pytest.raises(ResponseShapeError, match=r"page 1 of 1000 came back empty"):
            _ = [item async for item in client.iterate("/api/dataElements", model=DataElement)]
