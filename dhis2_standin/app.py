"""Assembles the stand-in ASGI application: version prefix → request counting → faults → auth
→ routes (DHIS2 API, OAuth2 token endpoint, control API), with DHIS2-style error bodies.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from dhis2_standin.api import Api, NoEndpointError, method_not_allowed, no_endpoint
from dhis2_standin.auth import AuthError, OAuthError
from dhis2_standin.control import Control
from dhis2_standin.data_api import DataApi
from dhis2_standin.faults import FaultMiddleware
from dhis2_standin.importer import ImportRequestError
from dhis2_standin.jsontypes import JsonError, JsonObject, dump_json
from dhis2_standin.query import QueryError
from dhis2_standin.state import StandinState
from dhis2_standin.webmessage import JSON_MEDIA_TYPE, JsonResponse, error_response, web_message

_VERSIONED = re.compile(r"^/api/(\d{2})(/.*)?$")
_PUBLIC_API_PATHS = frozenset({"/api/ping"})


class VersionPrefixMiddleware:
    """Serves ``/api/42/x`` as ``/api/x``; the original stays in ``scope["standin.raw_path"]``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = str(scope["path"])
            scope["standin.raw_path"] = path
            match = _VERSIONED.match(path)
            if match is not None:
                scope["path"] = "/api" + (match.group(2) or "")
        await self.app(scope, receive, send)


class CountingMiddleware:
    """Counts every request outside the control API."""

    def __init__(self, app: ASGIApp, state: StandinState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not str(scope["path"]).startswith("/__standin__"):
            self.state.requests.count(
                str(scope["method"]), str(scope.get("standin.raw_path", scope["path"]))
            )
        await self.app(scope, receive, send)


class AuthMiddleware:
    """Requires DHIS2 authentication on ``/api/...`` (401 WebMessage otherwise)."""

    def __init__(self, app: ASGIApp, state: StandinState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or not path.startswith("/api") or path in _PUBLIC_API_PATHS:
            await self.app(scope, receive, send)
            return
        authorization: str | None = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = bytes(value).decode("latin-1")
        try:
            scope["standin.user"] = self.state.auth.authenticate(authorization)
        except AuthError as exc:
            headers = [(b"content-type", JSON_MEDIA_TYPE.encode())]
            if exc.bearer_error is not None:
                challenge = f'Bearer error="{exc.bearer_error}", error_description="{exc.message}"'
                headers.append((b"www-authenticate", challenge.encode()))
            body = dump_json(web_message(401, exc.message))
            headers.append((b"content-length", str(len(body)).encode()))
            await send({"type": "http.response.start", "status": 401, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def _token_endpoint(state: StandinState) -> Callable[[Request], Awaitable[Response]]:
    """``POST /uaa/oauth/token``: the OAuth2 token endpoint (form-encoded, RFC 6749)."""

    async def token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        try:
            body = state.auth.issue_token(form, request.headers.get("authorization"))
        except OAuthError as exc:
            error: JsonObject = {"error": exc.error, "error_description": exc.description}
            return JsonResponse(error, exc.status_code)
        return JsonResponse(dict(body), headers={"Cache-Control": "no-store"})

    return token


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return no_endpoint(request)
    if status == 405:
        return method_not_allowed(request)
    return error_response(status, str(getattr(exc, "detail", "")) or "Error")


async def _bad_request(request: Request, exc: Exception) -> Response:
    return error_response(400, str(exc))


async def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(500, f"{type(exc).__name__}: {exc}")


def build_app(state: StandinState) -> ASGIApp:
    """The complete ASGI application for ``state``."""
    token = _token_endpoint(state)
    api = Api(state)

    async def no_collection(request: Request, exc: Exception) -> Response:
        return api.no_endpoint_response(request)

    routes = [
        Route("/uaa/oauth/token", token, methods=["POST"]),
        Route("/oauth2/token", token, methods=["POST"]),
        *Control(state).routes(),
        *DataApi(state).routes(),
        *api.routes(),
    ]
    starlette = Starlette(
        routes=routes,
        exception_handlers={
            HTTPException: _http_error,
            NoEndpointError: no_collection,
            QueryError: _bad_request,
            JsonError: _bad_request,
            ImportRequestError: _bad_request,
            Exception: _server_error,
        },
    )
    app: ASGIApp = AuthMiddleware(starlette, state)
    app = FaultMiddleware(app, state.faults, state.connections)
    app = CountingMiddleware(app, state)
    return VersionPrefixMiddleware(app)
