"""Async jobs: the start WebMessage, notifications that progress to completion, failures."""

from __future__ import annotations

import time

import httpx

from dhis2_standin.faults import Fault
from dhis2_standin.jsontypes import JsonObject
from dhis2_standin.launcher import RunningStandin
from dhis2_standin.uids import is_uid

NOTIFICATION_KEYS = {"uid", "level", "category", "time", "message", "completed", "id"}


def _wait_completed(api: httpx.Client, endpoint: str, timeout: float = 5.0) -> list[JsonObject]:
    deadline = time.monotonic() + timeout
    while True:
        notes: list[JsonObject] = api.get(endpoint).json()
        if (notes and notes[0]["completed"]) or time.monotonic() > deadline:
            return notes
        time.sleep(0.02)


def test_analytics_job_starts_like_dhis2(api: httpx.Client) -> None:
    response = api.post("/resourceTables/analytics")
    assert response.status_code == 200
    body = response.json()
    job = body["response"]
    assert (body["httpStatus"], body["status"]) == ("OK", "OK")
    assert body["message"] == "Initiated inMemoryAnalyticsJob"
    assert job["jobType"] == "ANALYTICS_TABLE"
    assert is_uid(job["id"])
    assert job["relativeNotifierEndpoint"] == f"/api/system/tasks/ANALYTICS_TABLE/{job['id']}"


def test_notifications_progress_to_completed(standin: RunningStandin, api: httpx.Client) -> None:
    standin.configure(job_duration=0.3)
    job = api.post("/resourceTables/analytics").json()["response"]
    endpoint = job["relativeNotifierEndpoint"].removeprefix("/api")
    early = api.get(endpoint).json()
    assert len(early) >= 1
    assert not any(note["completed"] for note in early)

    notes = _wait_completed(api, endpoint)
    assert notes[0]["completed"] is True
    assert notes[0]["level"] == "INFO"
    assert str(notes[0]["message"]).startswith("Analytics tables updated")
    assert len(notes) > len(early)
    assert [n["completed"] for n in notes].count(True) == 1
    assert all(set(n) == NOTIFICATION_KEYS and n["category"] == "ANALYTICS_TABLE" for n in notes)
    times = [str(n["time"]) for n in notes]
    assert times == sorted(times, reverse=True)  # newest first

    listed = api.get("/system/tasks/ANALYTICS_TABLE").json()
    assert list(listed) == [job["id"]]
    assert standin.stats().jobs_started == 1


def test_other_job_kinds(api: httpx.Client) -> None:
    assert api.post("/resourceTables").json()["response"]["jobType"] == "RESOURCE_TABLE"
    assert api.post("/resourceTables/monitoring").json()["response"]["jobType"] == "MONITORING"
    assert set(api.get("/system/tasks").json()) == {"RESOURCE_TABLE", "MONITORING"}


def test_unknown_job_is_404(api: httpx.Client) -> None:
    response = api.get("/system/tasks/ANALYTICS_TABLE/jb000000404")
    assert response.status_code == 404
    assert response.json()["message"] == "JobConfiguration with id jb000000404 could not be found."


def test_job_error_fault_fails_the_next_job(standin: RunningStandin, api: httpx.Client) -> None:
    standin.configure(job_duration=0.05)
    standin.set_faults(Fault("job_error", path="/ANALYTICS_TABLE"))
    failed = api.post("/resourceTables/analytics").json()["response"]
    notes = _wait_completed(api, f"/system/tasks/ANALYTICS_TABLE/{failed['id']}")
    assert (notes[0]["level"], notes[0]["completed"]) == ("ERROR", True)
    ok = api.post("/resourceTables/analytics").json()["response"]
    assert _wait_completed(api, f"/system/tasks/ANALYTICS_TABLE/{ok['id']}")[0]["level"] == "INFO"


def test_job_hang_fault_never_completes(standin: RunningStandin, api: httpx.Client) -> None:
    standin.configure(job_duration=0)  # every step is due at once; only the end is withheld
    standin.set_faults(Fault("job_hang", path="/RESOURCE_TABLE"))
    hung = api.post("/resourceTables").json()["response"]
    endpoint = f"/system/tasks/RESOURCE_TABLE/{hung['id']}"
    for _ in range(3):
        notes = api.get(endpoint).json()
        assert [n["message"] for n in notes] == [
            "Creating organisation unit structure table",
            "Generating resource tables",
        ]
        assert not any(n["completed"] for n in notes)
    assert api.get(f"/system/taskSummaries/RESOURCE_TABLE/{hung['id']}").json() == {}
    assert standin.stats().faults_fired == {"job_hang": 1}
    ok = api.post("/resourceTables").json()["response"]
    assert api.get(f"/system/tasks/RESOURCE_TABLE/{ok['id']}").json()[0]["completed"] is True


def test_job_faults_match_their_job_type(standin: RunningStandin, api: httpx.Client) -> None:
    standin.configure(job_duration=0)
    standin.set_faults(Fault("job_hang", path="/METADATA_IMPORT"))
    other = api.post("/resourceTables").json()["response"]
    assert api.get(f"/system/tasks/RESOURCE_TABLE/{other['id']}").json()[0]["completed"] is True
    assert standin.faults()[0]["remaining"] == 1
