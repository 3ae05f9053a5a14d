"""Retries as an httpx transport wrapper: backoff with jitter, ``Retry-After``, idempotency.

Stage: runtime (hand-written). Layer: transport, below auth and ``Dhis2Client``; it wraps the
rate-limit transport, which wraps httpx's connection pool, so every attempt waits for a rate
token and a pooled connection like any other request.

What is retried:

* connection failures before anything was sent (connect error or timeout, pool timeout), for
  every method: the server never saw the request;
* 429 (the server explicitly refused to process it), for every method;
* other statuses in ``retry_statuses`` (default 502/503/504) and errors after the request was
  sent (read/write errors, read timeouts, dropped connections) only for idempotent methods
  (GET, HEAD, OPTIONS, PUT, DELETE), unless ``retry_non_idempotent=True``: a POST or PATCH that
  may have reached the server is never sent twice by default.

Every attempt's answer is read to its end (within ``max_body_size`` and ``timeout``) by
``_bodies.BodyTransport`` below, before this transport sees it: a body cut off mid-transfer or
an attempt over ``timeout`` is a read error or read timeout of that attempt (retried as above),
and a retried 502/503/504 has been read, so httpcore keeps its connection for the next attempt.

The delay before attempt *n* + 1 is ``base_delay * 2**(n - 1)``, capped at ``max_delay``, with
"equal jitter" (a random value between half and all of it). A ``Retry-After`` header (seconds or
an HTTP date) replaces the computed delay, capped at ``max_delay`` too.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

__all__ = ["RetryPolicy", "RetryTransport"]

# Named after the package this runtime is in: "dhis2_sdk.retry", or a vendored copy's own name.
logger: logging.Logger = logging.getLogger(f"{__name__.split('.')[0]}.retry")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})

# Raised before a single byte of the request went out: always safe to send again.
_NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)
# Raised after the request (or part of it) may have reached the server.
_MAYBE_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ReadError,
    httpx.WriteError,
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.RemoteProtocolError,
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently ``Dhis2Client`` retries (``max_attempts`` counts the first).

    ``sleep`` is the coroutine used to wait between attempts; tests pass a recorder.
    """

    max_attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: bool = True
    retry_statuses: frozenset[int] = frozenset({429, 502, 503, 504})
    retry_non_idempotent: bool = False
    sleep: Callable[[float], Awaitable[None]] = field(
        default=asyncio.sleep, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"RetryPolicy.max_attempts must be >= 1, got {self.max_attempts}")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("RetryPolicy delays must be >= 0")
        # Accept any iterable of ints (a set literal is the natural way to write it).
        object.__setattr__(self, "retry_statuses", frozenset(self.retry_statuses))

    def backoff(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """Delay after failed attempt number ``attempt`` (1-based), before any Retry-After."""
        delay = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        if self.jitter:
            delay = delay / 2 + rng() * delay / 2
        return delay


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None.

    ``now`` is the current Unix time, used for the HTTP-date form. Past dates give 0.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - now
    if seconds != seconds or seconds == float("inf"):  # NaN or inf
        return None
    return max(0.0, seconds)


class RetryTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` that retries the wrapped transport under a ``RetryPolicy``.

    ``clock`` (Unix time, for HTTP-date ``Retry-After``) and ``rng`` (jitter) are injectable.
    """

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        policy: RetryPolicy | None = None,
        *,
        clock: Callable[[], float] = time.time,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.transport = transport
        self.policy: RetryPolicy = policy or RetryPolicy()
        self._clock = clock
        self._rng = rng

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, retrying as the policy allows; the last failure propagates."""
        policy = self.policy
        idempotent = request.method in IDEMPOTENT_METHODS or policy.retry_non_idempotent
        replayable = _is_replayable(request)
        attempt = 1
        while True:
            try:
                response = await self.transport.handle_async_request(request)
            except _NOT_SENT_ERRORS as exc:
                if attempt >= policy.max_attempts or not replayable:
                    raise
                delay = policy.backoff(attempt, self._rng)
                reason = type(exc).__name__
            except _MAYBE_SENT_ERRORS as exc:
                if attempt >= policy.max_attempts or not (idempotent and replayable):
                    raise
                delay = policy.backoff(attempt, self._rng)
                reason = type(exc).__name__
            else:
                status = response.status_code
                retryable = status in policy.retry_statuses and (status == 429 or idempotent)
                if not retryable or attempt >= policy.max_attempts or not replayable:
                    return response
                delay = policy.backoff(attempt, self._rng)
                after = parse_retry_after(response.headers.get("Retry-After"), self._clock())
                if after is not None:
                    delay = min(after, policy.max_delay)
                reason = f"HTTP {status}"
                await response.aclose()  # read already (BodyTransport): the connection stays
            logger.info(
                "retrying %s %s in %.2fs (attempt %d of %d failed: %s)",
                request.method,
                request.url,
                delay,
                attempt,
                policy.max_attempts,
                reason,
            )
            await policy.sleep(delay)
            attempt += 1

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.transport.aclose()


def _is_replayable(request: httpx.Request) -> bool:
    """True when the body can be sent again (bytes, not a one-shot stream)."""
    try:
        request.content  # noqa: B018 - raises RequestNotRead for unread streaming bodies
    except httpx.RequestNotRead:
        return False
    return True
