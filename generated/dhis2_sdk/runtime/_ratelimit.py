"""Client-side rate limiting: a token bucket in front of the connection pool.

Stage: runtime (hand-written). Layer: transport, the innermost wrapper (below retries), so a
retried attempt spends a token like a first attempt. Off unless ``Dhis2Client(rate_limit=…)``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx

__all__ = ["RateLimitTransport", "TokenBucket"]


class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` saved up; ``acquire()`` waits for one.

    Waiters are served in arrival order (one ``asyncio.Lock``), so a burst of requests is
    spread evenly instead of stampeding when tokens come back.
    """

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate_limit must be a positive number of requests/s, got {rate}")
        self.rate = rate
        self.burst: float = burst if burst is not None else max(1.0, rate)
        if self.burst < 1:
            raise ValueError(f"burst must be >= 1, got {self.burst}")
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._updated = clock()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait until a token is available and take it."""
        async with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await self._sleep((1 - self._tokens) / self.rate)


class RateLimitTransport(httpx.AsyncBaseTransport):
    """Takes a token from a ``TokenBucket`` before handing each request to the wrapped transport."""

    def __init__(self, transport: httpx.AsyncBaseTransport, bucket: TokenBucket) -> None:
        self.transport = transport
        self.bucket = bucket

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Wait for a token, then send."""
        await self.bucket.acquire()
        return await self.transport.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.transport.aclose()
