"""``AiohttpTransport``: an ``httpx.AsyncBaseTransport`` over one ``aiohttp.ClientSession``.

Stage: runtime (hand-written). Layer: the connection pool, at the bottom of the transport stack
(under retries and the rate limit), chosen by ``Dhis2Client(..., backend="aiohttp")``. Requests
and responses stay httpx objects, so auth, retries, errors and streaming above it do not know
which pool carries them; aiohttp spends far less CPU per request than httpcore does.

Imported only for that backend: it needs the optional ``aiohttp`` package
(``pip install 'dhis2-sdk[aiohttp]'``).

What maps to what:

* ``httpx.Limits.max_connections`` → the connector's ``limit`` (``None`` → unlimited),
  ``keepalive_expiry`` → ``keepalive_timeout``; aiohttp has no separate keep-alive count.
* the request's ``timeout`` extension: ``connect`` → ``sock_connect``, ``read`` → ``sock_read``
  (aiohttp has no write timeout; ``Dhis2Client`` gates the pool itself, so ``pool`` never waits).
* aiohttp errors → the httpx error the retry layer and ``Dhis2Client`` already handle:
  a refused or failed connection → ``ConnectError``, a connect timeout → ``ConnectTimeout``,
  a read timeout → ``ReadTimeout``, a dropped connection or a cut body → ``RemoteProtocolError``,
  a reset socket → ``ReadError``.
* bodies are not decompressed by aiohttp: httpx decodes them, as it does over httpcore.
* aiohttp's own silent retry of a dropped reused connection is off: ``RetryPolicy`` decides.
* a request that ``HttpSession`` reads whole (``READ_BODY``) gets its body read here, at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence

import aiohttp
import httpx
from yarl import URL

from ._bodies import BODY_LIMIT
from ._session import READ_BODY

__all__: list[str] = []

# A body without a Content-Type goes without one, as over httpx (aiohttp would add its own).
# Accept, Accept-Encoding and User-Agent come from httpx's client defaults; skipping them too
# would cost aiohttp a copy of the headers on every request.
_NO_CONTENT_TYPE = ("Content-Type",)
_HTTP_11 = {"http_version": b"HTTP/1.1"}


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Sends httpx requests through a lazily opened ``aiohttp.ClientSession``.

    The session is opened on the first request (it needs the running event loop) and closed by
    ``aclose()``; ``limits`` sizes its connector like ``httpx.AsyncHTTPTransport(limits=...)``.
    """

    def __init__(self, limits: httpx.Limits) -> None:
        self.limits = limits
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[float | None, float | None], aiohttp.ClientTimeout] = {}

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The open session (``None`` before the first request and after ``aclose()``)."""
        return self._session

    def _open(self) -> aiohttp.ClientSession:
        limits = self.limits
        connector = aiohttp.TCPConnector(
            limit=limits.max_connections or 0,
            keepalive_timeout=limits.keepalive_expiry,
            ssl=httpx.create_ssl_context(),  # the same trust store as httpx's own pool
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),  # cookies are the client's business
            auto_decompress=False,
            timeout=aiohttp.ClientTimeout(total=None),
        )
        # aiohttp silently sends an idempotent request again when a reused connection drops;
        # RetryPolicy decides every retry here (count, backoff, logging), as over httpx. No
        # public switch: aiohttp's own test utilities turn it off the same way.
        setattr(self._session, "_retry_connection", False)  # noqa: B010
        return self._session

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        key = (timeouts.get("connect"), timeouts.get("read"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=key[0], sock_read=key[1])
            self._timeouts[key] = timeout
        return timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; the response body streams from the aiohttp response, or comes
        read already when the request carries the ``READ_BODY`` extension."""
        session = self._session or self._open()
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        data: bytes | AsyncIterator[bytes] | None
        if isinstance(request.stream, httpx.ByteStream):
            data = await request.aread() or None
        else:
            # A streamed body (an async generator's content) goes out chunk by chunk, never
            # read whole; aiohttp writes the chunked framing httpx announced.
            data = _chunks(request.stream)
            headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
        untyped = data is not None and "content-type" not in request.headers
        try:
            response = await session.request(
                request.method,
                URL(str(request.url), encoded=True),
                headers=headers,
                data=data,
                skip_auto_headers=_NO_CONTENT_TYPE if untyped else None,
                allow_redirects=False,
                timeout=self._timeout(request),
            )
            content: bytes | None = None
            if request.extensions.get(READ_BODY) and _plain_within(response, request):
                # One read into bytes, decoded by httpx's synchronous path: none of the async
                # generators (and their per-object bookkeeping) of a streamed read.
                content = await response.read()
                response.release()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise httpx_error(exc, request) from exc
        reason = response.reason
        extensions = {**_HTTP_11, "reason_phrase": reason.encode("latin-1")} if reason else _HTTP_11
        if content is None:
            return httpx.Response(
                response.status,
                headers=response.raw_headers,
                stream=_AiohttpBody(response, request),
                extensions=extensions,
            )
        return read_response(response.status, response.raw_headers, content, extensions)

    async def aclose(self) -> None:
        """Close the session and every pooled connection."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()


def read_response(
    status: int,
    headers: Sequence[tuple[bytes, bytes]],
    content: bytes,
    extensions: Mapping[str, object],
) -> httpx.Response:
    """An ``httpx.Response`` whose plain body ``content`` is read already: what
    ``httpx.Response(stream=...)`` and ``read()`` give, without ``read()``'s chunking, decoding
    and closing machinery (several generators and context managers, a tenth of a request's CPU
    on this path). A test compares every public attribute with what ``read()`` leaves."""
    response = httpx.Response(
        status, headers=headers, stream=httpx.ByteStream(content), extensions=extensions
    )
    # What read() fills in: httpx's names in 0.27 and 0.28, the versions this package allows
    # (a test in tests/runtime/test_backends.py fails if a release renames them).
    response._content = content  # pyright: ignore[reportPrivateUsage]
    response._num_bytes_downloaded = len(content)  # pyright: ignore[reportPrivateUsage]
    response.is_stream_consumed = True
    response.is_closed = True
    return response


def _plain_within(response: aiohttp.ClientResponse, request: httpx.Request) -> bool:
    """Whether the body may be read at once: not compressed (httpx would inflate it whole) and
    announced no longer than the ``BodyTransport``'s limit (without one, any plain body)."""
    if "Content-Encoding" in response.headers:
        return False
    limit = request.extensions.get(BODY_LIMIT)
    if limit is None:
        return True
    length = response.content_length
    return length is not None and length <= limit


async def _chunks(stream: httpx.SyncByteStream | httpx.AsyncByteStream) -> AsyncIterator[bytes]:
    """The request body's chunks as httpx produces them (an async stream; a sync one too)."""
    if isinstance(stream, httpx.AsyncByteStream):
        async for chunk in stream:
            yield chunk
    else:
        for chunk in stream:
            yield chunk


class _AiohttpBody(httpx.AsyncByteStream):
    """An aiohttp response body as an httpx stream: chunks as they arrive, errors mapped."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise httpx_error(exc, self._request) from exc

    async def aclose(self) -> None:
        # A fully read body gives its connection back to the pool; a partly read one closes it.
        self._response.release()


def httpx_error(
    exc: aiohttp.ClientError | TimeoutError, request: httpx.Request
) -> httpx.TransportError:
    """The httpx error for an aiohttp one (the classes the retry layer tells apart)."""
    # Timeouts carry no text, as over httpcore: messages that name the error read the same.
    message = "" if isinstance(exc, TimeoutError) else str(exc) or type(exc).__name__
    error: type[httpx.TransportError]
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        error = httpx.ConnectTimeout
    elif isinstance(exc, aiohttp.ClientConnectorError):
        error = httpx.ConnectError
    elif isinstance(exc, TimeoutError):
        error = httpx.ReadTimeout
    elif isinstance(
        exc,
        aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError,
    ):
        error = httpx.RemoteProtocolError
    elif isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        error = httpx.UnsupportedProtocol
    elif isinstance(exc, aiohttp.ClientConnectionError):
        error = httpx.ReadError
    else:
        error = httpx.TransportError
    return error(message, request=request)
