"""RetryTransport: what is retried, how long it waits, and what is never sent twice."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from dhis2_sdk import RetryPolicy, RetryTransport
from dhis2_sdk.runtime._retry import parse_retry_after

pytestmark = pytest.mark.anyio

NOW = 1_700_000_000.0

Outcome = int | type[httpx.TransportError]


class Script:
    """A transport handler that plays a list of outcomes (statuses or exceptions), then 200s."""

    def __init__(self, *outcomes: Outcome, headers: dict[str, str] | None = None) -> None:
        self.outcomes = list(outcomes)
        self.headers = headers or {}
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if not self.outcomes:
            return httpx.Response(200, json={"ok": True})
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, int):
            return httpx.Response(outcome, headers=self.headers)
        raise outcome("scripted failure", request=request)


class Sleeps:
    """Records the delays the transport asked for instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def make_client(script: Script, policy: RetryPolicy) -> httpx.AsyncClient:
    transport = RetryTransport(httpx.MockTransport(script), policy, clock=lambda: NOW)
    return httpx.AsyncClient(transport=transport, base_url="http://dhis2.test")


def policy(sleeps: Sleeps, **overrides: int | float | bool) -> RetryPolicy:
    base = RetryPolicy(jitter=False, base_delay=0.5, max_delay=30.0, sleep=sleeps)
    attempts = overrides.get("max_attempts")
    retry_post = overrides.get("retry_non_idempotent")
    max_delay = overrides.get("max_delay")
    return RetryPolicy(
        max_attempts=int(attempts) if attempts is not None else base.max_attempts,
        base_delay=base.base_delay,
        max_delay=float(max_delay) if max_delay is not None else base.max_delay,
        jitter=False,
        retry_non_idempotent=bool(retry_post),
        sleep=sleeps,
    )


async def test_fails_twice_then_succeeds_with_exponential_backoff() -> None:
    sleeps = Sleeps()
    script = Script(503, httpx.ConnectError)
    async with make_client(script, policy(sleeps)) as client:
        response = await client.get("/api/me")
    assert response.status_code == 200
    assert script.calls == 3
    assert sleeps.delays == [0.5, 1.0]


async def test_gives_up_after_max_attempts_and_returns_the_last_response() -> None:
    sleeps = Sleeps()
    script = Script(502, 502, 502, 502, 502)
    async with make_client(script, policy(sleeps, max_attempts=4)) as client:
        response = await client.get("/api/me")
    assert response.status_code == 502
    assert script.calls == 4
    assert sleeps.delays == [0.5, 1.0, 2.0]


async def test_gives_up_after_max_attempts_and_raises_the_last_error() -> None:
    sleeps = Sleeps()
    script = Script(httpx.ReadTimeout, httpx.ReadTimeout, httpx.ReadTimeout)
    async with make_client(script, policy(sleeps)) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get("/api/me")
    assert script.calls == 3


@pytest.mark.parametrize("outcome", [503, 502, 504, httpx.ReadError, httpx.RemoteProtocolError])
async def test_post_is_not_retried_once_it_may_have_reached_the_server(outcome: Outcome) -> None:
    sleeps = Sleeps()
    script = Script(outcome)
    async with make_client(script, policy(sleeps)) as client:
        if isinstance(outcome, int):
            response = await client.post("/api/metadata", json={"dataElements": []})
            assert response.status_code == outcome
        else:
            with pytest.raises(outcome):
                await client.post("/api/metadata", json={"dataElements": []})
    assert script.calls == 1
    assert sleeps.delays == []


@pytest.mark.parametrize("outcome", [httpx.ConnectError, httpx.ConnectTimeout, 429])
async def test_post_is_retried_when_the_server_never_processed_it(outcome: Outcome) -> None:
    sleeps = Sleeps()
    script = Script(outcome)
    async with make_client(script, policy(sleeps)) as client:
        response = await client.post("/api/metadata", json={"dataElements": []})
    assert response.status_code == 200
    assert script.calls == 2


async def test_retry_non_idempotent_opts_in_to_retrying_posts() -> None:
    sleeps = Sleeps()
    script = Script(503, httpx.ReadError)
    async with make_client(script, policy(sleeps, retry_non_idempotent=True)) as client:
        response = await client.post("/api/metadata", json={})
    assert response.status_code == 200
    assert script.calls == 3


@pytest.mark.parametrize("method", ["PUT", "DELETE", "GET", "HEAD", "OPTIONS"])
async def test_idempotent_methods_are_retried_after_sending(method: str) -> None:
    sleeps = Sleeps()
    script = Script(503, httpx.ReadError)
    async with make_client(script, policy(sleeps)) as client:
        assert (await client.request(method, "/api/dataElements/x")).status_code == 200
    assert script.calls == 3


async def test_other_errors_are_not_retried() -> None:
    sleeps = Sleeps()
    script = Script(500, 404)
    async with make_client(script, policy(sleeps)) as client:
        assert (await client.get("/api/me")).status_code == 500
        assert (await client.get("/api/me")).status_code == 404
    assert script.calls == 2


async def test_retry_after_seconds_is_honoured_and_capped() -> None:
    sleeps = Sleeps()
    script = Script(429, 503, headers={"Retry-After": "7"})
    async with make_client(script, policy(sleeps)) as client:
        assert (await client.get("/api/me")).status_code == 200
    assert sleeps.delays == [7.0, 7.0]

    sleeps = Sleeps()
    script = Script(429, headers={"Retry-After": "120"})
    async with make_client(script, policy(sleeps, max_delay=10.0)) as client:
        assert (await client.get("/api/me")).status_code == 200
    assert sleeps.delays == [10.0]


async def test_retry_after_http_date_is_honoured() -> None:
    sleeps = Sleeps()
    date = email.utils.formatdate(NOW + 12, usegmt=True)
    script = Script(503, headers={"Retry-After": date})
    async with make_client(script, policy(sleeps)) as client:
        assert (await client.get("/api/me")).status_code == 200
    assert sleeps.delays == [12.0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        ("0.5", 0.5),
        ("-4", 0.0),
        (email.utils.formatdate(NOW + 30, usegmt=True), 30.0),
        (email.utils.formatdate(NOW - 30, usegmt=True), 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_jitter_stays_between_half_and_full_delay() -> None:
    jittered = RetryPolicy(base_delay=1.0, max_delay=8.0)
    assert jittered.backoff(3, rng=lambda: 0.0) == 2.0
    assert jittered.backoff(3, rng=lambda: 1.0) == 4.0
    assert jittered.backoff(10, rng=lambda: 1.0) == 8.0


def test_policy_validates() -> None:
    with pytest.raises(ValueError, match="max_attempts must be >= 1"):
        RetryPolicy(max_attempts=0)
    assert RetryPolicy(retry_statuses=frozenset({503})).retry_statuses == frozenset({503})


async def test_retry_log_names_the_request_but_not_its_credentials(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sleeps = Sleeps()
    script = Script(503)
    caplog.set_level("INFO", logger="dhis2_sdk.retry")
    async with make_client(script, policy(sleeps)) as client:
        headers = {"Authorization": "ApiToken d2pat_s3cr3tT0k3n"}
        assert (await client.get("/api/me", headers=headers)).status_code == 200
    assert caplog.messages == [
        "retrying GET http://dhis2.test/api/me in 0.50s (attempt 1 of 3 failed: HTTP 503)"
    ]
    assert "s3cr3t" not in caplog.text
