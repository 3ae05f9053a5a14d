"""A trivial HTTP/1.1 server for client benchmarks: every GET gets the same JSON body.

Not a benchmark itself (``nox -s bench`` skips files starting with ``_``). A bare asyncio
protocol, so that the client, not the server, is the limit: ``GET /warm?n=N`` is held until N
of them wait (or ``WARM_TIMEOUT`` passed), so a burst of N makes a client open N connections;
``GET /__stats__`` reports the open connections; any other GET answers ``body`` at once.

Run: ``python benchmarks/_trivial_server.py BODY_FILE``; prints ``http://127.0.0.1:PORT`` once
it listens. ``TrivialServer`` starts and stops it as a child process.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

WARM_TIMEOUT = 10.0


def _response(body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class _Protocol(asyncio.Protocol):
    """One connection: answers each complete GET head in the buffer, in order."""

    open: ClassVar[int] = 0
    held: ClassVar[list[_Protocol]] = []

    def __init__(self, answer: bytes) -> None:
        self._answer = answer
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        _Protocol.open += 1

    def connection_lost(self, exc: Exception | None) -> None:
        _Protocol.open -= 1

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while (end := self._buffer.find(b"\r\n\r\n")) >= 0:
            head, self._buffer = self._buffer[:end], self._buffer[end + 4 :]
            path = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b"/"
            if path.startswith(b"/warm"):
                self._hold(int(path.partition(b"n=")[2] or b"1"))
            elif path.startswith(b"/__stats__"):
                # This request's own connection is not part of the client's pool.
                self._write(_response(json.dumps({"open": _Protocol.open - 1}).encode()))
            else:
                self._write(self._answer)

    def _hold(self, count: int) -> None:
        held = _Protocol.held
        held.append(self)
        if len(held) == 1:
            asyncio.get_running_loop().call_later(WARM_TIMEOUT, _Protocol.release)
        if len(held) >= count:
            _Protocol.release()

    @staticmethod
    def release() -> None:
        held, _Protocol.held = _Protocol.held, []
        for protocol in held:
            protocol._write(protocol._answer)

    def _write(self, data: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)


async def _serve(body: bytes) -> None:
    answer = _response(body)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Protocol(answer), "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


@dataclass(frozen=True, slots=True)
class TrivialServer:
    """A running trivial server (a child process) at ``base_url``."""

    base_url: str
    process: subprocess.Popen[bytes]

    @classmethod
    def start(cls, body_file: Path) -> TrivialServer:
        """Start a server answering ``body_file``'s bytes; wait until it listens."""
        process = subprocess.Popen(
            [sys.executable, __file__, str(body_file)], stdout=subprocess.PIPE
        )
        assert process.stdout is not None
        url = process.stdout.readline().decode().strip()
        if not url.startswith("http://"):
            process.kill()
            raise RuntimeError(f"the trivial server did not start (printed {url!r})")
        return cls(url, process)

    def stop(self) -> None:
        """Stop the child process."""
        self.process.terminate()
        self.process.wait(timeout=10)


if __name__ == "__main__":
    asyncio.run(_serve(Path(sys.argv[1]).read_bytes()))
