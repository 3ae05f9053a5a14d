"""Writes through ``Dhis2Client`` against the stand-in for each generated version (v41, v42,
v43): single-object CRUD read as ``ObjectReportResponse``, ``/api/metadata`` imports read as
``ImportReport`` (VALIDATE, 409 with error reports), and async imports followed with
``client.tasks`` to completion, to failure and to a timeout.

Waiting is counted, never timed: a job that never completes is polled on a ``FakeTime`` clock
and the stand-in's request counter says how many polls it saw.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import pytest

from dhis2_sdk import (
    ConflictError,
    Dhis2Client,
    ImportReport,
    ImportReportResponse,
    ObjectReportResponse,
    PatAuth,
    TaskError,
    TaskRef,
    TasksApi,
    TaskTimeoutError,
    WebMessageResponse,
)
from dhis2_sdk.runtime._client import Backend
from dhis2_standin.faults import Fault
from dhis2_standin.launcher import RunningStandin, start_standin
from tests.paths import SHARED_DHIS2, VERSIONS
from tests.runtime.conftest import FakeTime

pytestmark = pytest.mark.anyio

DE = "org.hisp.dhis.dataelement.DataElement"
IMPORT_STEPS = ["Metadata import started", "Validating metadata", "Committing metadata"]
Payload = dict[str, list[dict[str, object]]]


@pytest.fixture(scope="module", params=VERSIONS)
def versioned_standin(request: pytest.FixtureRequest) -> Iterator[RunningStandin]:
    """One stand-in per recorded version, for the whole module."""
    server = start_standin(SHARED_DHIS2 / cast(str, request.param))
    yield server
    server.stop()


@pytest.fixture
def server(versioned_standin: RunningStandin) -> RunningStandin:
    versioned_standin.reset()
    return versioned_standin


def client_for(server: RunningStandin, backend: Backend) -> Dhis2Client:
    return Dhis2Client(server.base_url, auth=PatAuth(server.pat), backend=backend)


def data_elements(*names: str) -> Payload:
    return {
        "dataElements": [
            {"id": f"de{i:09d}", "name": name, "shortName": name}
            for i, name in enumerate(names, start=1)
        ]
    }


async def count(client: Dhis2Client) -> int:
    body = await client.get_raw("/api/dataElements", params={"fields": "id"})
    return cast(int, body["pager"]["total"])


async def start_import(client: Dhis2Client, payload: Payload) -> TaskRef:
    body = await client.post_raw("/api/metadata", params={"async": "true"}, json=payload)
    answer = WebMessageResponse.model_validate(body)
    assert answer.message == "Initiated METADATA_IMPORT"
    ref = answer.task_ref()
    assert ref is not None
    assert ref.job_type == "METADATA_IMPORT"
    return ref


# -- async imports and client.tasks ------------------------------------------------------------


async def test_async_import_awaited_to_its_report(backend: Backend, server: RunningStandin) -> None:
    server.configure(job_duration=0.05)
    async with client_for(server, backend) as client:
        assert client.version_key == server.data_dir.name
        ref = await start_import(client, data_elements("One", "Two"))
        done = await client.tasks.await_completion(ref, poll_interval=0.01, timeout=60)
        report = ImportReport.model_validate(await client.get_raw(ref.summary_path))
        assert await count(client) == 2
    assert [note.message for note in done.notifications] == [
        *IMPORT_STEPS,
        "Import complete with status OK, 2 created, 0 updated, 0 deleted, 0 ignored",
    ]
    assert done.final.completed
    assert not done.failed
    assert (report.status, report.stats.created, report.stats.total) == ("OK", 2, 2)
    assert [types.klass for types in report.type_reports] == [DE]
    assert report.errors() == []


async def test_iter_notifications_yields_each_notification_once(
    backend: Backend, server: RunningStandin
) -> None:
    server.configure(job_duration=0.5)
    async with client_for(server, backend) as client:
        ref = await start_import(client, data_elements("One"))
        notes = [n async for n in client.tasks.iter_notifications(ref, poll_interval=0.01)]
        listed = await client.get_raw(ref.path)
    polls = server.stats().requests[f"GET {ref.path}"]
    served = [note["uid"] for note in reversed(cast(list[dict[str, object]], listed["data"]))]
    assert polls >= 2  # the job was polled while running: the same notifications came again
    assert [note.uid for note in notes] == served  # each once, oldest first
    assert [note.message for note in notes][:3] == IMPORT_STEPS
    assert notes[-1].completed


async def test_a_job_that_never_completes_times_out(
    backend: Backend, server: RunningStandin
) -> None:
    server.configure(job_duration=0)  # every step at once; the completing one never comes
    server.set_faults(Fault("job_hang", path="/METADATA_IMPORT"))
    fake = FakeTime()
    async with client_for(server, backend) as client:
        ref = await start_import(client, data_elements("One"))
        tasks = TasksApi(client, sleep=fake.sleep, clock=fake.clock)
        with pytest.raises(TaskTimeoutError) as info:
            await tasks.await_completion(ref, poll_interval=1.0, timeout=3.0)
        assert await count(client) == 0  # a hanging import imports nothing
    assert server.stats().requests[f"GET {ref.path}"] == 4  # at 0, 1, 2 and 3 s
    assert fake.sleeps == [1.0, 1.0, 1.0]
    assert [note.message for note in info.value.notifications] == IMPORT_STEPS
    assert info.value.ref == ref
    assert str(info.value).startswith(
        f"DHIS2 job METADATA_IMPORT {ref.uid} did not complete within 3.0s "
        "(latest: Committing metadata)."
    )


async def test_a_failing_import_job_raises_with_its_completion(
    backend: Backend, server: RunningStandin
) -> None:
    server.configure(job_duration=0)
    server.set_faults(Fault("job_error", path="/METADATA_IMPORT"))
    async with client_for(server, backend) as client:
        ref = await start_import(client, data_elements("One"))
        with pytest.raises(TaskError) as info:
            await client.tasks.await_completion(ref, poll_interval=0.01)
    completion = info.value.completion
    assert completion is not None
    assert (completion.final.level, completion.final.message) == (
        "ERROR",
        "Job failed: stand-in fault injection",
    )
    assert str(info.value) == (
        f"DHIS2 job METADATA_IMPORT {ref.uid} failed: Job failed: stand-in fault injection. "
        f"See GET /api/system/tasks/METADATA_IMPORT/{ref.uid} and the server log for details."
    )


# -- synchronous imports -------------------------------------------------------------------------


async def test_validate_changes_nothing(backend: Backend, server: RunningStandin) -> None:
    async with client_for(server, backend) as client:
        body = await client.post_raw(
            "/api/metadata", params={"importMode": "VALIDATE"}, json=data_elements("One", "Two")
        )
        assert await count(client) == 0
    answer = ImportReportResponse.model_validate(body)
    assert (answer.http_status_code, answer.status) == (200, "OK")
    assert answer.response is not None
    assert answer.response.status == "OK"
    assert answer.response.stats.created == 0
    assert answer.response.stats.total == 2


async def test_an_invalid_object_in_an_import_is_a_409_with_error_reports(
    backend: Backend,
    server: RunningStandin,
) -> None:
    payload = data_elements("Good", "Bad")
    del payload["dataElements"][1]["shortName"]
    async with client_for(server, backend) as client:
        with pytest.raises(ConflictError) as info:
            await client.post_raw("/api/metadata", params={"atomicMode": "NONE"}, json=payload)
        assert await count(client) == 1
    error = info.value
    assert error.status_code == 409
    assert error.web_message is not None
    answer = ImportReportResponse.model_validate(error.web_message.raw)
    assert answer.response is not None
    assert (answer.status, answer.response.status) == ("WARNING", "WARNING")
    assert (answer.response.stats.created, answer.response.stats.ignored) == (1, 1)
    [problem] = answer.response.errors()
    assert (problem.klass, problem.uid, problem.index) == (DE, "de000000002", 1)
    assert problem.error_property == "shortName"
    assert str(problem) == (
        "DataElement de000000002 (index 1): E4000: Missing required property `shortName`. "
        "[shortName]"
    )
    assert [r.error_code for r in error.error_reports] == ["E4000"]


# -- single objects ------------------------------------------------------------------------------


async def test_object_writes_answer_object_reports(
    backend: Backend, server: RunningStandin
) -> None:
    async with client_for(server, backend) as client:
        created = ObjectReportResponse.model_validate(
            await client.post_raw("/api/dataElements", json={"name": "Weight", "shortName": "W"})
        )
        assert created.response is not None
        new = created.response.uid
        assert (created.http_status_code, created.response.klass) == (201, DE)
        path = f"/api/dataElements/{new}"
        replaced = ObjectReportResponse.model_validate(
            await client.put_raw(path, json={"name": "Weight (kg)", "shortName": "W"})
        )
        patch = [{"op": "replace", "path": "/name", "value": "Body weight"}]
        patched = ObjectReportResponse.model_validate(await client.patch_raw(path, json=patch))
        assert (await client.get_raw(path, params={"fields": "name"})) == {"name": "Body weight"}
        deleted = ObjectReportResponse.model_validate(await client.delete_raw(path))
        assert await count(client) == 0
    for answer in (replaced, patched, deleted):
        assert (answer.http_status_code, answer.status) == (200, "OK")
        assert answer.response is not None
        assert (answer.response.uid, answer.response.error_reports) == (new, [])


async def test_an_invalid_object_is_a_409_with_its_object_report(
    backend: Backend, server: RunningStandin
) -> None:
    async with client_for(server, backend) as client:
        with pytest.raises(ConflictError) as info:
            await client.post_raw("/api/dataElements", json={"name": "No short name"})
        assert await count(client) == 0
    error = info.value
    assert error.web_message is not None
    answer = ObjectReportResponse.model_validate(error.web_message.raw)
    assert (answer.http_status_code, answer.status) == (409, "WARNING")
    assert answer.response is not None
    [report] = answer.response.error_reports
    assert (report.error_code, report.error_property, report.main_klass) == (
        "E4000",
        "shortName",
        DE,
    )
    assert error.error_reports == (report,)
    assert "  - E4000: Missing required property `shortName`. [shortName]" in str(error)
