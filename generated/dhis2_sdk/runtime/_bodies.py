"""Reading response bodies within limits: size, chunk size and time, once per attempt.

Stage: runtime (hand-written). Layer: transport, the innermost wrapper, right above the
connection pool (below the rate limit and ``RetryTransport``), so that every attempt is read
to its end before ``RetryTransport`` decides about it:

* a body is decompressed here (``_decoding``, gzip and deflate only, in pieces of at most
  ``CHUNK_SIZE``) and buffered up to ``max_body_size`` bytes; one byte more raises
  ``ResponseTooLargeError`` without reading (or inflating) the rest. Error bodies count too.
* a body cut off mid-transfer raises httpx's read error saying so, inside the attempt, so a
  GET is retried like after a dropped connection;
* a retried 503 was read to its end, so httpcore keeps its connection for the next attempt;
* ``timeout`` bounds the whole exchange of one attempt, from the first byte of the request sent
  to the last byte of the answer read (a server dripping one byte at a time no longer resets
  the clock on every read). Waiting for a pooled connection and connecting keep their own
  bounds (``timeout.pool``, ``timeout.connect``): httpcore's ``trace`` events say when sending
  starts. Under a transport that sends none (``httpx.MockTransport``) the attempt as a whole
  gets ``pool + connect + read`` seconds.

A request marked with ``mark_streamed`` (``client.stream()``) with a status below 400 is not
buffered: its body is handed on decompressed in pieces of at most ``CHUNK_SIZE`` bytes, with no
size limit, and bounded in time only by the per-read timeout (a stream is for bodies too big
for memory, which may take longer than any one request should; wrap the loop in
``asyncio.timeout()`` for a bound on the whole). Its time limit ends when its headers arrive.

Decompressed bodies lose their ``Content-Encoding`` and ``Content-Length`` headers: they
describe bytes that are no longer there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, cast

import httpx

from ._decoding import BodyDecoder, accepted_encodings
from ._errors import ResponseTooLargeError

__all__ = ["DEFAULT_MAX_BODY_SIZE"]

DEFAULT_MAX_BODY_SIZE = 512 * 1024 * 1024
"""512 MiB (decompressed). A full ``/api/metadata`` export of a large national DHIS2 instance
is a few hundred MB of JSON at most, and parsing 512 MiB of JSON in Python already takes several
GiB of memory: a body beyond that is a mistake or an attack. Use ``stream()`` for bigger ones."""

_STREAMED = "dhis2_sdk.streamed"
"""Request extension marking a ``client.stream()`` request (httpcore ignores unknown keys)."""

_Trace = Callable[[str, dict[str, Any]], Awaitable[None]]


def check_max_body_size(value: object) -> int:
    """``value`` if it is a usable ``max_body_size``, else a ``ValueError`` saying why."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"max_body_size must be a positive number of bytes, got {value!r} "
            f"(the default is {DEFAULT_MAX_BODY_SIZE}, 512 MiB)"
        )
    return value


def mark_streamed(request: httpx.Request) -> None:
    """Hand ``request``'s body on as it arrives instead of buffering it (``client.stream()``)."""
    request.extensions[_STREAMED] = True


class BodyTransport(httpx.AsyncBaseTransport):
    """Reads each answer of the wrapped transport within ``max_body_size`` and ``timeout``."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        *,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        timeout: httpx.Timeout | None = None,
    ) -> None:
        self.transport = transport
        self.max_body_size = check_max_body_size(max_body_size)
        self.timeout: httpx.Timeout = timeout or httpx.Timeout(None)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; return its answer read (or, for a stream, ready to read)."""
        request.headers["Accept-Encoding"] = accepted_encodings(
            request.headers.get("Accept-Encoding")
        )
        async with _deadline(request, self.timeout):
            response = await self.transport.handle_async_request(request)
            if request.extensions.get(_STREAMED) and response.status_code < 400:
                return _rebuilt(response, request, stream=_DecodedStream(request, response))
            return await self._read(request, response)

    async def _read(self, request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if _is_read(response):  # httpx.MockTransport answers are read already
            if len(response.content) > self.max_body_size:
                raise self._too_large(request, response)
            return response
        pieces: list[bytes] = []
        received = 0
        try:
            async for piece in _pieces(request, response):
                received += len(piece)
                if received > self.max_body_size:
                    raise self._too_large(request, response)
                pieces.append(piece)
        finally:
            await response.aclose()
        return _rebuilt(response, request, content=b"".join(pieces))

    def _too_large(self, request: httpx.Request, response: httpx.Response) -> Exception:
        return ResponseTooLargeError(
            request.method, str(request.url), response.status_code, self.max_body_size
        )

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.transport.aclose()


class _DecodedStream(httpx.AsyncByteStream):
    """A streamed answer's body, decompressed in pieces of at most ``CHUNK_SIZE`` bytes."""

    def __init__(self, request: httpx.Request, response: httpx.Response) -> None:
        self._request = request
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for piece in _pieces(self._request, self._response):
            yield piece

    async def aclose(self) -> None:
        await self._response.aclose()


async def _pieces(request: httpx.Request, response: httpx.Response) -> AsyncIterator[bytes]:
    """The decoded body in bounded pieces; a body cut off says so in its error."""
    if _is_read(response):
        for piece in BodyDecoder(None).feed(response.content):
            yield piece
        return
    decoder = BodyDecoder(response.headers.get("Content-Encoding"))
    try:
        async for raw in response.aiter_raw():
            for piece in decoder.feed(raw):
                yield piece
    except (httpx.ReadError, httpx.RemoteProtocolError) as exc:
        raise type(exc)(
            f"the response body was cut off after {response.num_bytes_downloaded} bytes "
            f"({exc or type(exc).__name__})",
            request=request,
        ) from exc


def _is_read(response: httpx.Response) -> bool:
    try:
        response.content  # noqa: B018 - raises ResponseNotRead until the body is read
    except httpx.ResponseNotRead:
        return False
    return True


def _rebuilt(
    response: httpx.Response,
    request: httpx.Request,
    *,
    content: bytes | None = None,
    stream: httpx.AsyncByteStream | None = None,
) -> httpx.Response:
    """``response`` with the decoded body: its encoding headers describe bytes now gone."""
    headers = response.headers.copy()
    if "Content-Encoding" in headers:
        headers.pop("Content-Encoding")
        headers.pop("Content-Length", None)
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=content,
        stream=stream,
        request=request,
        extensions=response.extensions,
    )


@asynccontextmanager
async def _deadline(request: httpx.Request, limits: httpx.Timeout) -> AsyncGenerator[None]:
    """Bound one attempt: ``limits.read`` seconds from sending its first byte to the end.

    httpcore's ``trace`` events move the deadline: connecting (``connection.*``) is bounded by
    ``limits.connect`` alone, and the clock restarts when the request headers go out.
    """
    seconds = limits.read
    if seconds is None:
        yield
        return
    loop = asyncio.get_running_loop()
    before_sending = sum(t or 0.0 for t in (limits.pool, limits.connect))
    previous = cast("_Trace | None", request.extensions.get("trace"))

    async def trace(event: str, info: dict[str, Any]) -> None:
        if event.startswith("connection.") and event.endswith(".started"):
            scope.reschedule(None)
        elif event.endswith(".send_request_headers.started"):
            scope.reschedule(loop.time() + seconds)
        if previous is not None:
            await previous(event, info)

    scope = asyncio.timeout_at(loop.time() + before_sending + seconds)
    request.extensions["trace"] = trace
    try:
        async with scope:
            yield
    except TimeoutError as exc:
        if not scope.expired():
            raise
        raise httpx.ReadTimeout(
            f"the answer was not complete {seconds:g}s after the request was sent "
            "(timeout= bounds each attempt from its first byte sent to its last byte read)",
            request=request,
        ) from exc
    finally:
        if previous is None:
            request.extensions.pop("trace", None)
        else:
            request.extensions["trace"] = previous
