"""``/api/metadata``: import strategies, atomic modes, VALIDATE, reports, export, preloading."""

from __future__ import annotations

import json

import httpx
import pytest

from dhis2_standin.faults import Fault
from dhis2_standin.jsontypes import JsonObject
from dhis2_standin.launcher import RunningStandin
from tests.conftest import StandinFactory
from tests.paths import SHARED_DHIS2
from tests.standin.conftest import data_element, seed, uid

DE_KLASS = "org.hisp.dhis.dataelement.DataElement"
PAYLOADS = SHARED_DHIS2 / "unversioned" / "dhis2-core-test-payloads"


def _stats(body: JsonObject) -> JsonObject:
    response = body["response"]
    assert isinstance(response, dict)
    stats = response["stats"]
    assert isinstance(stats, dict)
    return stats


def _count(api: httpx.Client, plural: str = "dataElements") -> int:
    return api.get(f"/{plural}", params={"fields": "id"}).json()["pager"]["total"]


def test_create_and_update_by_default(api: httpx.Client) -> None:
    payload: JsonObject = {
        "dataElements": [data_element(uid("de", 1), "One"), data_element(uid("de", 2), "Two")]
    }
    first = api.post("/metadata", json=payload)
    assert first.status_code == 200
    body = first.json()
    assert body["httpStatus"] == "OK"
    assert body["response"]["responseType"] == "ImportReport"
    assert body["response"]["status"] == "OK"
    assert _stats(body) == {"created": 2, "updated": 0, "deleted": 0, "ignored": 0, "total": 2}
    [type_report] = body["response"]["typeReports"]
    assert type_report["klass"] == DE_KLASS
    assert type_report["objectReports"] == []  # importReportMode=ERRORS lists errors only
    again = api.post("/metadata", json=payload, params={"importReportMode": "FULL"}).json()
    assert _stats(again) == {"created": 0, "updated": 2, "deleted": 0, "ignored": 0, "total": 2}
    reports = again["response"]["typeReports"][0]["objectReports"]
    assert [(r["uid"], r["index"]) for r in reports] == [(uid("de", 1), 0), (uid("de", 2), 1)]


def test_create_strategy_refuses_existing_objects(api: httpx.Client) -> None:
    seed(api, {"dataElements": [data_element(uid("de", 1), "One")]})
    payload = {
        "dataElements": [data_element(uid("de", 1), "One"), data_element(uid("de", 2), "Two")]
    }
    response = api.post("/metadata", json=payload, params={"importStrategy": "CREATE"})
    assert response.status_code == 409
    body = response.json()
    assert (body["status"], body["response"]["status"]) == ("WARNING", "ERROR")
    assert (
        body["message"] == "One or more errors occurred, please see full details in import report."
    )
    [report] = body["response"]["typeReports"][0]["objectReports"]
    [error] = report["errorReports"]
    assert error["errorCode"] == "E5000"
    assert error["message"] == (
        "Found matching object for reference, but import mode is CREATE. "
        "Identifier was UID, and object was One [de000000001] (DataElement)."
    )
    assert _count(api) == 1  # atomicMode=ALL: the valid one was not written either


def test_update_strategy_needs_existing_objects(api: httpx.Client) -> None:
    response = api.post(
        "/metadata",
        json={"dataElements": [data_element(uid("de", 5), "Five")]},
        params={"importStrategy": "UPDATE"},
    )
    error = response.json()["response"]["typeReports"][0]["objectReports"][0]["errorReports"][0]
    assert error["errorCode"] == "E5001"
    assert _count(api) == 0


def test_delete_strategy(api: httpx.Client) -> None:
    seed(
        api,
        {"dataElements": [data_element(uid("de", 1), "One"), data_element(uid("de", 2), "Two")]},
    )
    response = api.post(
        "/metadata",
        json={"dataElements": [{"id": uid("de", 1)}]},
        params={"importStrategy": "DELETE"},
    )
    assert response.status_code == 200
    assert _stats(response.json())["deleted"] == 1
    assert api.get(f"/dataElements/{uid('de', 1)}").status_code == 404
    assert _count(api) == 1


def test_atomic_none_writes_the_valid_objects(api: httpx.Client) -> None:
    payload = {
        "dataElements": [
            data_element(uid("de", 1), "Good"),
            {"id": "bad-uid", "name": "Bad", "shortName": "B"},
        ]
    }
    response = api.post("/metadata", json=payload, params={"atomicMode": "NONE"})
    assert response.status_code == 409
    body = response.json()
    assert body["response"]["status"] == "WARNING"
    assert _stats(body) == {"created": 1, "updated": 0, "deleted": 0, "ignored": 1, "total": 2}
    [report] = body["response"]["typeReports"][0]["objectReports"]
    assert report["index"] == 1
    assert report["errorReports"][0]["message"] == "Invalid UID `bad-uid` for property `id`"
    assert _count(api) == 1


def test_atomic_all_writes_nothing_on_any_error(api: httpx.Client) -> None:
    payload = {"dataElements": [data_element(uid("de", 1), "Good"), {"name": "No short name"}]}
    body = api.post("/metadata", json=payload).json()
    assert body["response"]["status"] == "ERROR"
    assert _stats(body)["created"] == 0
    assert _count(api) == 0


def test_validate_mode_writes_nothing(api: httpx.Client) -> None:
    payload = {"dataElements": [data_element(uid("de", 1), "One")]}
    response = api.post("/metadata", json=payload, params={"importMode": "VALIDATE"})
    assert response.status_code == 200
    assert response.json()["response"]["status"] == "OK"
    assert _count(api) == 0
    invalid = api.post(
        "/metadata", json={"dataElements": [{"name": "x"}]}, params={"importMode": "VALIDATE"}
    )
    assert invalid.status_code == 409


def test_unique_clash_inside_one_payload(api: httpx.Client) -> None:
    payload = {
        "dataElements": [data_element(uid("de", 1), "Same"), data_element(uid("de", 2), "Same")]
    }
    body = api.post("/metadata", json=payload, params={"atomicMode": "NONE"}).json()
    [report] = body["response"]["typeReports"][0]["objectReports"]
    assert [e["errorCode"] for e in report["errorReports"]] == ["E5003", "E5003"]  # name, shortName
    assert _count(api) == 1


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            {"dataElementz": []},
            "Unknown metadata type `dataElementz`: "
            "no schema of DHIS2 2.42.4-SNAPSHOT has that plural",
        ),
        ({"dataElements": {"id": "x"}}, "`dataElements` must be a JSON array of objects"),
        ({"dataElements": ["x"]}, "`dataElements[0]` must be a JSON object"),
    ],
)
def test_malformed_payloads_are_400(api: httpx.Client, payload: JsonObject, message: str) -> None:
    response = api.post("/metadata", json=payload)
    assert response.status_code == 400
    assert response.json()["message"] == message


def test_bad_import_parameter_is_400(api: httpx.Client) -> None:
    response = api.post("/metadata", json={}, params={"importStrategy": "MERGE"})
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid importStrategy `MERGE`"


def test_not_json_is_400(api: httpx.Client) -> None:
    response = api.post("/metadata", content=b"{nope", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["message"].startswith("Invalid JSON: ")


def test_export(api: httpx.Client) -> None:
    seed(
        api,
        {
            "dataElements": [data_element(uid("de", 1), "One")],
            "categoryOptions": [{"id": uid("co", 1), "name": "Male", "shortName": "Male"}],
        },
    )
    everything = api.get("/metadata").json()
    assert everything["system"]["version"] == "2.42.4-SNAPSHOT"
    assert set(everything) == {"system", "categoryOptions", "dataElements"}
    only = api.get("/metadata", params={"dataElements": "true"}).json()
    assert set(only) == {"system", "dataElements"}
    assert only["dataElements"][0]["name"] == "One"


def test_async_import_reports_through_a_job(standin: RunningStandin, api: httpx.Client) -> None:
    standin.configure(job_duration=0)  # the job completes as soon as it starts
    payload = {"dataElements": [data_element(uid("de", 1), "One")]}
    started = api.post("/metadata", json=payload, params={"async": "true"}).json()
    assert (started["httpStatusCode"], started["message"]) == (200, "Initiated METADATA_IMPORT")
    job = started["response"]
    assert job["jobType"] == "METADATA_IMPORT"
    assert job["relativeNotifierEndpoint"] == f"/api/system/tasks/METADATA_IMPORT/{job['id']}"
    notes = api.get(f"/system/tasks/METADATA_IMPORT/{job['id']}").json()
    assert [n["message"] for n in reversed(notes)] == [
        "Metadata import started",
        "Validating metadata",
        "Committing metadata",
        "Import complete with status OK, 1 created, 0 updated, 0 deleted, 0 ignored",
    ]
    assert notes[0]["completed"] is True
    summary = api.get(f"/system/taskSummaries/METADATA_IMPORT/{job['id']}").json()
    assert summary["responseType"] == "ImportReport"
    assert summary["stats"]["created"] == 1
    assert _count(api) == 1


def test_async_import_summary_waits_for_the_job(standin: RunningStandin, api: httpx.Client) -> None:
    standin.configure(job_duration=3600)
    job = api.post("/metadata", json={}, params={"async": "true"}).json()["response"]
    assert api.get(f"/system/taskSummaries/METADATA_IMPORT/{job['id']}").json() == {}


@pytest.mark.parametrize(
    ("kind", "last"),
    [("job_error", ("ERROR", True)), ("job_hang", ("INFO", False))],
)
def test_a_failing_or_hanging_import_job_imports_nothing(
    standin: RunningStandin, api: httpx.Client, kind: str, last: tuple[str, bool]
) -> None:
    standin.configure(job_duration=0)
    standin.set_faults(Fault(kind, path="/METADATA_IMPORT"))
    payload = {"dataElements": [data_element(uid("de", 1), "One")]}
    job = api.post("/metadata", json=payload, params={"async": "true"}).json()["response"]
    notes = api.get(f"/system/tasks/METADATA_IMPORT/{job['id']}").json()
    assert (notes[0]["level"], notes[0]["completed"]) == last
    assert api.get(f"/system/taskSummaries/METADATA_IMPORT/{job['id']}").json() == {}
    assert _count(api) == 0


def test_preloaded_metadata_and_reset(standin_factory: StandinFactory) -> None:
    path = PAYLOADS / "aggregate_metadata.json"
    expected = len(json.loads(path.read_text())["dataElements"])
    server = standin_factory(metadata=path)
    with httpx.Client(base_url=server.api_url, auth=server.basic_auth) as api:
        assert _count(api) == expected
        first = api.get("/dataElements", params={"pageSize": 1}).json()["dataElements"][0]
        assert api.delete(f"/dataElements/{first['id']}").status_code == 200
        assert _count(api) == expected - 1
        server.reset()
        assert _count(api) == expected


@pytest.mark.parametrize("name", ["tracker_base_metadata.json", "setup_tracker_metadata.json"])
def test_recorded_payloads_import_cleanly(api: httpx.Client, name: str) -> None:
    payload: JsonObject = json.loads((PAYLOADS / name).read_text())
    response = api.post("/metadata", json=payload)
    assert response.status_code == 200, response.text
    total = sum(len(objects) for objects in payload.values() if isinstance(objects, list))
    assert _stats(response.json())["created"] == total
