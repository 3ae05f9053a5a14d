"""``HttpSession``, the client's short request path, builds and sends what ``httpx.AsyncClient``
would: the same URL, headers, body and timeout for any path and parameters, the fixed Basic and
PAT headers that its auth flow would set, cookies, and ``elapsed``."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, cast

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dhis2_sdk import BasicAuth, Dhis2Client, PatAuth
from dhis2_sdk.runtime._session import HttpSession

BASE = httpx.URL("https://dhis2.example.org/dhis/")
HEADERS = {"User-Agent": "dhis2-sdk (test)", "Accept": "application/json", "X-Extra": "1"}
TIMEOUT = httpx.Timeout(30.0, connect=60.0)

_segment = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\r\n\x00"),
    max_size=12,
)


def _join(parts: list[str]) -> str:
    return "/" + "/".join(parts)


_path = st.builds(_join, st.lists(_segment, max_size=4))
_primitive = st.one_of(
    st.text(max_size=8), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False)
)
_params = st.one_of(
    st.none(),
    st.dictionaries(
        st.text(min_size=1, max_size=6),
        st.one_of(_primitive, st.lists(_primitive, max_size=3)),
        max_size=4,
    ),
)


def _session() -> HttpSession:
    transport = httpx.MockTransport(lambda _: httpx.Response(200))
    return HttpSession(BASE, auth=None, headers=HEADERS, timeout=TIMEOUT, transport=transport)


def _reference() -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=BASE, headers=HEADERS, timeout=TIMEOUT)


Built = tuple[str, str, bytes, list[tuple[str, str]], bytes, object] | str


def _built(build: Callable[[], httpx.Request]) -> Built:
    """What a build gives: the request's parts, or the error it raised (both sides must agree)."""
    try:
        request = build()
    except (httpx.InvalidURL, ValueError) as exc:
        return type(exc).__name__  # the messages count positions in different strings
    return (
        request.method,
        str(request.url),
        request.url.raw_path,
        sorted(request.headers.multi_items()),
        request.content,
        request.extensions,
    )


@settings(max_examples=150, deadline=None)
@given(
    path=_path | st.sampled_from(["/api/x?a=1", "/a#f", "//x/y", "api/me", ""]),
    params=_params,
    method=st.sampled_from(["GET", "get", "DELETE", "HEAD", "POST", "put"]),
)
def test_requests_are_built_as_httpx_builds_them(
    path: str, params: dict[str, object] | None, method: str
) -> None:
    session, reference = _session(), _reference()
    for _ in range(2):  # the second build of a URL comes from the cache
        ours = _built(lambda: session.build_request(method, path, params=params))
        theirs = _built(lambda: reference.build_request(method, path, params=cast(Any, params)))
        assert ours == theirs


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_host_header_of_the_clients_own_is_sent_instead_of_base_urls(method: str) -> None:
    """A DHIS2 reached through a tunnel or proxy may need its own ``Host``: httpx then adds none."""
    headers = {**HEADERS, "Host": "dhis2.internal"}
    transport = httpx.MockTransport(lambda _: httpx.Response(200))
    session = HttpSession(BASE, auth=None, headers=headers, timeout=TIMEOUT, transport=transport)
    reference = httpx.AsyncClient(base_url=BASE, headers=headers, timeout=TIMEOUT)
    ours = _built(lambda: session.build_request(method, "/api/me"))
    assert ours == _built(lambda: reference.build_request(method, "/api/me"))
    assert isinstance(ours, tuple)
    assert ("host", "dhis2.internal") in ours[3]


def test_bodies_headers_and_absolute_urls_are_built_as_httpx_builds_them() -> None:
    session, reference = _session(), _reference()
    cases: list[dict[str, object]] = [
        {"json": {"a": [1, 2]}},
        {"content": b'{"x": 1}', "headers": {"Content-Type": "application/json"}},
        {"json": [{"op": "add"}], "headers": {"Content-Type": "application/json-patch+json"}},
    ]
    for url in ("/api/metadata", f"{BASE}api/metadata?async=true"):
        for case in cases:
            kwargs = cast(Any, case)
            ours = _built(partial(session.build_request, "POST", url, **kwargs))
            theirs = _built(partial(reference.build_request, "POST", url, **kwargs))
            assert isinstance(ours, tuple)
            assert ours == theirs


@pytest.mark.parametrize("auth", [BasicAuth("admin", "district"), PatAuth("d2pat_" + "a" * 42)])
def test_the_fixed_header_is_what_the_auth_flow_sets(auth: BasicAuth | PatAuth) -> None:
    request = httpx.Request("GET", "https://dhis2.example.org/api/me")
    next(auth.auth_flow(request))
    assert auth.fixed_header() == request.headers["Authorization"]


@pytest.mark.anyio
async def test_cookies_come_back_and_elapsed_is_set() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Cookie"))
        if request.url.path.endswith("/api/system/info"):
            from tests.runtime.conftest import recorded_system_info

            headers = {"Set-Cookie": "JSESSIONID=abc; Path=/"}
            return httpx.Response(200, json=recorded_system_info("v42"), headers=headers)
        return httpx.Response(200, json={})

    client = Dhis2Client(str(BASE), auth=PatAuth("d2pat_x"), transport=httpx.MockTransport(handler))
    async with client:
        response = await client.request("GET", "/api/me")
    assert seen == [None, "JSESSIONID=abc"]
    assert response.elapsed.total_seconds() >= 0
