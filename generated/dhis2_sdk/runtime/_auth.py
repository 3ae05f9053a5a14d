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
import math
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Iterator
from typing import ClassVar, Literal, cast

import httpx

from ._errors import OAuth2FlowError, TokenEndpointError

__all__ = ["BasicAuth", "Dhis2Auth", "OAuth2Auth", "PatAuth"]

DEFAULT_TOKEN_PATH = "uaa/oauth/token"
DEFAULT_REFRESH_SKEW = 30.0
"""Seconds before expiry that ``OAuth2Auth`` refreshes a token."""
DEFAULT_TOKEN_RETRY_DELAY = 5.0
"""Seconds ``OAuth2Auth`` remembers a failed token request."""
_REDACTED = "'**********'"

TokenSender = Callable[[httpx.Request], Awaitable[httpx.Response]]
"""Sends a token request without auth and returns the read response (``Dhis2Client`` binds one)."""


class Dhis2Auth(httpx.Auth):
    """Base class of the DHIS2 auth providers (an ``httpx.Auth`` that never shows its secret)."""

    kind: ClassVar[str] = "none"

    def bind(self, base_url: httpx.URL, send: TokenSender | None = None) -> None:
        """Tell the provider which DHIS2 server it serves and how to send requests of its own
        (``Dhis2Client`` calls this; ``send`` goes through its transports without auth).

        Only providers that talk to the server themselves (OAuth2) use it.
        """

    def fixed_header(self) -> str | None:
        """The ``Authorization`` value, when it is the same for every request (Basic, PAT).

        ``Dhis2Client`` then sends it with every request instead of running ``auth_flow`` per
        request; ``None`` (the default) runs the flow. A subclass that changes ``auth_flow``
        must return ``None`` here.
        """
        return None


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

    def fixed_header(self) -> str | None:
        """``Basic …``: the same for every request."""
        return self._header

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

    def fixed_header(self) -> str | None:
        """``ApiToken …``: the same for every request."""
        return self._header

    def __repr__(self) -> str:
        return f"PatAuth(token={_REDACTED})"


GrantType = Literal["client_credentials", "password"]


class OAuth2Auth(Dhis2Auth):
    """OAuth2 bearer tokens from DHIS2's token endpoint, refreshed automatically.

    Uses the password grant when ``username`` is given, the client-credentials grant otherwise,
    and the refresh-token grant whenever the server handed out a refresh token (falling back to
    the primary grant if the refresh token is refused as invalid or expired). ``token_url`` may
    be absolute or relative to the DHIS2 base URL (default ``uaa/oauth/token``). Async only.

    When: a token is refreshed ``refresh_skew`` seconds before it expires (at half its lifetime
    if that is shorter), and once more if the server still answers 401. An ``expires_in`` that is
    missing, not a number, zero or negative means the lifetime is unknown: the token is used
    until the server answers 401, then refreshed once. A floor would only guess at a lifetime
    the server did not give, and taking 0 literally would fetch a token before every request.
    If a refresh made ahead of expiry fails, requests go on with the token that still works and
    the refresh is tried again after ``token_retry_delay``; only once the token has expired does
    the failure reach the caller.

    Single flight: concurrent requests that need a token share one exchange with the token
    endpoint. The first one sends it (through ``Dhis2Client``'s transports, without auth); the
    others wait for its outcome. If it fails, every waiter gets the same ``TokenEndpointError``
    (which names the token URL, the status and the OAuth2 ``error``) at once, so 50 requests
    against a hanging endpoint fail after one timeout, not fifty. The failure is remembered for
    ``token_retry_delay`` seconds: requests in that window get the same error without a new
    request to the endpoint (a fast failure, and no stampede of retries against a token server
    that is down or a client secret that is wrong); the first request after it tries again. If
    the request leading the exchange is cancelled, a waiter takes over.

    Used with a bare ``httpx.AsyncClient`` instead of ``Dhis2Client``, that client sends the
    token request; if it raises (a timeout, a refused connection) the request that sent it gets
    httpx's error and the waiters a ``TokenEndpointError`` saying the endpoint did not answer.
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
        refresh_skew: float = DEFAULT_REFRESH_SKEW,
        token_retry_delay: float = DEFAULT_TOKEN_RETRY_DELAY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not client_id:
            raise ValueError("OAuth2Auth needs a client_id (the OAuth2 client registered in DHIS2)")
        if (username is None) != (password is None):
            raise ValueError("OAuth2Auth needs both username and password for the password grant")
        if token_url is not None and httpx.URL(token_url).userinfo:
            raise ValueError(
                "Do not put credentials in token_url (they would leak into logs and errors): "
                "pass client_id and client_secret instead."
            )
        self.client_id = client_id
        self.username = username
        self.scope = scope
        self.grant_type: GrantType = "password" if username is not None else "client_credentials"
        self.refresh_skew = refresh_skew
        self.token_retry_delay = token_retry_delay
        self._client_secret = client_secret
        self._password = password
        self._clock = clock
        self._token_url_setting = token_url or DEFAULT_TOKEN_PATH
        self._token_url: httpx.URL | None = None
        if httpx.URL(self._token_url_setting).is_absolute_url:
            self._token_url = httpx.URL(self._token_url_setting)
        self._send: TokenSender | None = None
        self._access_token: str | None = None
        self._refresh_token: str | None = None
        self._refresh_at: float | None = None
        self._expires_at: float | None = None
        self._generation = 0
        self._flight: asyncio.Future[None] | None = None
        """The exchange in progress, or the last one if it failed less than a delay ago."""
        self._retry_at = 0.0
        self.refresh_count: int = 0
        """How many times a token was fetched from the token endpoint (for monitoring)."""

    def bind(self, base_url: httpx.URL, send: TokenSender | None = None) -> None:
        """Resolve a relative ``token_url`` against the DHIS2 base URL and keep ``send`` for the
        token requests (first binding wins for both)."""
        if self._token_url is None:
            base = str(base_url).rstrip("/") + "/"
            self._token_url = httpx.URL(base).join(self._token_url_setting.lstrip("/"))
        if self._send is None:
            self._send = send

    @property
    def token_url(self) -> str:
        """The resolved token endpoint, or the configured relative path if not bound yet."""
        return str(self._token_url) if self._token_url else self._token_url_setting

    def _needs_token(self) -> bool:
        if self._access_token is None:
            return True
        return self._refresh_at is not None and self._clock() >= self._refresh_at

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
        for attempt in range(2):  # the request, and once more after a 401
            while self._needs_token():
                flight = self._flight
                if flight is not None and (not flight.done() or self._clock() < self._retry_at):
                    # Shielded: a waiter that is cancelled must not cancel everybody's exchange.
                    await asyncio.shield(flight)  # raises the exchange's error
                    continue
                flight = self._flight = asyncio.get_running_loop().create_future()
                grant: str = self.grant_type
                try:
                    for token_request in self._token_exchange(request):
                        grant = token_request.grant
                        if self._send is not None:
                            response = await self._post(self._send, token_request)
                        else:  # a bare httpx.AsyncClient: it sends the token request for us
                            response = yield token_request.request
                            await response.aread()
                        self._store_token(token_request, response)
                except GeneratorExit:
                    # That bare client raised (a timeout, …) to the request that sent it only.
                    self._land(flight, self._no_answer(grant, "its httpx client raised"))
                    raise
                except BaseException as exc:
                    if self._land(flight, exc):
                        continue  # a refresh ahead of expiry failed: the token still works
                    raise
                self._land(flight, None)
            generation = self._generation
            request.headers["Authorization"] = f"Bearer {self._access_token}"
            response = yield request
            if response.status_code != 401 or attempt:
                return
            if self._generation == generation:
                # Nobody refreshed since this request left: the server rejected our token.
                self._access_token = None

    def _land(self, flight: asyncio.Future[None], error: BaseException | None) -> bool:
        """End an exchange: wake the waiters with its outcome, remember a failure for a while.

        A failed refresh made ahead of expiry (inside ``refresh_skew``) is absorbed: the token
        it would have replaced still works, so requests go on with it and the refresh is tried
        again after ``token_retry_delay`` (never later than the expiry). Returns True then.
        """
        now = self._clock()
        if isinstance(error, Exception):
            expires_at = self._expires_at
            if self._access_token is None or expires_at is None or now >= expires_at:
                flight.set_exception(error)
                flight.exception()  # retrieved: asyncio must not log it when nobody was waiting
                self._retry_at = now + self.token_retry_delay
                return False
            # A refresh ahead of expiry failed; the old token still works until expires_at.
            self._refresh_at = min(now + self.token_retry_delay, expires_at)
        # Done, the leading request was cancelled, or the old token still works: the waiters
        # look again (and one of them leads the next exchange if one is due).
        self._flight = None
        flight.set_result(None)
        return isinstance(error, Exception)

    async def _post(self, send: TokenSender, token_request: _TokenRequest) -> httpx.Response:
        try:
            return await send(token_request.request)
        except httpx.RequestError as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise self._no_answer(token_request.grant, reason) from exc

    def _no_answer(self, grant: str, reason: str) -> TokenEndpointError:
        return TokenEndpointError(
            f"The OAuth2 token endpoint {self.token_url} did not answer the {grant} grant "
            f"({reason}).",
            hint="Check token_url and that the server is reachable from here; if it is only "
            "slow, raise timeout=.",
            url=self.token_url,
            grant=grant,
            reason=reason,
        )

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
        body = _json_object(response.content)
        if response.status_code >= 400:
            if token_request.is_refresh and _refused_refresh_token(response.status_code, body):
                # An expired or revoked refresh token: forget it, the primary grant comes next.
                self._refresh_token = None
                return
            raise _refused(self.token_url, token_request.grant, response, body)
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise TokenEndpointError(
                f"The OAuth2 token endpoint {self.token_url} answered {response.status_code} "
                "without an access_token.",
                hint="Check that token_url points at DHIS2's token endpoint.",
                url=self.token_url,
                grant=token_request.grant,
                status_code=response.status_code,
                body_text=_first_bytes(response.content),
            )
        lifetime = _lifetime(body.get("expires_in"))
        self._access_token = token
        self._expires_at = None if lifetime is None else self._clock() + lifetime
        self._refresh_at = (
            None
            if lifetime is None
            else self._clock() + lifetime - min(self.refresh_skew, lifetime / 2)
        )
        refresh = body.get("refresh_token")
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


def _json_object(content: bytes) -> dict[str, object]:
    """The body as a JSON object, or an empty one if it is not one."""
    try:
        data: object = json.loads(content)
    except ValueError:
        return {}
    return cast(dict[str, object], data) if isinstance(data, dict) else {}


def _refused_refresh_token(status_code: int, body: dict[str, object]) -> bool:
    """Whether the refresh token (not the client) was refused: then the primary grant may work.

    RFC 6749 says ``400 invalid_grant``; DHIS2 before 2.41 (Spring Security OAuth) answered
    ``401 invalid_token``. ``invalid_client`` would refuse the primary grant just the same.
    """
    return status_code in (400, 401) and body.get("error") != "invalid_client"


def _refused(
    url: str, grant: str, response: httpx.Response, body: dict[str, object]
) -> TokenEndpointError:
    """The error for a 4xx or 5xx answer of the token endpoint."""
    oauth_error = _opt_text(body.get("error"))
    description = _opt_text(body.get("error_description")) or _opt_text(body.get("message"))
    parts = [part for part in (oauth_error, description) if part]
    detail = f" ({': '.join(parts)})" if parts else ""
    status = response.status_code
    if status >= 500:
        summary = (
            f"The OAuth2 token endpoint {url} failed with {status}{detail} on the {grant} grant."
        )
        hint = (
            "The server failed, not the credentials: try again later (OAuth2Auth asks again "
            "after token_retry_delay seconds), and check token_url and the DHIS2 server log if "
            "it persists."
        )
    else:
        summary = f"The OAuth2 {grant} grant at {url} was refused with {status}{detail}."
        hint = (
            "Check the client id and secret registered in DHIS2 (and the username and password "
            "for the password grant), and that token_url is DHIS2's token endpoint."
        )
    return TokenEndpointError(
        summary,
        hint=hint,
        url=url,
        grant=grant,
        status_code=status,
        message=description or response.reason_phrase,
        oauth_error=oauth_error,
        body_text=None if body else _first_bytes(response.content),
    )


def _lifetime(expires_in: object) -> float | None:
    """``expires_in`` in seconds, or None when it gives no usable lifetime (missing, not a
    number, zero, negative, infinite)."""
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float | str):
        return None
    try:
        seconds = float(expires_in)
    except ValueError:
        return None
    return seconds if 0 < seconds < math.inf else None


def _opt_text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _first_bytes(content: bytes) -> str | None:
    return content[:500].decode("utf-8", errors="replace").strip() or None


def resolve_auth(auth: httpx.Auth | tuple[str, str] | None) -> httpx.Auth | None:
    """Turn the ``auth=`` argument of ``Dhis2Client`` into an ``httpx.Auth``.

    A ``(username, password)`` tuple becomes ``BasicAuth``; any ``httpx.Auth`` is used as is.
    """
    if isinstance(auth, tuple):
        return BasicAuth(auth[0], auth[1])
    return auth
