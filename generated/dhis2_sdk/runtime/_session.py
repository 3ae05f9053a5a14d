"""``HttpSession``: the part of ``httpx.AsyncClient`` that ``Dhis2Client`` uses, on a short path.

Stage: runtime (hand-written). Layer: between ``Dhis2Client`` and the transport stack (retries →
rate limit → pool). It builds requests exactly as ``httpx.AsyncClient.build_request`` would
(same URL, headers, cookies, timeout extension: a test compares them) and sends them as
``AsyncClient.send`` would (auth flow, cookie jar, body read), without the per-request work
``Dhis2Client`` never needs: event hooks, redirect handling, per-request auth and client
arguments. A URL costs httpx a parse of every component (the largest part of building a
request): a plain ``/path`` is parsed once on the base URL instead of twice and merged, query
parameters are encoded into the same string instead of being merged by a second and third
parse, and the URLs of requests without parameters are kept (``httpx.URL`` is immutable).

A provider whose ``Authorization`` header never changes (``BasicAuth``, ``PatAuth``: see
``Dhis2Auth.fixed_header``) is applied once, into the session's headers; any other
``httpx.Auth`` (``OAuth2Auth``, a custom one) runs its auth flow per request, as httpx runs it.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from datetime import timedelta
from functools import cache
from typing import Any, Literal, cast
from urllib.parse import urlencode

import httpx

from ._auth import Dhis2Auth

__all__: list[str] = []

_URL_CACHE_SIZE = 1024

_BODY_METHODS = ("POST", "PUT", "PATCH")
"""The methods that httpx gives ``Content-Length: 0`` when they carry no body."""

_NO_BODY = httpx.ByteStream(b"")

READ_BODY = "dhis2_sdk.read_body"
"""Request extension: the caller reads the whole body, so a pool that can read it at once may
(the aiohttp pool does; httpx's ignores it)."""


@cache
def _httpx_default_headers() -> httpx.Headers:
    """The headers every ``httpx.AsyncClient`` starts with (Accept-Encoding depends on which
    decoders are installed), read from a client that never opens a connection."""
    return httpx.AsyncClient(transport=httpx.MockTransport(lambda _: httpx.Response(500))).headers


class HttpSession:
    """Builds and sends requests for one ``Dhis2Client`` through ``transport``.

    ``headers`` are sent with every request (over httpx's defaults); ``cookies`` is the jar
    that responses fill and requests read, as on an ``httpx.AsyncClient``.
    """

    __slots__ = (
        "_auth",
        "_base",
        "_base_url",
        "_headers",
        "_prepared_headers",
        "_timeout",
        "_urls",
        "cookies",
        "transport",
    )

    def __init__(
        self,
        base_url: httpx.URL,
        *,
        auth: httpx.Auth | None,
        headers: Mapping[str, str],
        timeout: httpx.Timeout,
        transport: httpx.AsyncBaseTransport,
    ) -> None:
        self._base_url = base_url
        self._base = str(base_url)  # ends with "/": Dhis2Client normalises it
        merged = httpx.Headers(_httpx_default_headers())
        merged.update(headers)
        fixed = auth.fixed_header() if isinstance(auth, Dhis2Auth) else None
        if fixed is not None:
            merged["Authorization"] = fixed
            auth = None
        self._auth = auth
        self._headers = merged
        # What httpx's preparation makes of them for a request without a body on base_url: the
        # Host header first (unless one is given), then these headers.
        host = [] if "Host" in merged else [(b"Host", base_url.netloc)]
        self._prepared_headers = httpx.Headers([*host, *merged.raw])
        self._timeout = timeout.as_dict()
        self._urls: dict[str, httpx.URL] = {}
        self.cookies = httpx.Cookies()
        self.transport = transport

    def build_request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        content: bytes | AsyncIterable[bytes] | None = None,
        json: object = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Request:
        """``httpx.AsyncClient.build_request`` for this session's base URL, headers and jar."""
        target, params = self._target(url, params)
        if content is None and json is None and not headers and params is None:
            method = method.upper()
            if method not in _BODY_METHODS and _on_base(url):
                request = self._bodiless_request(method, target)
                if self.cookies:
                    self.cookies.set_cookie_header(request)
                return request
        if headers:
            merged = httpx.Headers(self._headers)
            merged.update(headers)
        else:
            merged = self._headers
        request = httpx.Request(
            method,
            target,
            params=params,
            headers=merged,
            content=content,
            json=json,
            extensions={"timeout": self._timeout},
        )
        if self.cookies:
            self.cookies.set_cookie_header(request)
        return request

    def _bodiless_request(self, method: str, target: httpx.URL | str) -> httpx.Request:
        """A request without a body on base_url, as httpx builds it, minus httpx's per-request
        preparation (a copy and new parse of every header to add Host, which is fixed here):
        given ``stream=``, httpx takes the headers as they are."""
        request = httpx.Request(
            method,
            target,
            headers=self._prepared_headers,
            stream=_NO_BODY,
            extensions={"timeout": self._timeout},
        )
        request.read()  # request.content is b"", as httpx's own preparation leaves it
        return request

    def _target(self, url: str, params: Any) -> tuple[httpx.URL | str, Any]:
        """The URL to request and the parameters httpx must still merge into it."""
        if not _on_base(url):
            return self._merge_url(url), params
        if not params:
            if params is not None and "?" in url:
                return self._base + url[1:], params  # httpx re-encodes the query: let it
            cached = self._urls.get(url)
            if cached is None:
                if len(self._urls) >= _URL_CACHE_SIZE:
                    self._urls.clear()
                cached = self._urls[url] = httpx.URL(self._base + url[1:])
            return cached, None
        if "?" in url or not isinstance(params, Mapping):
            return self._base + url[1:], params
        query = _encode_query(cast("Mapping[str, object]", params))
        return f"{self._base}{url[1:]}?{query}", None  # "?" even for an empty query, as httpx

    def _merge_url(self, url: str) -> httpx.URL:
        """``url`` on the base URL, as ``httpx.AsyncClient`` merges it."""
        merged = httpx.URL(url)
        if merged.is_relative_url:
            base = self._base_url
            return base.copy_with(raw_path=base.raw_path + merged.raw_path.lstrip(b"/"))
        return merged

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: httpx.Auth | Literal["session"] | None = "session",
    ) -> httpx.Response:
        """Send ``request`` through auth and the transport; read the body unless ``stream``.

        ``auth=None`` sends it without the session's auth (an auth provider's own token
        request), as ``httpx.AsyncClient.send(request, auth=None)`` does.
        """
        started = time.perf_counter()
        if not stream:
            request.extensions[READ_BODY] = True  # a fresh dict per request (build_request)
        if auth == "session":
            auth = self._auth
        if auth is None and request.url.userinfo:
            auth = httpx.BasicAuth(request.url.username, request.url.password)
        if auth is None:
            response = await self._send_single(request)
        else:
            response = await self._send_with_auth(request, auth)
        if stream:
            response.stream = _TimedStream(response, started)
            return response
        try:
            await response.aread()
        except BaseException:
            await response.aclose()
            raise
        response.elapsed = timedelta(seconds=time.perf_counter() - started)
        return response

    async def _send_single(self, request: httpx.Request) -> httpx.Response:
        response = await self.transport.handle_async_request(request)
        response.request = request
        if "set-cookie" in response.headers:
            self.cookies.extract_cookies(response)
        return response

    async def _send_with_auth(self, request: httpx.Request, auth: httpx.Auth) -> httpx.Response:
        """Run ``auth``'s flow: each request it yields is sent, each response handed back."""
        flow = auth.async_auth_flow(request)
        try:
            request = await flow.__anext__()
            while True:
                response = await self._send_single(request)
                try:
                    try:
                        request = await flow.asend(response)
                    except StopAsyncIteration:
                        return response
                    await response.aread()
                except BaseException:
                    await response.aclose()
                    raise
        finally:
            await flow.aclose()

    async def aclose(self) -> None:
        """Close the transport (and with it every pooled connection)."""
        await self.transport.aclose()


def _on_base(url: str) -> bool:
    """Whether ``url`` is a path that ``_target`` puts on base_url (its host, its scheme)."""
    return url.startswith("/") and not url.startswith("//") and "#" not in url


def _encode_query(params: Mapping[str, object]) -> str:
    """``str(httpx.QueryParams(params))``: lists repeat their key, ``True`` is ``true``,
    ``None`` is empty."""
    items: list[tuple[str, str]] = []
    for key, value in params.items():
        values = cast("list[object] | tuple[object, ...]", value) if _is_list(value) else (value,)
        items.extend((str(key), _primitive(item)) for item in values)
    return urlencode(items)


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple)


def _primitive(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    return str(value)


class _TimedStream(httpx.AsyncByteStream):
    """A streamed body that sets ``response.elapsed`` when it is closed, as httpx's does."""

    def __init__(self, response: httpx.Response, started: float) -> None:
        self._stream = response.stream
        self._response = response
        self._started = started

    async def __aiter__(self) -> AsyncIterator[bytes]:
        assert isinstance(self._stream, httpx.AsyncByteStream)
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        self._response.elapsed = timedelta(seconds=time.perf_counter() - self._started)
        assert isinstance(self._stream, httpx.AsyncByteStream)
        await self._stream.aclose()
