"""``client.tasks`` against a mock DHIS2: job references, polling, de-duplication, failures and
timeouts. Time is a ``FakeTime`` that moves only when the poller sleeps, so delays and poll
counts are asserted exactly and no test waits.
"""

from __future__ import annotations

import json

import httpx
import pytest

from dhis2_sdk import (
    Dhis2Client,
    Dhis2ClientError,
    RetryPolicy,
    TaskError,
    TaskNotification,
    TaskRef,
    TasksApi,
    TaskTimeoutError,
    parse_task_ref,
)
from tests.paths import SHARED_DHIS2
from tests.runtime.conftest import FakeTime, MockDhis2

pytestmark = pytest.mark.anyio

ANDROID = SHARED_DHIS2 / "unversioned" / "android-sdk-fixtures"
JOB = TaskRef("ANALYTICS_TABLE", "Jk2VhMnRx7D")
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

Note = tuple[str, str, bool]


def listing(*notes: Note) -> list[dict[str, object]]:
    """Notifications as DHIS2 lists them: newest first; each (uid, level, completed)."""
    return [
        {
            "uid": uid,
            "level": level,
            "message": f"step {uid}",
            "completed": done,
            "time": f"2024-07-11T14:49:59.{600 + i:03d}",
        }
        for i, (uid, level, done) in reversed(list(enumerate(notes)))
    ]


def job_server(polls: list[list[dict[str, object]]], job: TaskRef = JOB) -> MockDhis2:
    """Answers the n-th poll with ``polls[n]`` (the last one from then on)."""
    server = MockDhis2()
    server.json("POST", "/api/resourceTables/analytics", JOB_STARTED)

    def tasks(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=polls.pop(0) if len(polls) > 1 else polls[0])

    server.route("GET", job.path, tasks)
    return server


def tasks_api(server: MockDhis2, fake: FakeTime) -> tuple[Dhis2Client, TasksApi]:
    client = Dhis2Client(
        "http://dhis2.test", transport=server.transport(), retry_policy=RetryPolicy(max_attempts=1)
    )
    return client, TasksApi(client, sleep=fake.sleep, clock=fake.clock)


def polls_of(server: MockDhis2, job: TaskRef = JOB) -> int:
    return server.paths().count(job.path)


# -- references ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("METADATA_IMPORT/Jk2VhMnRx7D", TaskRef("METADATA_IMPORT", "Jk2VhMnRx7D")),
        (("METADATA_IMPORT", "Jk2VhMnRx7D"), TaskRef("METADATA_IMPORT", "Jk2VhMnRx7D")),
        ("/api/system/tasks/ANALYTICS_TABLE/abc", TaskRef("ANALYTICS_TABLE", "abc")),
        ("/api/42/system/tasks/ANALYTICS_TABLE/abc", TaskRef("ANALYTICS_TABLE", "abc")),
        (JOB, JOB),
    ],
)
def test_parse_task_ref(given: TaskRef | str | tuple[str, str], expected: TaskRef) -> None:
    assert parse_task_ref(given) == expected


def test_task_ref_paths() -> None:
    ref = parse_task_ref("METADATA_IMPORT/Jk2VhMnRx7D")
    assert ref.path == "/api/system/tasks/METADATA_IMPORT/Jk2VhMnRx7D"
    assert ref.summary_path == "/api/system/taskSummaries/METADATA_IMPORT/Jk2VhMnRx7D"
    assert str(ref) == "METADATA_IMPORT/Jk2VhMnRx7D"


@pytest.mark.parametrize(
    "bad", ["Jk2VhMnRx7D", "METADATA_IMPORT/", "/Jk2VhMnRx7D", "A B/uid", ("A/B", "uid"), ("A", "")]
)
def test_parse_task_ref_rejects_what_names_no_job(bad: str | tuple[str, str]) -> None:
    with pytest.raises(ValueError, match=r"^Not a DHIS2 job reference") as info:
        parse_task_ref(bad)
    assert str(info.value) == (
        f"Not a DHIS2 job reference: {bad!r}. Pass 'JOB_TYPE/uid' (like "
        "'METADATA_IMPORT/Jk2VhMnRx7D'), a (job_type, uid) tuple, or the TaskRef that "
        "WebMessageResponse.task_ref() or client.tasks.start() returned."
    )


async def test_start_returns_the_job_reference() -> None:
    server = job_server([[]])
    client, tasks = tasks_api(server, FakeTime())
    async with client:
        assert await tasks.start("/api/resourceTables/analytics") == JOB


async def test_start_on_an_endpoint_that_starts_no_job() -> None:
    server = MockDhis2()
    server.json("POST", "/api/maintenance", {"httpStatus": "OK", "status": "OK"})
    client, tasks = tasks_api(server, FakeTime())
    async with client:
        with pytest.raises(Dhis2ClientError) as info:
            await tasks.start("/api/maintenance")
    assert str(info.value) == (
        "POST /api/maintenance did not answer with a job reference (no response.jobType/id). Is "
        "it an endpoint that starts a background job? Use post_raw() for other requests."
    )


# -- waiting ---------------------------------------------------------------------------------


async def test_await_completion_polls_until_completed() -> None:
    polls = [
        [],
        listing(("a", "INFO", False)),
        listing(("a", "INFO", False), ("b", "INFO", False), ("c", "INFO", True)),
    ]
    server = job_server(polls)
    fake = FakeTime()
    client, tasks = tasks_api(server, fake)
    async with client:
        done = await tasks.await_completion(JOB, poll_interval=2.0)
    assert [note.uid for note in done.notifications] == ["a", "b", "c"]  # oldest first
    assert done.final.uid == "c"
    assert done.final.completed
    assert not done.failed
    assert done.ref == JOB
    assert fake.sleeps == [2.0, 2.0]
    assert polls_of(server) == 3


async def test_iter_notifications_yields_each_once_and_stops_at_completion() -> None:
    polls = [
        listing(("a", "INFO", False)),
        listing(("a", "INFO", False), ("b", "INFO", False)),
        listing(("a", "INFO", False), ("b", "INFO", False)),
        listing(("a", "INFO", False), ("b", "INFO", False), ("c", "INFO", True)),
    ]
    server = job_server(polls)
    fake = FakeTime()
    client, tasks = tasks_api(server, fake)
    seen: list[tuple[str | None, float]] = []
    async with client:
        async for note in tasks.iter_notifications("ANALYTICS_TABLE/Jk2VhMnRx7D", poll_interval=1):
            seen.append((note.uid, fake.now))
    assert seen == [("a", 0.0), ("b", 1.0), ("c", 3.0)]
    assert polls_of(server) == 4


async def test_notifications_without_ids_are_told_apart_by_time() -> None:
    first: dict[str, object] = {
        "level": "INFO",
        "message": "Started",
        "time": "2024-07-11T14:49:59.600",
    }
    again = {**first, "time": "2024-07-11T14:49:59.700"}
    done = {**first, "message": "Done", "time": "2024-07-11T14:49:59.800", "completed": True}
    server = job_server([[first], [again, first], [done, again, first]])
    client, tasks = tasks_api(server, FakeTime())
    async with client:
        completion = await tasks.await_completion(JOB, poll_interval=1)
    assert [n.message for n in completion.notifications] == ["Started", "Started", "Done"]


async def test_recorded_notifications_complete_oldest_first() -> None:
    sample = ANDROID / "imports_tracker-importer_job_response_completed.json"
    recorded = json.loads(sample.read_text())
    job = TaskRef("TRACKER_IMPORT_JOB", "LkXBUdIgbe3")
    server = job_server([recorded], job)
    client, tasks = tasks_api(server, FakeTime())
    async with client:
        done = await tasks.await_completion(job)
    assert [note.uid for note in done.notifications] == [item["uid"] for item in reversed(recorded)]
    assert done.final.message == (
        "Import complete with status OK, 0 created, 1 updated, 0 deleted, 0 ignored"
    )
    assert done.final.category == "TRACKER_IMPORT_JOB"
    assert polls_of(server, job) == 1


async def test_a_job_that_ends_in_error_raises_with_its_completion() -> None:
    server = job_server([listing(("a", "INFO", False), ("b", "ERROR", True))])
    client, tasks = tasks_api(server, FakeTime())
    async with client:
        ref = await tasks.start("/api/resourceTables/analytics")
        with pytest.raises(TaskError) as info:
            await tasks.await_completion(ref)
    assert str(info.value) == (
        "DHIS2 job ANALYTICS_TABLE Jk2VhMnRx7D failed: step b. See GET "
        "/api/system/tasks/ANALYTICS_TABLE/Jk2VhMnRx7D and the server log for details."
    )
    error = info.value
    assert not isinstance(error, TaskTimeoutError)
    assert error.completion is not None
    assert error.completion.failed
    assert error.completion.final.level == "ERROR"
    assert [n.uid for n in error.notifications] == ["a", "b"]
    assert error.ref == JOB


async def test_iter_notifications_reports_an_error_without_raising() -> None:
    server = job_server([listing(("a", "INFO", False), ("b", "ERROR", True))])
    client, tasks = tasks_api(server, FakeTime())
    async with client:
        levels = [note.level async for note in tasks.iter_notifications(JOB)]
    assert levels == ["INFO", "ERROR"]


async def test_a_job_that_never_completes_times_out_after_counted_polls() -> None:
    server = job_server([listing(("a", "INFO", False))])
    fake = FakeTime()
    client, tasks = tasks_api(server, fake)
    async with client:
        with pytest.raises(TaskTimeoutError) as info:
            await tasks.await_completion(JOB, poll_interval=1.0, timeout=5.0)
    assert str(info.value) == (
        "DHIS2 job ANALYTICS_TABLE Jk2VhMnRx7D did not complete within 5.0s (latest: step a). "
        "It may still be running: call client.tasks.await_completion() again with a longer "
        "timeout, or timeout=None to wait as long as it takes."
    )
    assert fake.sleeps == [1.0] * 5
    assert polls_of(server) == 6  # at 0, 1, …, 5 s
    assert [n.uid for n in info.value.notifications] == ["a"]
    assert info.value.completion is None


async def test_the_last_sleep_ends_at_the_deadline() -> None:
    server = job_server([[]])
    fake = FakeTime()
    client, tasks = tasks_api(server, fake)
    async with client:
        with pytest.raises(TaskTimeoutError, match=r"within 2\.5s \(latest: no notifications yet"):
            await tasks.await_completion(JOB, poll_interval=1.0, timeout=2.5)
    assert fake.sleeps == [1.0, 1.0, 0.5]


async def test_timeout_none_waits_as_long_as_it_takes() -> None:
    running = listing(("a", "INFO", False))
    polls = [running] * 30 + [listing(("a", "INFO", False), ("b", "INFO", True))]
    server = job_server(polls)
    fake = FakeTime()
    client, tasks = tasks_api(server, fake)
    async with client:
        done = await tasks.await_completion(JOB, poll_interval=60.0, timeout=None)
    assert done.final.uid == "b"
    assert fake.now == 30 * 60.0  # well past the default 600 s


@pytest.mark.parametrize(
    ("limit", "poll_interval", "message"),
    [
        (-1.0, 1.0, "timeout must be 0 or more seconds (or None to wait forever), got -1.0"),
        (10.0, -0.5, "poll_interval must be 0 or more seconds, got -0.5"),
    ],
)
async def test_negative_durations_are_refused(
    limit: float, poll_interval: float, message: str
) -> None:
    server = job_server([[]])
    client, tasks = tasks_api(server, FakeTime())
    async with client:
        with pytest.raises(ValueError, match="must be 0 or more seconds") as info:
            await tasks.await_completion(JOB, timeout=limit, poll_interval=poll_interval)
    assert str(info.value) == message
    assert polls_of(server) == 0


def test_notification_keeps_unknown_keys() -> None:
    note = TaskNotification.model_validate({"uid": "a", "completed": True, "jobId": "x"})
    assert note.model_extra == {"jobId": "x"}
    assert not note.is_error
