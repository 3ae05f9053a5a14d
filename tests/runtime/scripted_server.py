"""A scripted HTTP/1.1 server on a real loopback socket, for what ``httpx.MockTransport`` cannot
play: a body dripped one byte at a time, a body cut off mid-transfer, a connection kept open
across requests. It counts what a test asserts on: accepted connections, requests, bytes dripped.

``/api/system/info`` always answers the recorded v42 system info (``Dhis2Client.connect()``);
every other request gets the next ``Reply`` of the script (the last one repeats).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Self

from tests.runtime.conftest import recorded_system_info

Reply = Callable[["Exchange"], Awaitable[bool]]
"""Writes one answer; returns True to keep the connection open for the next request."""


class Exchange:
    """One request being answered: the writer, plus a way to see the client hang up."""

    def __init__(
        self, server: ScriptedServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer

    def head(self, status: int, headers: dict[str, str]) -> None:
        lines = [f"HTTP/1.1 {status} Scripted"] + [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())

    async def body(self, data: bytes) -> bool:
        """Send ``data``; False once the client has gone away."""
        if self.reader.at_eof() or self.writer.is_closing():
            return False
        self.writer.write(data)
        try:
            await self.writer.drain()
        except ConnectionError:
            return False
        return True


def answer(status: int, body: bytes, headers: dict[str, str] | None = None) -> Reply:
    """A whole answer with its ``Content-Length``; the connection stays open."""

    async def reply(exchange: Exchange) -> bool:
        exchange.head(status, {"Content-Length": str(len(body)), **(headers or {})})
        return await exchange.body(body)

    return reply


def cut_off(body: bytes, sent: int) -> Reply:
    """Promise ``body`` (its ``Content-Length``), send its first ``sent`` bytes, hang up."""

    async def reply(exchange: Exchange) -> bool:
        exchange.head(200, {"Content-Length": str(len(body)), "Content-Type": "application/json"})
        await exchange.body(body[:sent])
        return False

    return reply


def drip(body: bytes, interval: float) -> Reply:
    """Send ``body`` one byte every ``interval`` seconds until done or the client hangs up."""

    async def reply(exchange: Exchange) -> bool:
        exchange.head(200, {"Content-Length": str(len(body)), "Content-Type": "application/json"})
        for index in range(len(body)):
            if not await exchange.body(body[index : index + 1]):
                return False
            exchange.server.bytes_dripped += 1
            await asyncio.sleep(interval)
        return True

    return reply


class ScriptedServer:
    """``async with ScriptedServer([replies]) as server: ... server.base_url``."""

    def __init__(self, script: Sequence[Reply]) -> None:
        self.script = list(script)
        self.connections = 0
        self.requests: list[str] = []
        self.bytes_dripped = 0
        """Bytes ``drip`` replies sent before the client hung up (or the body ended)."""
        self._server: asyncio.Server | None = None
        self.base_url = ""
        """``http://127.0.0.1:port``, once started."""
        self._writers: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[None]] = set()
        self._info = json.dumps(recorded_system_info("v42")).encode()

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        host, port = self._server.sockets[0].getsockname()[:2]
        self.base_url = f"http://{host}:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        # A dripping reply notices the closed writer before its next byte and ends.
        await asyncio.gather(*self._handlers)
        await self._server.wait_closed()

    def _next_reply(self, target: str) -> Reply:
        if target.startswith("/api/system/info"):
            return answer(200, self._info, {"Content-Type": "application/json"})
        self.requests.append(target)
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        self._writers.add(writer)
        exchange = Exchange(self, reader, writer)
        try:
            while target := await _read_request(reader):
                if not await self._next_reply(target)(exchange):
                    break
        except ConnectionError:
            pass
        finally:
            self._writers.discard(writer)
            self._handlers.discard(handler)
            writer.close()


async def _read_request(reader: asyncio.StreamReader) -> str | None:
    """The target of the next request on the connection (its body skipped), None at its end."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return lines[0].split(" ")[1]
