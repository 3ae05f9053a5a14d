"""Profiles: environment precedence, name rule, secrets kept out of repr, open_client."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from dhis2_sdk import (
    BasicAuth,
    InvalidProfileNameError,
    NoProfileError,
    OAuth2Auth,
    PatAuth,
    Profile,
    open_client,
    profile_from_env_raw,
    validate_profile_name,
)
from tests.runtime.conftest import MockDhis2

pytestmark = pytest.mark.anyio

URL = "https://play.dhis2.test"


@pytest.mark.parametrize(
    ("env", "auth", "version"),
    [
        ({}, None, None),
        ({"DHIS2_URL": "", "DHIS2_PAT": "d2pat_x"}, None, None),
        ({"DHIS2_PAT": "d2pat_x"}, None, None),
        ({"DHIS2_URL": URL, "DHIS2_PAT": "d2pat_x"}, "pat", None),
        (
            {
                "DHIS2_URL": URL,
                "DHIS2_PAT": "d2pat_x",
                "DHIS2_USERNAME": "admin",
                "DHIS2_PASSWORD": "district",
            },
            "pat",
            None,
        ),
        (
            {"DHIS2_URL": URL, "DHIS2_USERNAME": "admin", "DHIS2_PASSWORD": "district"},
            "basic",
            None,
        ),
        (
            {
                "DHIS2_URL": URL,
                "DHIS2_PAT": "",
                "DHIS2_USERNAME": "admin",
                "DHIS2_PASSWORD": "district",
            },
            "basic",
            None,
        ),
        ({"DHIS2_URL": URL, "DHIS2_PAT": "d2pat_x", "DHIS2_VERSION": "42"}, "pat", "v42"),
        ({"DHIS2_URL": URL, "DHIS2_PAT": "d2pat_x", "DHIS2_VERSION": "v43"}, "pat", "v43"),
        ({"DHIS2_URL": URL, "DHIS2_PAT": "d2pat_x", "DHIS2_VERSION": ""}, "pat", None),
    ],
)
def test_env_precedence(env: dict[str, str], auth: str | None, version: str | None) -> None:
    profile = profile_from_env_raw(env)
    if auth is None:
        assert profile is None
        return
    assert profile is not None
    assert (profile.base_url, profile.auth, profile.version) == (URL, auth, version)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DHIS2_URL": URL}, "DHIS2_URL is set but no credentials are"),
        ({"DHIS2_URL": URL, "DHIS2_USERNAME": "admin"}, "DHIS2_URL is set but no credentials are"),
        (
            {"DHIS2_URL": URL, "DHIS2_PASSWORD": "district"},
            "DHIS2_URL is set but no credentials are",
        ),
        (
            {"DHIS2_URL": URL, "DHIS2_PAT": "d2pat_x", "DHIS2_VERSION": "latest"},
            "DHIS2_VERSION='latest' is not valid",
        ),
    ],
)
def test_env_without_usable_credentials(env: dict[str, str], message: str) -> None:
    with pytest.raises(NoProfileError, match=message):
        profile_from_env_raw(env)


def test_env_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DHIS2_URL", URL)
    monkeypatch.setenv("DHIS2_USERNAME", "admin")
    monkeypatch.setenv("DHIS2_PASSWORD", "district")
    monkeypatch.delenv("DHIS2_PAT", raising=False)
    profile = profile_from_env_raw()
    assert profile is not None
    assert profile.auth == "basic"


@pytest.mark.parametrize("name", ["a", "play", "play_v42", "P2", "x" * 64])
def test_valid_profile_names(name: str) -> None:
    assert validate_profile_name(name) == name


@pytest.mark.parametrize(
    "name", ["", "1play", "_play", "play-v42", "play v42", "pläy", "x" * 65, "play\n"]
)
def test_invalid_profile_names(name: str) -> None:
    with pytest.raises(InvalidProfileNameError) as info:
        validate_profile_name(name)
    assert str(info.value) == (
        f"Invalid profile name {name!r}: use a letter followed by letters, digits or "
        "underscores, at most 64 characters (for example 'play_v42')."
    )
    assert isinstance(info.value, ValueError)


def test_profile_checks_name_credentials_and_version() -> None:
    with pytest.raises(ValidationError, match="Invalid profile name"):
        Profile(name="1x", base_url=URL, auth="pat", token=SecretStr("t"))
    with pytest.raises(ValidationError, match="auth='basic' needs password"):
        Profile(base_url=URL, auth="basic", username="admin")
    with pytest.raises(ValidationError, match="auth='oauth2' needs client_id, client_secret"):
        Profile(base_url=URL, auth="oauth2")
    assert Profile(base_url=URL, auth="pat", token=SecretStr("t"), version="2.42").version == "v42"


def test_profile_builds_its_auth() -> None:
    assert isinstance(Profile(base_url=URL, auth="pat", token=SecretStr("t")).build_auth(), PatAuth)
    basic = Profile(base_url=URL, auth="basic", username="admin", password=SecretStr("district"))
    assert isinstance(basic.build_auth(), BasicAuth)
    oauth = Profile(
        base_url=URL,
        auth="oauth2",
        client_id="c",
        client_secret=SecretStr("client-s3cret"),
        username="admin",
        password=SecretStr("district"),
    ).build_auth()
    assert isinstance(oauth, OAuth2Auth)
    assert oauth.grant_type == "password"


def test_an_oauth2_profile_carries_every_oauth2_setting() -> None:
    """A profile can say what OAuth2Auth takes: scope, refresh_skew, token_retry_delay."""
    oauth = Profile(
        base_url=URL,
        auth="oauth2",
        client_id="c",
        client_secret=SecretStr("client-s3cret"),
        token_url="https://sso.example.org/token",
        scope="ALL",
        refresh_skew=60,
        token_retry_delay=15,
    ).build_auth()
    assert isinstance(oauth, OAuth2Auth)
    assert (oauth.token_url, oauth.scope) == ("https://sso.example.org/token", "ALL")
    assert (oauth.refresh_skew, oauth.token_retry_delay) == (60, 15)
    default = Profile(
        base_url=URL, auth="oauth2", client_id="c", client_secret=SecretStr("s")
    ).build_auth()
    assert isinstance(default, OAuth2Auth)
    assert (default.scope, default.refresh_skew, default.token_retry_delay) == (None, 30.0, 5.0)


def test_profile_repr_hides_secrets() -> None:
    profile = Profile(
        name="play",
        base_url=URL,
        auth="oauth2",
        client_id="c",
        client_secret=SecretStr("client-s3cret"),
        username="admin",
        password=SecretStr("district"),
        token=SecretStr("d2pat_s3cr3t"),
    )
    text = f"{profile!r} {profile} {profile.model_dump()} {profile.model_dump_json()}"
    for secret in ("client-s3cret", "district", "d2pat_s3cr3t"):
        assert secret not in text


async def test_open_client_connects_with_the_profile() -> None:
    server = MockDhis2("2.43.1")
    profile = Profile(
        base_url="http://dhis2.test", auth="pat", token=SecretStr("d2pat_x"), version="43"
    )
    async with open_client(profile, transport=server.transport()) as client:
        assert client.version_key == "v43"
        assert client.pinned_version == "v43"
    assert not client.is_connected
    assert server.requests[0].headers["Authorization"] == "ApiToken d2pat_x"


async def test_open_client_without_any_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DHIS2_URL", raising=False)
    with pytest.raises(NoProfileError, match="No DHIS2 profile: pass a Profile, or set DHIS2_URL"):
        async with open_client():
            pass


@pytest.mark.parametrize(
    "raw",
    [
        {"base_url": "https://x.example", "username": "a", "passwd": "S3CRETPW", "auth": "basic"},
        {"base_url": "https://x.example", "tokn": "S3CRETPW", "auth": "pat"},
        {"base_url": "https://x.example", "clientsecret": "S3CRETPW", "auth": "oauth2"},
        {"base_url": "admin:S3CRETPW@host", "username": "admin", "password": "S3CRETPW"},
    ],
)
def test_profile_validation_errors_never_echo_secrets(raw: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as caught:
        Profile.model_validate(raw)
    assert "S3CRETPW" not in str(caught.value)
