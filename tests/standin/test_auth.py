"""Authentication: Basic, personal access tokens, OAuth2 bearer tokens, and 401 bodies."""

from __future__ import annotations

import httpx
import pytest

from dhis2_standin.auth import make_pat
from dhis2_standin.launcher import RunningStandin
from tests.conftest import StandinFactory

UNAUTHORIZED = {
    "httpStatus": "Unauthorized",
    "httpStatusCode": 401,
    "status": "ERROR",
    "message": "Unauthorized",
}


def _token(standin: RunningStandin, **form: str) -> httpx.Response:
    return httpx.post(standin.token_url, data=form, auth=(standin.client_id, standin.client_secret))


def test_basic_auth_is_accepted(standin: RunningStandin) -> None:
    response = httpx.get(f"{standin.api_url}/me", auth=standin.basic_auth)
    assert response.status_code == 200
    me = response.json()
    assert me["username"] == "admin"
    assert me["authorities"] == ["ALL"]
    assert len(me["id"]) == 11


@pytest.mark.parametrize(
    "auth",
    [None, ("admin", "wrong"), ("nobody", "district")],
    ids=["no credentials", "wrong password", "unknown user"],
)
def test_missing_or_wrong_credentials_get_dhis2_401(
    standin: RunningStandin, auth: tuple[str, str] | None
) -> None:
    response = httpx.get(f"{standin.api_url}/system/info", auth=auth)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert standin.stats().auth_failures == 1


def test_ping_needs_no_auth(standin: RunningStandin) -> None:
    assert httpx.get(f"{standin.api_url}/ping").text == "pong"


def test_personal_access_token(standin: RunningStandin) -> None:
    assert standin.pat.startswith("d2pat_")
    headers = {"Authorization": f"ApiToken {standin.pat}"}
    assert httpx.get(f"{standin.api_url}/me", headers=headers).status_code == 200
    bad = httpx.get(f"{standin.api_url}/me", headers={"Authorization": "ApiToken d2pat_nope"})
    assert bad.status_code == 401
    assert bad.json()["message"] == "The API token does not exists"


def test_extra_pat_from_the_command_line(standin_factory: StandinFactory) -> None:
    extra = make_pat("AnotherTokenForTheStandin0000001")
    server = standin_factory(extra_args=["--pat", extra])
    for token in (server.pat, extra):
        headers = {"Authorization": f"ApiToken {token}"}
        assert httpx.get(f"{server.api_url}/me", headers=headers).status_code == 200


def test_password_grant_then_bearer_then_refresh(standin: RunningStandin) -> None:
    response = _token(standin, grant_type="password", username="admin", password="district")
    assert response.status_code == 200
    token = response.json()
    assert token["token_type"] == "bearer"
    assert token["expires_in"] > 0
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert httpx.get(f"{standin.api_url}/me", headers=bearer).status_code == 200

    refreshed = _token(standin, grant_type="refresh_token", refresh_token=token["refresh_token"])
    assert refreshed.status_code == 200
    assert refreshed.json()["access_token"] != token["access_token"]
    reused = _token(standin, grant_type="refresh_token", refresh_token=token["refresh_token"])
    assert reused.status_code == 400
    assert reused.json() == {"error": "invalid_grant", "error_description": "Invalid refresh token"}

    stats = standin.stats()
    assert (stats.tokens_issued, stats.tokens_refreshed) == (1, 1)


def test_client_credentials_grant_has_no_refresh_token(standin: RunningStandin) -> None:
    token = _token(standin, grant_type="client_credentials").json()
    assert "refresh_token" not in token
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert httpx.get(f"{standin.api_url}/system/info", headers=bearer).status_code == 200


def test_token_endpoint_errors(standin: RunningStandin) -> None:
    bad_client = httpx.post(
        standin.token_url, data={"grant_type": "client_credentials"}, auth=("x", "y")
    )
    assert bad_client.status_code == 401
    assert bad_client.json()["error"] == "invalid_client"
    bad_password = _token(standin, grant_type="password", username="admin", password="no")
    assert bad_password.status_code == 400
    assert bad_password.json()["error"] == "invalid_grant"
    assert _token(standin, grant_type="magic").json()["error"] == "unsupported_grant_type"
    assert standin.stats().tokens_issued == 0


def test_expired_bearer_token_gets_401_with_challenge(standin: RunningStandin) -> None:
    token = _token(standin, grant_type="client_credentials").json()["access_token"]
    assert standin.expire_tokens() == 1
    response = httpx.get(f"{standin.api_url}/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["message"] == "Access token expired"
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


def test_token_lifetime_is_configurable(standin: RunningStandin) -> None:
    standin.configure(token_lifetime=0)
    token = _token(standin, grant_type="client_credentials").json()
    assert token["expires_in"] == 0
    response = httpx.get(
        f"{standin.api_url}/me", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert response.status_code == 401


def test_unknown_bearer_token(standin: RunningStandin) -> None:
    response = httpx.get(f"{standin.api_url}/me", headers={"Authorization": "Bearer abc"})
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid access token"
