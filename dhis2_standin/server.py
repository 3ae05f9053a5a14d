"""Runs a stand-in under uvicorn and prints its base URL once it accepts connections."""

from __future__ import annotations

import socket
import sys
from typing import TextIO

import uvicorn

from dhis2_standin.app import build_app
from dhis2_standin.connections import protocol_class
from dhis2_standin.state import StandinState


class _AnnouncingServer(uvicorn.Server):
    """A uvicorn server that writes ``http://HOST:PORT`` to ``out`` when it is listening."""

    def __init__(self, config: uvicorn.Config, host: str, out: TextIO) -> None:
        super().__init__(config)
        self._host = host
        self._out = out

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self.started:
            return
        port = self.servers[0].sockets[0].getsockname()[1]
        self._out.write(f"http://{self._host}:{port}\n")
        self._out.flush()


def serve(
    state: StandinState, host: str = "127.0.0.1", port: int = 0, out: TextIO = sys.stdout
) -> None:
    """Serve ``state`` until interrupted (SIGINT/SIGTERM); ``port=0`` picks a free port."""
    config = uvicorn.Config(
        build_app(state),
        host=host,
        port=port,
        http=protocol_class(state.connections),
        lifespan="off",
        log_level="warning",
        access_log=False,
        backlog=2048,
        timeout_graceful_shutdown=1,
    )
    _AnnouncingServer(config, host, out).run()
