"""Auth providers: Basic, personal access token (PAT) and OAuth2 bearer tokens.

Stage: runtime (hand-written). Layer: auth, between the transport (retries, rate limit) and
``Dhis2Client``. Every provider is an ``httpx.Auth`` (so it also works with a bare
``httpx.AsyncClient``) and is resolved per request: the ``Authorization`` header is set as each
request leaves, so a refreshed OAuth2 token is picked up by the next request without rebuilding
anything.

Secrets are kept in private attributes and never printed: ``repr`` shows the kind and the
non-secret parts (username, client id, token URL) only.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncGenerator, Callable, Generator, Iterator
from typing import ClassVar, Literal, cast

import httpx

from ._errors import OAuth2FlowError

__all__ = ["BasicAuth", "Dhis2Auth", "OAuth2Auth", "PatAuth"]

DEFAULT_TOKEN_PATH = "uaa/oauth/token"
_REDACTED = "'**********'"


class Dhis2Auth(httpx.Auth):
    """Base class of the DHIS2 auth providers (an ``httpx.Auth`` that never shows its secret)."""

    kind: ClassVar[str] = "none"

    def bind(self, base_url: httpx.URL) -> None:
        """Tell the provider which DHIS2 server it serves (``Dhis2Client`` calls this).

        Only providers that talk to the server themselves (OAuth2) use it.
        """


class BasicAuth(Dhis2Auth):
    """HTTP Basic auth with a DHIS2 username and password."""

    kind: ClassVar[str] = "basic"

    def __init__(self, username: str, password: str) -> None:
        if not username:
            raise ValueError("BasicAuth needs a non-empty username")
        self.username = username
        self._password = password
        raw = f"{username}:{password}".encode()
        self._header = "Basic " + base64.b64encode(raw).decode("ascii")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Set the ``Authorization: Basic …`` header."""
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return f"BasicAuth(username={self.username!r}, password={_REDACTED})"


class PatAuth(Dhis2Auth):
    """A DHIS2 personal access token, sent as ``Authorization: ApiToken d2pat_…``."""

    kind: ClassVar[str] = "pat"

    def __init__(self, token: str) -> None:
        token = token.strip()
        if not token:
            raise ValueError("PatAuth needs a non-empty token (DHIS2 tokens start with 'd2p')")
        self._header = f"ApiToken {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Set the ``Authorization: ApiToken …`` header."""
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return f"PatAuth(token={_REDACTED})"


GrantType = Literal["client_credentials", "password"]


class OAuth2Auth(Dhis2Auth):
    """OAuth2 bearer tokens from DHIS2's token endpoint, refreshed automatically.

    Uses the password grant when ``username`` is given, the client-credentials grant otherwise,
    and the refresh-token grant whenever the server handed out a refresh token (falling back to
    the primary grant if the refresh token is refused). A token is refreshed ``refresh_skew``
    seconds before it expires, and once more if the server still answers 401. Concurrent
    requests share one refresh: an ``asyncio.Lock`` lets exactly one request talk to the token
    endpoint while the others wait for its token.

    ``token_url`` may be absolute or relative to the DHIS2 base URL (default
    ``uaa/oauth/token``). Async only: the refresh lock is an ``asyncio.Lock``.
    """

    kind: ClassVar[str] = "oauth2"
    requires_request_body = True  # a request rejected with 401 is sent again after the refresh

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        username: str | None = None,
        password: str | None = None,
        token_url: str | None = None,
        scope: str | None = None,
        refresh_skew: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not client_id:
            raise ValueError("OAuth2Auth needs a client_id (the OAuth2 client registered in DHIS2)")
        if (username is None) != (password is None):
            raise ValueError("OAuth2Auth needs both username and password for the password grant")
        self.client_id = client_id
        self.username = username
        self.scope = scope
        self.grant_type: GrantType = "password" if username is not None else "client_credentials"
        self.refresh_skew = refresh_skew
        self._client_secret = client_secret
        self._password = password
        self._clock = clock
        self._token_url_setting = token_url or DEFAULT_TOKEN_PATH
        self._token_url: httpx.URL | None = None
        if httpx.URL(self._token_url_setting).is_absolute_url:
            self._token_url = httpx.URL(self._token_url_setting)
        self._access_token: str | None = None
        self._refresh_token: str | None = None
        self._expires_at: float | None = None
        self._generation = 0
        self._lock = asyncio.Lock()
        self.refresh_count: int = 0
        """How many times a token was fetched from the token endpoint (for monitoring)."""

    def bind(self, base_url: httpx.URL) -> None:
        """Resolve a relative ``token_url`` against the DHIS2 base URL (first binding wins)."""
        if self._token_url is None:
            base = str(base_url).rstrip("/") + "/"
            self._token_url = httpx.URL(base).join(self._token_url_setting.lstrip("/"))

    @property
    def token_url(self) -> str:
        """The resolved token endpoint, or the configured relative path if not bound yet."""
        return str(self._token_url) if self._token_url else self._token_url_setting

    def _needs_token(self) -> bool:
        if self._access_token is None:
            return True
        if self._expires_at is None:
            return False
        return self._clock() >= self._expires_at - self.refresh_skew

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Refuse synchronous use: the shared refresh needs an event loop."""
        raise OAuth2FlowError("OAuth2Auth works with httpx.AsyncClient / Dhis2Client only")
        yield request  # pragma: no cover - makes this a generator

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Attach a valid bearer token, refreshing first or after one 401 as needed."""
        await request.aread()
        if self._needs_token():
            async with self._lock:
                if self._needs_token():
                    for token_request in self._token_exchange(request):
                        token_response = yield token_request.request
                        await token_response.aread()
                        self._store_token(token_request, token_response)
        generation = self._generation
        request.headers["Authorization"] = f"Bearer {self._access_token}"
        response = yield request
        if response.status_code != 401:
            return
        async with self._lock:
            if self._generation == generation:
                # Nobody refreshed since this request left: the server rejected our token.
                self._access_token = None
                for token_request in self._token_exchange(request):
                    token_response = yield token_request.request
                    await token_response.aread()
                    self._store_token(token_request, token_response)
        request.headers["Authorization"] = f"Bearer {self._access_token}"
        yield request

    def _token_exchange(self, original: httpx.Request) -> Iterator[_TokenRequest]:
        """Yield token requests until one succeeded: refresh grant first, then the primary one.

        ``_store_token`` sets ``_access_token`` on success and raises on a final failure, so the
        loop stops as soon as a token is there.
        """
        if self._refresh_token is not None:
            yield self._build_token_request(original, refresh=True)
            if self._access_token is not None:
                return
        yield self._build_token_request(original, refresh=False)

    def _build_token_request(self, original: httpx.Request, *, refresh: bool) -> _TokenRequest:
        if self._token_url is None:
            raise OAuth2FlowError(
                f"OAuth2Auth has a relative token_url {self._token_url_setting!r} but no base "
                "URL: use it through Dhis2Client, or pass an absolute token_url."
            )
        form: dict[str, str]
        if refresh and self._refresh_token is not None:
            form = {"grant_type": "refresh_token", "refresh_token": self._refresh_token}
        elif self.grant_type == "password":
            form = {
                "grant_type": "password",
                "username": self.username or "",
                "password": self._password or "",
            }
        else:
            form = {"grant_type": "client_credentials"}
        if self.scope:
            form["scope"] = self.scope
        secret = f"{self.client_id}:{self._client_secret}".encode()
        headers = {
            "Authorization": "Basic " + base64.b64encode(secret).decode("ascii"),
            "Accept": "application/json",
        }
        request = httpx.Request(
            "POST",
            self._token_url,
            data=form,
            headers=headers,
            extensions={"timeout": original.extensions.get("timeout", {})},
        )
        return _TokenRequest(request, form["grant_type"], refresh)

    def _store_token(self, token_request: _TokenRequest, response: httpx.Response) -> None:
        self.refresh_count += 1
        grant = token_request.grant
        if response.status_code >= 400:
            if token_request.is_refresh and response.status_code in (400, 401):
                # An expired or revoked refresh token: forget it, the primary grant comes next.
                self._refresh_token = None
                return
            raise OAuth2FlowError(
                f"The OAuth2 {grant} grant at {self.token_url} was refused with "
                f"{response.status_code}{_describe_oauth_error(response)}. Check the client id "
                "and secret registered in DHIS2 (and the username and password for the password "
                "grant)."
            )
        try:
            data: object = json.loads(response.content)
        except ValueError:
            data = None
        token = (
            cast(dict[str, object], data).get("access_token") if isinstance(data, dict) else None
        )
        if not isinstance(token, str) or not token:
            raise OAuth2FlowError(
                f"The OAuth2 token endpoint {self.token_url} answered {response.status_code} "
                "without an access_token: check that token_url points at DHIS2's token endpoint."
            )
        body = cast(dict[str, object], data)
        expires_in = body.get("expires_in")
        refresh = body.get("refresh_token")
        self._access_token = token
        self._expires_at = (
            self._clock() + float(expires_in) if isinstance(expires_in, int | float) else None
        )
        if isinstance(refresh, str) and refresh:
            self._refresh_token = refresh
        self._generation += 1

    def __repr__(self) -> str:
        user = f", username={self.username!r}" if self.username is not None else ""
        return (
            f"OAuth2Auth(client_id={self.client_id!r}, client_secret={_REDACTED}, "
            f"grant_type={self.grant_type!r}{user}, token_url={self.token_url!r})"
        )


class _TokenRequest:
    """One request to the token endpoint and what it asked for (for error messages)."""

    __slots__ = ("grant", "is_refresh", "request")

    def __init__(self, request: httpx.Request, grant: str, is_refresh: bool) -> None:
        self.request = request
        self.grant = grant
        self.is_refresh = is_refresh


def _describe_oauth_error(response: httpx.Response) -> str:
    try:
        data: object = json.loads(response.content)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    body = cast(dict[str, object], data)
    parts = [str(body[key]) for key in ("error", "error_description") if body.get(key)]
    return f" ({': '.join(parts)})" if parts else ""


def resolve_auth(auth: httpx.Auth | tuple[str, str] | None) -> httpx.Auth | None:
    """Turn the ``auth=`` argument of ``Dhis2Client`` into an ``httpx.Auth``.

    A ``(username, password)`` tuple becomes ``BasicAuth``; any ``httpx.Auth`` is used as is.
    """
    if isinstance(auth, tuple):
        return BasicAuth(auth[0], auth[1])
    return auth
