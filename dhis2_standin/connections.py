"""Socket-level connection accounting, and closing a client's socket on purpose.

Uvicorn builds one protocol object per accepted TCP connection; :func:`protocol_class` returns
an h11 protocol subclass that reports ``connection_made``/``connection_lost`` to a
:class:`ConnectionTracker`. The counts are therefore sockets, not requests, which is what a test
of a client's connection pool needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import cast

from uvicorn.protocols.http.h11_impl import H11Protocol

ClientKey = tuple[str, int]


def _key(peer: object) -> ClientKey | None:
    """``(host, port)`` of a peername or ASGI client (IPv6 peernames have 4 items)."""
    if not isinstance(peer, tuple | list):
        return None
    items = cast("Sequence[object]", peer)
    if len(items) >= 2 and isinstance(items[0], str) and isinstance(items[1], int):
        return items[0], items[1]
    return None


class ConnectionTracker:
    """Open/peak/total connection counts and the transport of each open one."""

    def __init__(self) -> None:
        self.open = 0
        self.peak = 0
        self.total = 0
        self.dropped = 0
        self._transports: dict[ClientKey, asyncio.BaseTransport] = {}

    def opened(self, transport: asyncio.BaseTransport) -> ClientKey | None:
        """Count a new connection; return its client key."""
        self.open += 1
        self.total += 1
        self.peak = max(self.peak, self.open)
        key = _key(transport.get_extra_info("peername"))
        if key is not None:
            self._transports[key] = transport
        return key

    def closed(self, key: ClientKey | None) -> None:
        """Count a connection as gone."""
        self.open -= 1
        if key is not None:
            self._transports.pop(key, None)

    def reset(self) -> None:
        """Zero the totals; the peak restarts from what is open now."""
        self.peak = self.open
        self.total = self.open
        self.dropped = 0

    async def drop(self, client: object) -> None:
        """Close the socket of ``client`` (an ASGI ``scope["client"]``) without a response."""
        key = _key(client)
        transport = self._transports.get(key) if key is not None else None
        if transport is None:
            return
        self.dropped += 1
        transport.close()
        # Let connection_lost run, so uvicorn sees the disconnect and sends nothing itself.
        for _ in range(100):
            if key not in self._transports:
                return
            await asyncio.sleep(0)


def protocol_class(tracker: ConnectionTracker) -> type[H11Protocol]:
    """An h11 protocol class whose connections ``tracker`` counts."""

    class CountingH11Protocol(H11Protocol):
        _standin_key: ClientKey | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:
            self._standin_key = tracker.opened(transport)
            super().connection_made(transport)

        def connection_lost(self, exc: Exception | None) -> None:
            tracker.closed(self._standin_key)
            super().connection_lost(exc)

    return CountingH11Protocol
