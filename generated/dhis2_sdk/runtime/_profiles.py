"""Connection profiles: where a DHIS2 server is and how to log in, from code or environment.

Stage: runtime (hand-written). A ``Profile`` holds credentials as ``SecretStr`` (never shown in
``repr``); ``profile_from_env_raw`` reads ``DHIS2_URL`` plus ``DHIS2_PAT`` (which wins) or
``DHIS2_USERNAME`` + ``DHIS2_PASSWORD``, and ``DHIS2_VERSION``; ``open_client`` turns a profile
into a connected ``Dhis2Client``.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncGenerator, Mapping
from contextlib import asynccontextmanager
from typing import ClassVar, Literal, Self

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr, field_validator, model_validator

from ._auth import (
    DEFAULT_REFRESH_SKEW,
    DEFAULT_TOKEN_RETRY_DELAY,
    BasicAuth,
    Dhis2Auth,
    OAuth2Auth,
    PatAuth,
)
from ._client import Backend, Dhis2Client
from ._errors import InvalidProfileNameError, NoProfileError
from ._retry import RetryPolicy
from ._versions import normalize_version_key

__all__ = [
    "AuthKind",
    "Profile",
    "open_client",
    "profile_from_env_raw",
    "validate_profile_name",
]

AuthKind = Literal["basic", "pat", "oauth2"]
_PROFILE_NAME_RE = re.compile(r"\A[A-Za-z][A-Za-z0-9_]{0,63}\Z")


def validate_profile_name(name: str) -> str:
    """Return ``name`` if it is a valid profile name, else raise ``InvalidProfileNameError``.

    Rule: a letter, then letters, digits or underscores; at most 64 characters.
    """
    if not _PROFILE_NAME_RE.match(name):
        raise InvalidProfileNameError(
            f"Invalid profile name {name!r}: use a letter followed by letters, digits or "
            "underscores, at most 64 characters (for example 'play_v42')."
        )
    return name


class Profile(BaseModel):
    """How to reach one DHIS2 server: URL, auth kind, credentials and an optional version pin."""

    # A misspelt key (``passwd``) or a URL with a password in it must not be echoed back in
    # the error message pydantic prints: inputs are hidden.
    model_config: ClassVar[ConfigDict] = ConfigDict(
        frozen=True, extra="forbid", hide_input_in_errors=True
    )

    name: str | None = None
    base_url: str
    auth: AuthKind
    username: str | None = None
    password: SecretStr | None = None
    token: SecretStr | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    token_url: str | None = None
    scope: str | None = None
    refresh_skew: float = DEFAULT_REFRESH_SKEW
    """OAuth2: seconds before expiry to refresh (``OAuth2Auth``'s default when unset)."""
    token_retry_delay: float = DEFAULT_TOKEN_RETRY_DELAY
    """OAuth2: seconds a failed token request is remembered (``OAuth2Auth``'s default when
    unset)."""
    version: str | None = None

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str | None) -> str | None:
        return None if value is None else validate_profile_name(value)

    @field_validator("version")
    @classmethod
    def _check_version(cls, value: str | None) -> str | None:
        return None if value is None else normalize_version_key(value)

    @model_validator(mode="after")
    def _check_credentials(self) -> Self:
        missing: list[str] = []
        if self.auth == "basic":
            missing = [f for f in ("username", "password") if getattr(self, f) is None]
        elif self.auth == "pat":
            missing = ["token"] if self.token is None else []
        else:
            missing = [f for f in ("client_id", "client_secret") if getattr(self, f) is None]
        if missing:
            raise ValueError(f"auth={self.auth!r} needs {', '.join(missing)}")
        return self

    def build_auth(self) -> Dhis2Auth:
        """The auth provider this profile describes."""
        if self.auth == "pat" and self.token is not None:
            return PatAuth(self.token.get_secret_value())
        if self.auth == "basic" and self.username is not None and self.password is not None:
            return BasicAuth(self.username, self.password.get_secret_value())
        if self.client_id is None or self.client_secret is None:
            raise ValueError(f"profile auth={self.auth!r} lacks its credentials")
        password = self.password.get_secret_value() if self.password is not None else None
        return OAuth2Auth(
            self.client_id,
            self.client_secret.get_secret_value(),
            username=self.username if password is not None else None,
            password=password if self.username is not None else None,
            token_url=self.token_url,
            scope=self.scope,
            refresh_skew=self.refresh_skew,
            token_retry_delay=self.token_retry_delay,
        )


def profile_from_env_raw(env: Mapping[str, str] | None = None) -> Profile | None:
    """A profile from environment variables (``os.environ`` unless ``env`` is given).

    ``None`` when ``DHIS2_URL`` is unset or empty. ``DHIS2_PAT`` wins over
    ``DHIS2_USERNAME`` + ``DHIS2_PASSWORD``; ``DHIS2_VERSION`` may be ``42`` or ``v42``.
    Raises ``NoProfileError`` when the URL is set but the credentials are not.
    """
    source = os.environ if env is None else env

    def value(key: str) -> str | None:
        text = source.get(key, "").strip()
        return text or None

    url = value("DHIS2_URL")
    if url is None:
        return None
    version = value("DHIS2_VERSION")
    if version is not None:
        try:
            version = normalize_version_key(version)
        except ValueError as exc:
            raise NoProfileError(f"DHIS2_VERSION={version!r} is not valid: {exc}") from None
    pat = value("DHIS2_PAT")
    if pat is not None:
        return Profile(base_url=url, auth="pat", token=SecretStr(pat), version=version)
    username, password = value("DHIS2_USERNAME"), source.get("DHIS2_PASSWORD")
    if username is not None and password:
        return Profile(
            base_url=url,
            auth="basic",
            username=username,
            password=SecretStr(password),
            version=version,
        )
    raise NoProfileError(
        "DHIS2_URL is set but no credentials are: set DHIS2_PAT to a personal access token, or "
        "both DHIS2_USERNAME and DHIS2_PASSWORD."
    )


@asynccontextmanager
async def open_client(
    profile: Profile | None = None,
    *,
    timeout: float = 30.0,  # noqa: ASYNC109 - the HTTP timeout handed to Dhis2Client
    connect_timeout: float = 60.0,
    allow_version_fallback: bool = False,
    retry_policy: RetryPolicy | None = None,
    http_limits: httpx.Limits | None = None,
    rate_limit: float | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    backend: Backend = "httpx",
) -> AsyncGenerator[Dhis2Client]:
    """``async with open_client(profile) as client:`` a connected client for a profile.

    Without a profile it reads one from the environment (``profile_from_env_raw``) and raises
    ``NoProfileError`` if there is none.
    """
    if profile is None:
        profile = profile_from_env_raw()
    if profile is None:
        raise NoProfileError(
            "No DHIS2 profile: pass a Profile, or set DHIS2_URL and DHIS2_PAT (or "
            "DHIS2_USERNAME and DHIS2_PASSWORD) in the environment."
        )
    client = Dhis2Client(
        profile.base_url,
        auth=profile.build_auth(),
        timeout=timeout,
        connect_timeout=connect_timeout,
        allow_version_fallback=allow_version_fallback,
        version=profile.version,
        retry_policy=retry_policy,
        http_limits=http_limits,
        rate_limit=rate_limit,
        transport=transport,
        backend=backend,
    )
    async with client:
        yield client
