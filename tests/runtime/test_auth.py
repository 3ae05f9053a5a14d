"""Auth providers: headers on the wire, OAuth2 refresh rules, secrets never shown."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
import pytest

from dhis2_sdk import (
    AuthenticationError,
    BasicAuth,
    Dhis2Client,
    OAuth2Auth,
    OAuth2FlowError,
    PatAuth,
    RetryPolicy,
    TokenEndpointError,
)
from tests.runtime.conftest import MockDhis2

pytestmark = pytest.mark.anyio

SECRETS = ("district", "d2pat_s3cr3tT0k3n", "client-s3cret", "tok-1", "refresh-1")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TokenServer(MockDhis2):
    """A mock DHIS2 with an OAuth2 token endpoint that counts grants and expires tokens."""

    def __init__(self, expires_in: object = 3600, refresh_token: bool = True) -> None:
        super().__init__()
        self.expires_in = expires_in
        self.refresh_token = refresh_token
        self.grants: list[dict[str, list[str]]] = []
        self.valid_tokens: set[str] = set()
        self.route("POST", "/uaa/oauth/token", self._token)
        self.route("GET", "/api/me", self._me)

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        self.grants.append(form)
        expected = "Basic " + base64.b64encode(b"sdk-client:client-s3cret").decode()
        if request.headers.get("Authorization") != expected:
            return httpx.Response(401, json={"error": "invalid_client"})
        if form["grant_type"] == ["password"] and form.get("password") != ["district"]:
            return httpx.Response(
                400, json={"error": "invalid_grant", "error_description": "Bad credentials"}
            )
        token = f"tok-{len(self.grants)}"
        self.valid_tokens = {token}
        body: dict[str, object] = {"access_token": token, "token_type": "bearer"}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        if self.refresh_token:
            body["refresh_token"] = f"refresh-{len(self.grants)}"
        return httpx.Response(200, json=body)

    def _me(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.valid_tokens:
            return httpx.Response(
                401,
                json={
                    "httpStatus": "Unauthorized",
                    "httpStatusCode": 401,
                    "status": "ERROR",
                    "message": "Unauthorized",
                },
            )
        return httpx.Response(200, json={"id": "xE7jOejl9FI", "username": "admin"})

    def grant_types(self) -> list[str]:
        return [grant["grant_type"][0] for grant in self.grants]

    def token_posts(self) -> int:
        """Requests that reached the token endpoint (answered or not)."""
        return self.paths().count("/uaa/oauth/token")


def oauth(clock: Clock | None = None, **kwargs: str) -> OAuth2Auth:
    return OAuth2Auth(
        "sdk-client",
        "client-s3cret",
        username=kwargs.get("username", "admin"),
        password=kwargs.get("password", "district"),
        clock=clock or Clock(),
    )


def _connection_refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


TOKEN_URL = "http://dhis2.test/uaa/oauth/token"
TOKEN_FAILURES: dict[str, tuple[Callable[[httpx.Request], httpx.Response], str]] = {
    "server_error": (
        lambda _r: httpx.Response(
            500, json={"httpStatusCode": 500, "status": "ERROR", "message": "Database is down"}
        ),
        f"The OAuth2 token endpoint {TOKEN_URL} failed with 500 (Database is down) on the "
        "{grant} grant. The server failed, not the credentials: try again later (OAuth2Auth "
        "asks again after token_retry_delay seconds), and check token_url and the DHIS2 server "
        "log if it persists.",
    ),
    "invalid_client": (
        lambda _r: httpx.Response(
            401, json={"error": "invalid_client", "error_description": "Bad client credentials"}
        ),
        f"The OAuth2 {{grant}} grant at {TOKEN_URL} was refused with 401 (invalid_client: Bad "
        "client credentials). Check the client id and secret registered in DHIS2 (and the "
        "username and password for the password grant), and that token_url is DHIS2's token "
        "endpoint.",
    ),
    "connection_refused": (
        _connection_refused,
        f"The OAuth2 token endpoint {TOKEN_URL} did not answer the {{grant}} grant "
        "(ConnectError: [Errno 111] Connection refused). Check token_url and that the server is "
        "reachable from here; if it is only slow, raise timeout=.",
    ),
}


async def fifty_requests(client: Dhis2Client) -> list[object]:
    calls = (client.system.me() for _ in range(50))
    return list(await asyncio.gather(*calls, return_exceptions=True))


def client_for(server: MockDhis2, auth: httpx.Auth, **options: int) -> Dhis2Client:
    return Dhis2Client(
        "http://dhis2.test",
        auth=auth,
        transport=server.transport(),
        retry_policy=RetryPolicy(max_attempts=1),
        http_limits=httpx.Limits(max_connections=options.get("max_connections", 100)),
    )


async def test_basic_auth_header() -> None:
    server = MockDhis2()
    async with client_for(server, BasicAuth("admin", "district")) as client:
        await client.get_raw("/api/system/info")
    expected = "Basic " + base64.b64encode(b"admin:district").decode()
    assert {r.headers["Authorization"] for r in server.requests} == {expected}


async def test_tuple_means_basic_auth() -> None:
    server = MockDhis2()
    async with client_for(server, BasicAuth("admin", "district")) as client:
        assert isinstance(client.auth, BasicAuth)
    assert isinstance(Dhis2Client("http://x", auth=("admin", "district")).auth, BasicAuth)


async def test_pat_header() -> None:
    server = MockDhis2()
    async with client_for(server, PatAuth("d2pat_s3cr3tT0k3n")) as client:
        await client.get_raw("/api/system/info")
    assert server.requests[-1].headers["Authorization"] == "ApiToken d2pat_s3cr3tT0k3n"


async def test_oauth2_password_grant_then_token_reuse() -> None:
    server = TokenServer()
    auth = oauth()
    async with client_for(server, auth) as client:
        for _ in range(3):
            assert (await client.system.me()).username == "admin"
    assert server.grant_types() == ["password"]
    assert server.grants[0]["username"] == ["admin"]
    assert auth.token_url == "http://dhis2.test/uaa/oauth/token"


async def test_oauth2_client_credentials_grant() -> None:
    server = TokenServer()
    auth = OAuth2Auth("sdk-client", "client-s3cret", clock=Clock())
    async with client_for(server, auth) as client:
        await client.system.me()
    assert server.grant_types() == ["client_credentials"]


async def test_oauth2_token_url_is_relative_to_the_context_path() -> None:
    auth = OAuth2Auth("c", "s")
    Dhis2Client("https://example.org/dhis", auth=auth)
    assert auth.token_url == "https://example.org/dhis/uaa/oauth/token"
    absolute = OAuth2Auth("c", "s", token_url="https://sso.example.org/token")
    Dhis2Client("https://example.org/dhis", auth=absolute)
    assert absolute.token_url == "https://sso.example.org/token"


async def test_oauth2_refreshes_before_expiry_with_skew_using_the_refresh_token() -> None:
    server = TokenServer(expires_in=300)
    clock = Clock()
    auth = oauth(clock)
    async with client_for(server, auth) as client:
        await client.system.me()
        clock.now += 269  # 31 s left: still valid with the default 30 s skew
        await client.system.me()
        assert server.grant_types() == ["password"]
        clock.now += 2  # 29 s left: refresh first
        await client.system.me()
    assert server.grant_types() == ["password", "refresh_token"]
    assert server.grants[1]["refresh_token"] == ["refresh-1"]


async def test_fifty_concurrent_requests_with_an_expired_token_share_one_refresh() -> None:
    server = TokenServer(expires_in=60)
    clock = Clock()
    auth = oauth(clock)
    async with client_for(server, auth, max_connections=100) as client:
        await client.system.me()
        clock.now += 3600
        users = await asyncio.gather(*(client.system.me() for _ in range(50)))
    assert {user.username for user in users} == {"admin"}
    assert server.grant_types() == ["password", "refresh_token"]
    assert auth.refresh_count == 2


async def test_a_401_triggers_exactly_one_shared_refresh_and_a_resend() -> None:
    server = TokenServer(expires_in=3600)
    auth = oauth()
    async with client_for(server, auth) as client:
        await client.system.me()
        server.valid_tokens = set()  # the server revoked the token early
        users = await asyncio.gather(*(client.system.me() for _ in range(20)))
    assert len(users) == 20
    assert server.grant_types() == ["password", "refresh_token"]


async def test_a_refused_refresh_token_falls_back_to_the_primary_grant() -> None:
    server = TokenServer(expires_in=10)
    clock = Clock()
    auth = oauth(clock)
    token_handler = server.routes[("POST", "/uaa/oauth/token")]

    def token(request: httpx.Request) -> httpx.Response:
        if b"grant_type=refresh_token" in request.content:
            server.grants.append({"grant_type": ["refresh_token"]})
            return httpx.Response(400, json={"error": "invalid_grant"})
        return token_handler(request)

    server.route("POST", "/uaa/oauth/token", token)
    async with client_for(server, auth) as client:
        await client.system.me()
        clock.now += 100
        await client.system.me()
    assert server.grant_types() == ["password", "refresh_token", "password"]


async def test_still_401_after_refresh_raises_authentication_error() -> None:
    server = TokenServer()
    server.route("GET", "/api/me", lambda _r: httpx.Response(401, json={"message": "Unauthorized"}))
    async with client_for(server, oauth()) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.system.me()
    assert server.grant_types() == ["password", "refresh_token"]
    assert not any(secret in str(info.value) for secret in SECRETS)


@pytest.mark.parametrize("failure", sorted(TOKEN_FAILURES))
async def test_a_failing_token_endpoint_is_asked_once_for_fifty_waiters(failure: str) -> None:
    handler, expected = TOKEN_FAILURES[failure]
    server = TokenServer(expires_in=60)
    clock = Clock()
    async with client_for(server, oauth(clock)) as client:
        clock.now += 3600
        server.route("POST", "/uaa/oauth/token", handler)
        results = await fifty_requests(client)
    assert server.token_posts() == 2  # the first token, then one attempt shared by all fifty
    assert {type(result) for result in results} == {TokenEndpointError}
    messages = {str(result) for result in results}
    assert messages == {expected.format(grant="refresh_token")}


@pytest.mark.parametrize("failure", sorted(TOKEN_FAILURES))
async def test_token_endpoint_errors_name_the_endpoint_and_what_to_check(failure: str) -> None:
    handler, expected = TOKEN_FAILURES[failure]
    server = TokenServer(expires_in=60)
    server.route("POST", "/uaa/oauth/token", handler)
    client = client_for(server, oauth())
    with pytest.raises(TokenEndpointError) as info:
        await client.connect()
    error = info.value
    assert isinstance(error, AuthenticationError)
    assert isinstance(error, OAuth2FlowError)
    assert str(error) == expected.format(grant="password")
    assert (error.token_url, error.grant) == (TOKEN_URL, "password")
    text = f"{error} {error!r} {error.__cause__!r} {error.message} {error.body_text}"
    assert not any(secret in text for secret in SECRETS), text
    assert server.token_posts() == 1
    assert not client.is_connected


async def test_a_refused_401_refresh_is_shared_by_every_waiter() -> None:
    server = TokenServer(expires_in=3600)
    async with client_for(server, oauth()) as client:
        server.valid_tokens = set()  # the server revoked the token early
        server.route("POST", "/uaa/oauth/token", TOKEN_FAILURES["server_error"][0])
        results = await asyncio.gather(
            *(client.system.me() for _ in range(20)), return_exceptions=True
        )
    assert server.token_posts() == 2
    assert {type(result) for result in results} == {TokenEndpointError}
    assert len({str(result) for result in results}) == 1


async def test_after_a_failed_flight_the_endpoint_is_asked_again_after_the_retry_delay() -> None:
    server = TokenServer()
    clock = Clock()
    auth = OAuth2Auth("sdk-client", "client-s3cret", clock=clock, token_retry_delay=5.0)
    fixed = server.routes[("POST", "/uaa/oauth/token")]
    server.route("POST", "/uaa/oauth/token", TOKEN_FAILURES["server_error"][0])
    client = client_for(server, auth)
    with pytest.raises(TokenEndpointError) as first:
        await client.connect()
    server.route("POST", "/uaa/oauth/token", fixed)
    clock.now += 4.9
    with pytest.raises(TokenEndpointError) as second:
        await client.connect()
    assert str(second.value) == str(first.value)
    assert server.token_posts() == 1
    clock.now += 0.1
    async with client:
        assert (await client.system.me()).username == "admin"
    assert server.token_posts() == 2


@pytest.mark.parametrize("failure", sorted(TOKEN_FAILURES))
async def test_a_failed_refresh_ahead_of_expiry_keeps_the_token_that_is_still_valid(
    failure: str,
) -> None:
    """Inside the skew window the old token still works: a token endpoint that fails there
    must not fail the requests; the refresh is tried again after token_retry_delay, and once the
    token has really expired the failure is the caller's."""
    handler, expected = TOKEN_FAILURES[failure]
    server = TokenServer(expires_in=300)
    clock = Clock()
    auth = OAuth2Auth(
        "sdk-client", "client-s3cret", username="admin", password="district", clock=clock
    )
    fixed = server.routes[("POST", "/uaa/oauth/token")]
    async with client_for(server, auth) as client:
        await client.system.me()
        server.route("POST", "/uaa/oauth/token", handler)
        clock.now += 280  # 20 s left: a refresh is due, and fails
        users = await asyncio.gather(*(client.system.me() for _ in range(20)))
        assert {user.username for user in users} == {"admin"}
        assert server.token_posts() == 2  # one shared attempt
        clock.now += 4.9  # within token_retry_delay: no new attempt
        await client.system.me()
        assert server.token_posts() == 2
        clock.now += 0.1  # the delay is over: the refresh is tried again (and fails again)
        await client.system.me()
        assert server.token_posts() == 3
        clock.now += 20  # the token has expired: now the failure is the caller's
        with pytest.raises(TokenEndpointError) as info:
            await client.system.me()
        assert str(info.value) == expected.format(grant="refresh_token")
        server.route("POST", "/uaa/oauth/token", fixed)
        clock.now += 5
        assert (await client.system.me()).username == "admin"


async def test_a_cancelled_leader_hands_the_refresh_to_a_waiter() -> None:
    server = TokenServer(expires_in=60)
    clock = Clock()
    started, release = asyncio.Event(), asyncio.Event()
    answer = server.routes[("POST", "/uaa/oauth/token")]

    async def slow_token(request: httpx.Request) -> httpx.Response:
        started.set()
        await release.wait()
        return answer(request)

    async def route(request: httpx.Request) -> httpx.Response:
        server.requests.append(request)
        if request.url.path == "/uaa/oauth/token" and not release.is_set():
            return await slow_token(request)
        return server.routes[(request.method, request.url.path)](request)

    client = Dhis2Client(
        "http://dhis2.test",
        auth=oauth(clock),
        transport=httpx.MockTransport(route),
        retry_policy=RetryPolicy(max_attempts=1),
    )
    release.set()
    async with client:
        release.clear()
        clock.now += 3600
        leader = asyncio.create_task(client.system.me())
        await started.wait()
        waiters = [asyncio.create_task(client.system.me()) for _ in range(5)]
        await asyncio.sleep(0)
        leader.cancel()
        release.set()
        users = await asyncio.gather(*waiters)
    assert leader.cancelled()
    assert {user.username for user in users} == {"admin"}
    assert server.token_posts() == 3  # the first token, the cancelled one, the waiter's


@pytest.mark.parametrize("expires_in", [0, -30, None, "soon", True])
async def test_an_unknown_lifetime_refreshes_only_on_401(expires_in: object) -> None:
    server = TokenServer(expires_in=expires_in)
    clock = Clock()
    async with client_for(server, oauth(clock)) as client:
        for _ in range(5):
            await client.system.me()
            clock.now += 600
        assert server.token_posts() == 1
        server.valid_tokens = set()  # now the server says the token is gone
        for _ in range(3):
            await client.system.me()
    assert server.grant_types() == ["password", "refresh_token"]


async def test_a_lifetime_shorter_than_the_skew_refreshes_at_half_life() -> None:
    server = TokenServer(expires_in=10)  # the default refresh_skew is 30 s
    clock = Clock()
    async with client_for(server, oauth(clock)) as client:
        for _ in range(3):
            await client.system.me()
        clock.now += 4.9
        await client.system.me()
        assert server.token_posts() == 1
        clock.now += 0.1
        await client.system.me()
        await client.system.me()
    assert server.grant_types() == ["password", "refresh_token"]


async def test_a_bare_httpx_client_sends_the_token_request_itself() -> None:
    server = TokenServer()
    auth = OAuth2Auth("sdk-client", "client-s3cret", token_url=TOKEN_URL, clock=Clock())
    async with httpx.AsyncClient(transport=server.transport(), auth=auth) as http:
        answers = await asyncio.gather(*(http.get("http://dhis2.test/api/me") for _ in range(5)))
    assert {answer.status_code for answer in answers} == {200}
    assert server.grant_types() == ["client_credentials"]


async def test_with_a_bare_httpx_client_waiters_share_the_failed_token_request() -> None:
    server = TokenServer()
    server.route("POST", "/uaa/oauth/token", _connection_refused)
    auth = OAuth2Auth("sdk-client", "client-s3cret", token_url=TOKEN_URL, clock=Clock())
    async with httpx.AsyncClient(transport=server.transport(), auth=auth) as http:
        calls = (http.get("http://dhis2.test/api/me") for _ in range(5))
        leader, *waiters = await asyncio.gather(*calls, return_exceptions=True)
    assert isinstance(leader, httpx.ConnectError)  # that client's own error, to its own request
    assert {str(waiter) for waiter in waiters} == {
        f"The OAuth2 token endpoint {TOKEN_URL} did not answer the client_credentials grant (its "
        "httpx client raised). Check token_url and that the server is reachable from here; if it "
        "is only slow, raise timeout=."
    }
    assert server.token_posts() == 1


async def test_refused_grant_raises_oauth2_flow_error_without_secrets() -> None:
    server = TokenServer()
    auth = oauth(password="wrong-pass")
    client = client_for(server, auth)
    with pytest.raises(OAuth2FlowError) as info:
        await client.connect()
    message = str(info.value)
    assert message == (
        "The OAuth2 password grant at http://dhis2.test/uaa/oauth/token was refused with 400 "
        "(invalid_grant: Bad credentials). Check the client id and secret registered in DHIS2 "
        "(and the username and password for the password grant), and that token_url is "
        "DHIS2's token endpoint."
    )
    assert "wrong-pass" not in message
    assert not client.is_connected


async def test_token_response_without_access_token() -> None:
    server = TokenServer()
    server.json("POST", "/uaa/oauth/token", {"token_type": "bearer"})
    with pytest.raises(OAuth2FlowError, match="without an access_token"):
        await client_for(server, oauth()).connect()


def test_oauth2_is_async_only() -> None:
    auth = OAuth2Auth("c", "s", token_url="http://x/token")
    transport = httpx.MockTransport(lambda _r: httpx.Response(200))
    with (
        httpx.Client(transport=transport) as client,
        pytest.raises(OAuth2FlowError, match=r"works with httpx\.AsyncClient"),
    ):
        client.get("http://x/api/me", auth=auth)


def test_reprs_hide_secrets() -> None:
    reprs = [
        repr(BasicAuth("admin", "district")),
        repr(PatAuth("d2pat_s3cr3tT0k3n")),
        repr(oauth()),
        repr(Dhis2Client("http://x", auth=BasicAuth("admin", "district"))),
        repr(Dhis2Client("http://x", auth=PatAuth("d2pat_s3cr3tT0k3n"))),
    ]
    assert reprs[0] == "BasicAuth(username='admin', password='**********')"
    assert reprs[1] == "PatAuth(token='**********')"
    assert reprs[2] == (
        "OAuth2Auth(client_id='sdk-client', client_secret='**********', grant_type='password', "
        "username='admin', token_url='uaa/oauth/token')"
    )
    assert reprs[4] == "Dhis2Client(base_url='http://x/', auth=PatAuth(token='**********'))"
    for text in reprs:
        assert not any(secret in text for secret in SECRETS), text


async def test_401_error_message_has_no_secrets() -> None:
    server = MockDhis2()
    server.json(
        "GET",
        "/api/me",
        {
            "httpStatus": "Unauthorized",
            "httpStatusCode": 401,
            "status": "ERROR",
            "message": "Unauthorized",
        },
        status=401,
    )
    for auth in (BasicAuth("admin", "district"), PatAuth("d2pat_s3cr3tT0k3n")):
        async with client_for(server, auth) as client:
            with pytest.raises(AuthenticationError) as info:
                await client.get_raw("/api/me")
        raw = info.value.web_message.raw if info.value.web_message else {}
        text = f"{info.value} {info.value!r} {json.dumps(raw)}"
        assert not any(secret in text for secret in SECRETS)
        assert str(info.value).startswith(
            "GET http://dhis2.test/api/me failed with 401: Unauthorized\n"
        )


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(ValueError, match="Do not put credentials in base_url"):
        Dhis2Client("http://admin:district@dhis2.test")
