"""Fault injection: latency, 5xx, 429, dropped connections, stalls; scoping and start-up faults."""

from __future__ import annotations

import httpx
import pytest

from dhis2_standin.faults import Fault, FaultSpecError
from dhis2_standin.launcher import RunningStandin
from tests.conftest import StandinFactory


def test_latency_delays_matching_requests(standin: RunningStandin, api: httpx.Client) -> None:
    standin.set_faults(Fault("latency", count=None, ms=1000, path="/api/system"))
    # Held ten times longer than the client waits: the read timeout must fire, however slow
    # the machine; a request outside the path is answered and fires nothing.
    timeout = httpx.Timeout(10.0, read=0.1)
    held = httpx.Client(base_url=standin.api_url, auth=standin.basic_auth, timeout=timeout)
    with held, pytest.raises(httpx.ReadTimeout):
        held.get("/system/info")
    assert api.get("/me").status_code == 200
    assert standin.stats().faults_fired == {"latency": 1}


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_for_the_next_n_then_success(
    standin: RunningStandin, api: httpx.Client, status: int
) -> None:
    standin.set_faults(Fault("error", status=status, count=2))
    assert [api.get("/me").status_code for _ in range(3)] == [status, status, 200]
    assert standin.stats().faults_fired == {"error": 2}


def test_error_bodies_look_like_their_source(standin: RunningStandin, api: httpx.Client) -> None:
    standin.set_faults(Fault("error", status=500), Fault("error", status=502))
    internal = api.get("/me")
    assert internal.json()["httpStatus"] == "Internal Server Error"
    gateway = api.get("/me")
    assert gateway.headers["content-type"] == "text/html"
    assert "<title>502 Bad Gateway</title>" in gateway.text


def test_rate_limit_with_retry_after(standin: RunningStandin, api: httpx.Client) -> None:
    standin.set_faults(Fault("rate_limit", count=1, retry_after=7))
    limited = api.get("/me")
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "7"
    assert limited.json()["httpStatusCode"] == 429
    assert api.get("/me").status_code == 200


def test_drop_closes_the_socket_without_a_response(
    standin: RunningStandin, api: httpx.Client
) -> None:
    standin.set_faults(Fault("drop", count=1))
    with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
        api.get("/me")
    assert api.get("/me").status_code == 200
    assert standin.stats().connections_dropped == 1


def test_stall_outlasts_a_client_timeout(standin: RunningStandin, api: httpx.Client) -> None:
    standin.set_faults(Fault("stall", seconds=30))
    held = httpx.Client(base_url=standin.api_url, auth=standin.basic_auth, timeout=0.2)
    with held, pytest.raises(httpx.ReadTimeout):
        held.get("/me")
    assert api.get("/me").status_code == 200  # the stall was for one request
    stats = standin.stats()
    assert stats.faults_fired == {"stall": 1}
    assert stats.requests["GET /api/me"] == 2


def test_short_stall_then_the_normal_answer(standin: RunningStandin, api: httpx.Client) -> None:
    standin.set_faults(Fault("stall", seconds=0.2, path="/api/dataElements", method="POST"))
    response = api.post("/dataElements", json={"name": "Late", "shortName": "Late"})
    assert response.status_code == 201  # the body survived the stall
    stats = standin.stats()
    assert stats.faults_fired == {"stall": 1}
    assert stats.requests["POST /api/dataElements"] == 1
    listed = api.get("/dataElements", params={"fields": "name"}).json()["dataElements"]
    assert listed == [{"name": "Late"}]


def test_faults_are_scoped_by_path_and_method(standin: RunningStandin, api: httpx.Client) -> None:
    standin.set_faults(
        Fault("error", status=503, count=None, path="/api/dataElements", method="POST")
    )
    assert api.get("/dataElements").status_code == 200
    assert api.get("/42/dataElements").status_code == 200
    assert api.post("/42/dataElements", json={}).status_code == 503
    assert api.post("/dataElements", json={}).status_code == 503
    assert standin.faults()[0]["remaining"] is None
    standin.clear_faults()
    assert api.post("/dataElements", json={"name": "N", "shortName": "N"}).status_code == 201


def test_control_api_is_never_faulted(standin: RunningStandin) -> None:
    standin.set_faults(Fault("error", status=500, count=None))
    assert standin.stats().faults_fired == {}


def test_faults_from_the_command_line(standin_factory: StandinFactory) -> None:
    server = standin_factory(
        faults=["error:status=503,count=1,path=/api/me", Fault("rate_limit", count=1)]
    )
    with httpx.Client(base_url=server.api_url, auth=server.basic_auth) as api:
        assert api.get("/me").status_code == 503
        assert api.get("/me").status_code == 429
        assert api.get("/me").status_code == 200
        server.reset()  # back to the start-up faults
        assert api.get("/me").status_code == 503


def test_bad_fault_specs() -> None:
    with pytest.raises(FaultSpecError, match="unknown fault kind `explode`"):
        Fault.parse("explode:count=1")
    with pytest.raises(FaultSpecError, match="expected key=value"):
        Fault.parse("error:503")
    assert Fault.parse("latency:ms=5").count is None
    assert Fault.parse("error:count=all").count is None


def test_bad_fault_over_http_is_400(standin: RunningStandin) -> None:
    response = httpx.put(
        f"{standin.base_url}/__standin__/faults",
        json={"faults": [{"kind": "error", "status": 200}]},
    )
    assert response.status_code == 400
    assert response.json()["message"] == "error fault status must be 4xx or 5xx, got 200"
