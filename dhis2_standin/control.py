"""The test-only control API under ``/__standin__/`` (no DHIS2 has it; no auth needed).

``GET stats``; ``POST reset``; ``GET|POST|PUT|DELETE faults`` (list, append, replace, clear;
body ``{"faults": [{"kind": "error", "status": 503, "count": 2, "path": "/api/dataElements"}]}``);
``GET|POST config`` (``{"token_lifetime": s, "job_duration": s}``); ``POST tokens/expire``;
``GET blob?size=BYTES[&chunk=BYTES]`` streams a deterministic body (byte i is ``i % 256``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from dhis2_standin.faults import Fault, FaultSpecError
from dhis2_standin.jsontypes import JsonObject, parse_object
from dhis2_standin.state import StandinState
from dhis2_standin.webmessage import JsonResponse, error_response

_PATTERN = bytes(range(256)) * 1024  # 256 KiB; byte i of a blob is i % 256
MAX_CHUNK = len(_PATTERN)


async def blob_chunks(size: int, chunk: int) -> AsyncIterator[bytes]:
    """``size`` bytes of the pattern in ``chunk``-sized pieces, never held whole."""
    sent = 0
    view = memoryview(_PATTERN)
    while sent < size:
        length = min(chunk, size - sent)
        yield bytes(view[:length])
        sent += length


class Control:
    """Control-API handlers bound to one stand-in's state."""

    def __init__(self, state: StandinState) -> None:
        self.state = state

    async def stats(self, request: Request) -> Response:
        return JsonResponse(self.state.stats())

    async def reset(self, request: Request) -> Response:
        # Sockets that clients closed just before this request may not have been seen closing
        # yet; let the loop process them so the reset peak does not include them.
        await asyncio.sleep(0.01)
        self.state.reset()
        return JsonResponse({"status": "OK"})

    async def faults(self, request: Request) -> Response:
        book = self.state.faults
        if request.method == "DELETE":
            book.replace(())
        elif request.method in ("POST", "PUT"):
            try:
                body = parse_object(await request.body())
                listed = body.get("faults")
                if not isinstance(listed, list):
                    raise FaultSpecError('body must be {"faults": [...]}')
                faults = [Fault.from_json(item) for item in listed if isinstance(item, dict)]
                if len(faults) != len(listed):
                    raise FaultSpecError("each fault must be a JSON object")
            except ValueError as exc:
                return error_response(400, str(exc))
            if request.method == "PUT":
                book.replace(faults)
            else:
                book.add(faults)
        return JsonResponse({"faults": list(book.listing())})

    async def config(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                body = parse_object(await request.body())
                for key, value in body.items():
                    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                        raise ValueError(f"`{key}` must be a non-negative number of seconds")
                    if key == "token_lifetime":
                        self.state.auth.token_lifetime = float(value)
                    elif key == "job_duration":
                        self.state.jobs.duration = float(value)
                    else:
                        raise ValueError(f"unknown setting `{key}`")
            except ValueError as exc:
                return error_response(400, str(exc))
        current: JsonObject = {
            "token_lifetime": self.state.auth.token_lifetime,
            "job_duration": self.state.jobs.duration,
        }
        return JsonResponse(current)

    async def expire_tokens(self, request: Request) -> Response:
        return JsonResponse({"expired": self.state.auth.expire_tokens()})

    async def blob(self, request: Request) -> Response:
        try:
            size = int(request.query_params.get("size", "0"))
            chunk = int(request.query_params.get("chunk", str(64 * 1024)))
        except ValueError:
            return error_response(400, "size and chunk must be integers")
        if size < 0 or not 1 <= chunk <= MAX_CHUNK:
            return error_response(400, f"size must be >= 0 and chunk in 1..{MAX_CHUNK}")
        headers = {"Content-Length": str(size)}
        return StreamingResponse(
            blob_chunks(size, chunk), media_type="application/octet-stream", headers=headers
        )

    def routes(self) -> list[Route]:
        """Routes under ``/__standin__``."""
        return [
            Route("/__standin__/stats", self.stats, methods=["GET"]),
            Route("/__standin__/reset", self.reset, methods=["POST"]),
            Route("/__standin__/faults", self.faults, methods=["GET", "POST", "PUT", "DELETE"]),
            Route("/__standin__/config", self.config, methods=["GET", "POST"]),
            Route("/__standin__/tokens/expire", self.expire_tokens, methods=["POST"]),
            Route("/__standin__/blob", self.blob, methods=["GET"]),
        ]
