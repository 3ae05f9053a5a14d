"""Shared helpers for the runtime tests: the asyncio backend, recorded system info, a mock DHIS2,
a fake clock.

``MockDhis2`` is an ``httpx.MockTransport`` handler with a route table and a request log, for
the unit tests that need no real socket; the stand-in server fixtures serve the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.paths import SHARED_DHIS2

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (``pytestmark = pytest.mark.anyio``) run on asyncio only."""
    return "asyncio"


def recorded_system_info(version: str) -> dict[str, Any]:
    """The recorded ``/api/system/info`` body of ``vNN``."""
    with (SHARED_DHIS2 / version / "system-info.json").open() as fh:
        data: dict[str, Any] = json.load(fh)
    return data


class MockDhis2:
    """A route table (``(method, path) -> handler``) plus a log of every request seen."""

    def __init__(self, server_version: str = "2.42.4-SNAPSHOT") -> None:
        self.server_version = server_version
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], Handler] = {}
        self.route("GET", "/api/system/info", self._system_info)

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    def json(self, method: str, path: str, body: object, status: int = 200) -> None:
        self.route(method, path, lambda _request: httpx.Response(status, json=body))

    def _system_info(self, _request: httpx.Request) -> httpx.Response:
        info = recorded_system_info("v42")
        info["version"] = self.server_version
        return httpx.Response(200, json=info)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        handler = self.routes.get((request.method, request.url.path))
        if handler is None:
            return httpx.Response(
                404,
                json={
                    "httpStatus": "Not Found",
                    "httpStatusCode": 404,
                    "status": "ERROR",
                    "message": f"No route {request.method} {request.url.path}",
                },
            )
        return handler(request)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def paths(self) -> list[str]:
        return [request.url.path for request in self.requests]


class FakeTime:
    """A clock that only moves when ``sleep`` is awaited; every requested delay is recorded."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        self.now += delay
