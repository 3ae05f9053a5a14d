"""Authentication as DHIS2 does it: Basic, ``ApiToken`` personal access tokens, and OAuth2
bearer tokens issued by ``POST /uaa/oauth/token`` (also served at ``/oauth2/token``).

Credentials are fixed test values (below). Tokens live in memory with a configurable lifetime;
the issue and refresh counts are kept for the stats endpoint.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "district"
OAUTH_CLIENT_ID = "dhis2-sdk-standin"
OAUTH_CLIENT_SECRET = "standin-secret"
DEFAULT_TOKEN_LIFETIME = 3600.0

_PAT_BODY = "StandinPersonalAccessToken000042"


def make_pat(body: str) -> str:
    """A DHIS2 v1 personal access token: ``d2pat_`` + 32 characters + a 10-digit CRC32."""
    if len(body) != 32 or not body.isalnum():
        raise ValueError("a PAT body is 32 letters or digits")
    return f"d2pat_{body}{zlib.crc32(body.encode()):010d}"


DEFAULT_PAT = make_pat(_PAT_BODY)


class AuthError(Exception):
    """A request DHIS2 would answer with 401; ``message`` is the WebMessage text."""

    def __init__(self, message: str, *, bearer_error: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.bearer_error = bearer_error


class OAuthError(Exception):
    """A token request the OAuth2 endpoint refuses (RFC 6749 section 5.2)."""

    def __init__(self, status_code: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status_code = status_code
        self.error = error
        self.description = description


@dataclass(slots=True)
class _Token:
    username: str
    expires_at: float


@dataclass(slots=True)
class AuthState:
    """Users, PATs, OAuth clients and issued tokens of one stand-in."""

    users: dict[str, str] = field(default_factory=lambda: {DEFAULT_USERNAME: DEFAULT_PASSWORD})
    pats: dict[str, str] = field(default_factory=lambda: {DEFAULT_PAT: DEFAULT_USERNAME})
    clients: dict[str, str] = field(default_factory=lambda: {OAUTH_CLIENT_ID: OAUTH_CLIENT_SECRET})
    token_lifetime: float = DEFAULT_TOKEN_LIFETIME
    access_tokens: dict[str, _Token] = field(default_factory=dict[str, _Token])
    refresh_tokens: dict[str, str] = field(default_factory=dict[str, str])
    tokens_issued: int = 0
    tokens_refreshed: int = 0
    auth_failures: int = 0

    def reset(self, token_lifetime: float) -> None:
        """Forget issued tokens and zero the counters."""
        self.access_tokens.clear()
        self.refresh_tokens.clear()
        self.token_lifetime = token_lifetime
        self.tokens_issued = self.tokens_refreshed = self.auth_failures = 0

    def expire_tokens(self) -> int:
        """Make every issued access token expired now; return how many there were."""
        for token in self.access_tokens.values():
            token.expires_at = 0.0
        return len(self.access_tokens)

    def authenticate(self, authorization: str | None) -> str:
        """The username an ``Authorization`` header authenticates, or :class:`AuthError`."""
        try:
            return self._authenticate(authorization)
        except AuthError:
            self.auth_failures += 1
            raise

    def _authenticate(self, authorization: str | None) -> str:
        if not authorization:
            raise AuthError("Unauthorized")
        scheme, _, credentials = authorization.strip().partition(" ")
        scheme = scheme.lower()
        credentials = credentials.strip()
        if scheme == "basic":
            username, password = _decode_basic(credentials)
            if self.users.get(username) != password or password is None:
                raise AuthError("Unauthorized")
            return username
        if scheme == "apitoken":
            if not credentials or " " in credentials:
                raise AuthError("Api token is malformed")
            owner = self.pats.get(credentials)
            if owner is None:
                raise AuthError("The API token does not exists")
            return owner
        if scheme == "bearer":
            token = self.access_tokens.get(credentials)
            if token is None:
                raise AuthError("Invalid access token", bearer_error="invalid_token")
            if token.expires_at <= time.monotonic():
                raise AuthError("Access token expired", bearer_error="invalid_token")
            return token.username
        raise AuthError("Unauthorized")

    def issue_token(
        self, form: Mapping[str, str], authorization: str | None
    ) -> dict[str, str | int]:
        """Answer a token request (password, client_credentials or refresh_token grant)."""
        client_id, client_secret = (
            _decode_basic(authorization.partition(" ")[2]) if authorization else ("", None)
        )
        client_id = client_id or form.get("client_id", "")
        client_secret = client_secret if client_secret is not None else form.get("client_secret")
        if self.clients.get(client_id) != client_secret or client_secret is None:
            raise OAuthError(401, "invalid_client", "Bad client credentials")
        grant = form.get("grant_type", "")
        if grant == "password":
            username = form.get("username", "")
            if self.users.get(username) != form.get("password"):
                raise OAuthError(400, "invalid_grant", "Bad credentials")
            self.tokens_issued += 1
            return self._new_token(username, with_refresh=True)
        if grant == "client_credentials":
            self.tokens_issued += 1
            return self._new_token(DEFAULT_USERNAME, with_refresh=False)
        if grant == "refresh_token":
            username = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if username is None:
                raise OAuthError(400, "invalid_grant", "Invalid refresh token")
            self.tokens_refreshed += 1
            return self._new_token(username, with_refresh=True)
        raise OAuthError(
            400, "unsupported_grant_type", f"Unsupported grant type: {grant or '(none)'}"
        )

    def _new_token(self, username: str, *, with_refresh: bool) -> dict[str, str | int]:
        access = secrets.token_urlsafe(24)
        self.access_tokens[access] = _Token(username, time.monotonic() + self.token_lifetime)
        body: dict[str, str | int] = {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": max(0, int(self.token_lifetime)),
            "scope": "ALL",
        }
        if with_refresh:
            refresh = secrets.token_urlsafe(24)
            self.refresh_tokens[refresh] = username
            body["refresh_token"] = refresh
        return body


def _decode_basic(credentials: str) -> tuple[str, str | None]:
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return "", None
    username, sep, password = decoded.partition(":")
    return username, password if sep else None
