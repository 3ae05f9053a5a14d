"""Background-job polling (client.tasks) and the client-side token bucket."""

from __future__ import annotations

import httpx
import pytest

from dhis2_sdk import (
    Dhis2Client,
    JobRef,
    RetryPolicy,
    TaskError,
    TasksApi,
    TaskTimeoutError,
    TokenBucket,
)
from dhis2_sdk.runtime._tasks import job_ref_from_response
from tests.runtime.conftest import MockDhis2

pytestmark = pytest.mark.anyio

JOB_STARTED = {
    "httpStatus": "OK",
    "httpStatusCode": 200,
    "status": "OK",
    "message": "Initiated ANALYTICS_TABLE",
    "response": {
        "name": "ANALYTICS_TABLE",
        "id": "Jk2VhMnRx7D",
        "jobType": "ANALYTICS_TABLE",
        "relativeNotifierEndpoint": "/api/system/tasks/ANALYTICS_TABLE/Jk2VhMnRx7D",
    },
}


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        self.now += delay


def progress(*notes: tuple[str, str, bool]) -> list[dict[str, object]]:
    return [
        {
            "uid": f"n{i}",
            "level": lvl,
            "message": msg,
            "completed": done,
            "time": "2024-07-11T14:49:59.611",
        }
        for i, (lvl, msg, done) in enumerate(notes)
    ]


def job_server(polls: list[list[dict[str, object]]]) -> MockDhis2:
    server = MockDhis2()
    server.json("POST", "/api/resourceTables/analytics", JOB_STARTED)

    def tasks(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=polls.pop(0) if len(polls) > 1 else polls[0])

    server.route("GET", "/api/system/tasks/ANALYTICS_TABLE/Jk2VhMnRx7D", tasks)
    return server


def client_for(server: MockDhis2) -> Dhis2Client:
    return Dhis2Client(
        "http://dhis2.test", transport=server.transport(), retry_policy=RetryPolicy(max_attempts=1)
    )


async def test_run_starts_and_polls_until_completed() -> None:
    polls = [
        [],
        progress(("INFO", "Analytics tables updated", False)),
        progress(("INFO", "Analytics tables updated", True), ("INFO", "Starting", False)),
    ]
    server = job_server(polls)
    fake = FakeTime()
    async with client_for(server) as client:
        tasks = TasksApi(client, sleep=fake.sleep, clock=fake.clock)
        notes = await tasks.run("/api/resourceTables/analytics", poll_interval=2.0)
    assert notes[0].completed
    assert notes[0].message == "Analytics tables updated"
    assert fake.sleeps == [2.0, 2.0]
    assert server.paths().count("/api/system/tasks/ANALYTICS_TABLE/Jk2VhMnRx7D") == 3


async def test_a_job_that_ends_in_error_raises() -> None:
    server = job_server([progress(("ERROR", "Table creation failed: disk full", True))])
    async with client_for(server) as client:
        with pytest.raises(TaskError) as info:
            await client.tasks.run("/api/resourceTables/analytics")
    assert str(info.value) == (
        "DHIS2 job ANALYTICS_TABLE Jk2VhMnRx7D failed: Table creation failed: disk full. See GET "
        "/api/system/tasks/ANALYTICS_TABLE/Jk2VhMnRx7D and the server log for details."
    )


async def test_a_job_that_never_completes_times_out() -> None:
    server = job_server([progress(("INFO", "Still working", False))])
    fake = FakeTime()
    async with client_for(server) as client:
        tasks = TasksApi(client, sleep=fake.sleep, clock=fake.clock)
        with pytest.raises(
            TaskTimeoutError, match=r"did not complete within 5\.0s \(latest: Still working\)"
        ):
            await tasks.wait(
                JobRef("ANALYTICS_TABLE", "Jk2VhMnRx7D"), poll_interval=1.0, max_wait=5.0
            )
    assert fake.sleeps == [1.0] * 5


def test_job_ref_from_responses() -> None:
    assert job_ref_from_response(JOB_STARTED) == JobRef("ANALYTICS_TABLE", "Jk2VhMnRx7D")
    tracker = {"response": {"responseType": "TrackerJob", "id": "LkXBUdIgbe3"}}
    assert job_ref_from_response(tracker) == JobRef("TRACKER_IMPORT_JOB", "LkXBUdIgbe3")
    plain = {"response": {"jobType": "DATA_INTEGRITY", "id": "abc"}}
    assert job_ref_from_response(plain).path == "/api/system/tasks/DATA_INTEGRITY/abc"


async def test_token_bucket_spaces_requests() -> None:
    fake = FakeTime()
    bucket = TokenBucket(rate=2.0, burst=2, clock=fake.clock, sleep=fake.sleep)
    for _ in range(6):
        await bucket.acquire()
    assert fake.now == pytest.approx(2.0)
    assert len(fake.sleeps) == 4


def test_token_bucket_validates() -> None:
    with pytest.raises(ValueError, match="rate_limit must be a positive number of requests/s"):
        TokenBucket(rate=0)


async def test_client_rate_limit_is_applied() -> None:
    server = MockDhis2()
    client = Dhis2Client("http://dhis2.test", transport=server.transport(), rate_limit=1000.0)
    async with client:
        for _ in range(5):
            await client.get_raw("/api/system/info")
    assert len(server.requests) == 6
