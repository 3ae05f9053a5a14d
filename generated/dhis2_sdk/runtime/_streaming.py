"""``client.stream(path)``: a response body as bytes chunks, never held in memory whole.

Stage: runtime (hand-written). ``ResponseStream`` is both an async context manager (to look at
the status and headers before reading) and an async iterator (``async for chunk in
client.stream(...)`` opens and closes the response by itself). Chunks arrive decompressed,
at most 64 KiB each (``_bodies.BodyTransport``), however much one network chunk inflates.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Self

import httpx

__all__ = ["ResponseStream"]


class ResponseStream:
    """An open (or about to be opened) streamed response.

    Built by ``Dhis2Client.stream``; ``opener`` sends the request and raises the mapped error for
    an error status, ``closer`` gives the connection back, ``wrap_error`` maps an httpx error
    raised while reading.
    """

    def __init__(
        self,
        opener: Callable[[], Awaitable[httpx.Response]],
        closer: Callable[[httpx.Response], Awaitable[None]],
        wrap_error: Callable[[httpx.RequestError], Exception],
        chunk_size: int | None,
    ) -> None:
        self._opener = opener
        self._closer = closer
        self._wrap_error = wrap_error
        self._chunk_size = chunk_size
        self._response: httpx.Response | None = None

    @property
    def response(self) -> httpx.Response:
        """The underlying response (status, headers); only inside ``async with``."""
        if self._response is None:
            raise RuntimeError("The stream is not open: use `async with client.stream(...)`")
        return self._response

    async def __aenter__(self) -> Self:
        if self._response is not None:
            raise RuntimeError("This stream is already open; call client.stream() again")
        self._response = await self._opener()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the response and release its connection (safe to call twice)."""
        response, self._response = self._response, None
        if response is not None:
            await self._closer(response)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[bytes]:
        owned = self._response is None
        if owned:
            await self.__aenter__()
        try:
            async for chunk in self.response.aiter_bytes(self._chunk_size):
                yield chunk
        except httpx.RequestError as exc:
            raise self._wrap_error(exc) from exc
        finally:
            if owned:
                await self.aclose()
