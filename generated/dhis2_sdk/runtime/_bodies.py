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
  starts. The aiohttp pool connects and sends in one call, so there the clock starts when the
  request is handed to it (``sends_at_once``; a new connection's set-up counts too). Under any
  other transport that sends no events (``httpx.MockTransport``) the attempt as a whole gets
  ``pool + connect + read`` seconds.

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
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
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

BODY_LIMIT = "dhis2_sdk.max_body_size"
"""Request extension carrying ``max_body_size`` down to the pool: the aiohttp pool reads a body
at once only when it is plain (no ``Content-Encoding``) and announced within this limit."""

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
        sends_at_once: bool = False,
    ) -> None:
        self.transport = transport
        self.max_body_size = check_max_body_size(max_body_size)
        self.timeout: httpx.Timeout = timeout or httpx.Timeout(None)
        self.sends_at_once = sends_at_once
        """The pool connects and sends in the call that hands it a request (aiohttp's): each
        attempt's clock starts then, without listening for ``trace`` events."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; return its answer read (or, for a stream, ready to read)."""
        requested = request.headers.get("Accept-Encoding")
        accepted = accepted_encodings(requested)
        if accepted != requested:
            request.headers["Accept-Encoding"] = accepted
        request.extensions[BODY_LIMIT] = self.max_body_size
        async with _Deadline(request, self.timeout, self.sends_at_once):
            response = await self.transport.handle_async_request(request)
            streamed = request.extensions.get(_STREAMED) and response.status_code < 400
            if _is_read(response):  # httpx.MockTransport answers are read already
                if streamed:
                    return _in_memory(response, request)
                if len(response.content) > self.max_body_size:
                    raise self._too_large(request, response.status_code)
                return response
            raw = _async_stream(response)
            decoder = BodyDecoder(response.headers.get("Content-Encoding"))
            if decoder.decodes:  # the headers would describe bytes no longer there
                del response.headers["Content-Encoding"]
                response.headers.pop("Content-Length", None)
            if streamed:
                response.stream = _DecodedStream(request, raw, decoder)
            else:
                body = await self._read(request, response.status_code, raw, decoder)
                response.stream = httpx.ByteStream(body)
            return response

    async def _read(
        self,
        request: httpx.Request,
        status: int,
        raw: httpx.AsyncByteStream,
        decoder: BodyDecoder,
    ) -> bytes:
        pieces: list[bytes] = []
        received = 0
        try:
            async for piece in _pieces(request, raw, decoder):
                received += len(piece)
                if received > self.max_body_size:
                    raise self._too_large(request, status)
                pieces.append(piece)
        finally:
            await raw.aclose()
        return b"".join(pieces)

    def _too_large(self, request: httpx.Request, status: int) -> ResponseTooLargeError:
        return ResponseTooLargeError(request.method, str(request.url), status, self.max_body_size)

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.transport.aclose()


class _DecodedStream(httpx.AsyncByteStream):
    """A streamed answer's body, decompressed in pieces of at most ``CHUNK_SIZE`` bytes."""

    def __init__(
        self, request: httpx.Request, raw: httpx.AsyncByteStream, decoder: BodyDecoder
    ) -> None:
        self._request = request
        self._raw = raw
        self._decoder = decoder

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for piece in _pieces(self._request, self._raw, self._decoder):
            yield piece

    async def aclose(self) -> None:
        await self._raw.aclose()


class _InMemory(httpx.AsyncByteStream):
    """A body already in memory, handed on in pieces of at most ``CHUNK_SIZE`` bytes."""

    def __init__(self, content: bytes) -> None:
        self._content = content

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in BodyDecoder(None).feed(self._content):
            yield piece


async def _pieces(
    request: httpx.Request, raw: httpx.AsyncByteStream, decoder: BodyDecoder
) -> AsyncIterator[bytes]:
    """The decoded body in bounded pieces; a body cut off says so in its error."""
    received = 0
    try:
        async for chunk in raw:
            received += len(chunk)
            for piece in decoder.feed(chunk):
                yield piece
    except (httpx.ReadError, httpx.RemoteProtocolError) as exc:
        raise type(exc)(
            f"the response body was cut off after {received} bytes ({exc or type(exc).__name__})",
            request=request,
        ) from exc


def _is_read(response: httpx.Response) -> bool:
    """True for an answer whose body is in memory already (``response.content``)."""
    return response.is_stream_consumed


def _async_stream(response: httpx.Response) -> httpx.AsyncByteStream:
    stream = response.stream
    if not isinstance(stream, httpx.AsyncByteStream):
        raise TypeError(f"{type(stream).__name__} is not an async byte stream")
    return stream


def _in_memory(response: httpx.Response, request: httpx.Request) -> httpx.Response:
    """A read ``response`` as a stream of bounded pieces (its body is decoded already)."""
    headers = response.headers.copy()
    headers.pop("Content-Encoding", None)
    headers.pop("Content-Length", None)
    return httpx.Response(
        response.status_code,
        headers=headers,
        stream=_InMemory(response.content),
        request=request,
        extensions=response.extensions,
    )


class _Deadline:
    """Bounds one attempt: ``limits.read`` seconds from sending its first byte to the end.

    httpcore's ``trace`` events move the deadline: connecting (``connection.*``) is bounded by
    ``limits.connect`` alone, and the clock restarts when the request headers go out. The hook
    then steps aside, so the rest of the exchange pays nothing for it. ``at_once``: the pool
    sends as it is called, so the clock starts now and no hook is needed.
    """

    __slots__ = ("_listens", "_previous", "_request", "_scope", "_seconds")

    def __init__(self, request: httpx.Request, limits: httpx.Timeout, at_once: bool) -> None:
        self._request = request
        self._previous = cast("_Trace | None", request.extensions.get("trace"))
        self._seconds = limits.read
        self._scope: asyncio.Timeout | None = None
        self._listens = False
        if self._seconds is not None:
            before_sending = 0.0 if at_once else (limits.pool or 0.0) + (limits.connect or 0.0)
            now = asyncio.get_running_loop().time()
            self._scope = asyncio.timeout_at(now + before_sending + self._seconds)
            self._listens = not at_once

    async def __aenter__(self) -> None:
        if self._scope is not None:
            await self._scope.__aenter__()
        if self._listens:
            self._request.extensions["trace"] = self._trace

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._step_aside()
        if self._scope is None:
            return
        try:
            await self._scope.__aexit__(exc_type, exc, tb)
        except TimeoutError as timeout:
            if not self._scope.expired():
                raise
            raise httpx.ReadTimeout(
                f"the answer was not complete {self._seconds:g}s after the request was sent; "
                "timeout= bounds each attempt from its first byte sent to its last byte read",
                request=self._request,
            ) from timeout

    async def _trace(self, event: str, info: dict[str, Any]) -> None:
        if self._scope is not None and self._seconds is not None:
            if event.startswith("connection.") and event.endswith(".started"):
                self._scope.reschedule(None)
            elif event.endswith(".send_request_headers.started"):
                self._scope.reschedule(asyncio.get_running_loop().time() + self._seconds)
                self._step_aside()
        if self._previous is not None:
            await self._previous(event, info)

    def _step_aside(self) -> None:
        if not self._listens:
            return
        self._listens = False
        if self._previous is None:
            self._request.extensions.pop("trace", None)
        else:
            self._request.extensions["trace"] = self._previous
