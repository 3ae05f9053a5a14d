"""client.tracker against the stand-in of v41, v42 and v43, and the typed tracker reports.

A payload built on dhis2-core's tracker test metadata, a few objects wrong on purpose, goes
in as an async job awaited through client.tasks; the report must name every error with its
code, and the iterators must read back every stored object across pages (v41 pages with
``instances``, v42 and v43 with a ``pager`` object).
"""

from __future__ import annotations

from typing import cast

import pytest

from dhis2_sdk import BasicAuth, Dhis2Client, TrackerImportReport
from dhis2_standin.launcher import RunningStandin
from tests.paths import SHARED_DHIS2

ANDROID = SHARED_DHIS2 / "unversioned" / "android-sdk-fixtures"
PROGRAM = "BFcipDERJnf"
STAGE = "NpsdDv6kKSO"
FOREIGN_STAGE = "ebGXHEqqEMF"
TE_TYPE = "ja8NY4PW7Xm"
UNIT = "h4w96yEMlzO"

Payload = dict[str, list[dict[str, object]]]


def uid(prefix: str, number: int) -> str:
    return f"{prefix}{number:0{11 - len(prefix)}d}"


def payload(count: int) -> tuple[Payload, set[tuple[str, str, str]]]:
    """``count`` tracked entities, each enrolled with two events; three objects wrong, one
    enrollment depending on a wrong one; and the (code, type, uid) errors to expect."""
    tes: list[dict[str, object]] = []
    enrollments: list[dict[str, object]] = []
    events: list[dict[str, object]] = []
    for n in range(count):
        te, en = uid("te", n), uid("en", n)
        tes.append({"trackedEntity": te, "trackedEntityType": TE_TYPE, "orgUnit": UNIT})
        enrollments.append(
            {
                "enrollment": en,
                "trackedEntity": te,
                "program": PROGRAM,
                "orgUnit": UNIT,
                "enrolledAt": "2024-01-05T00:00:00.000",
                "occurredAt": "2024-01-05T00:00:00.000",
                "status": "ACTIVE",
            }
        )
        for k in range(2):
            events.append(
                {
                    "event": uid(f"ev{k}", n),
                    "enrollment": en,
                    "program": PROGRAM,
                    "programStage": STAGE,
                    "orgUnit": UNIT,
                    "status": "COMPLETED",
                    "occurredAt": f"2024-02-{k + 1:02d}T00:00:00.000",
                    "dataValues": [{"dataElement": "DATAEL00001", "value": str(n + k)}],
                }
            )
    tes.append(
        {"trackedEntity": "teBadUnit01", "trackedEntityType": TE_TYPE, "orgUnit": "Zz123456789"}
    )
    enrollments.append(
        {
            "enrollment": "enOrphan001",
            "trackedEntity": "teBadUnit01",
            "program": PROGRAM,
            "orgUnit": UNIT,
            "enrolledAt": "2024-01-05T00:00:00.000",
        }
    )
    events.append({**events[0], "event": "evWrongStg1", "programStage": FOREIGN_STAGE})
    events.append(
        {
            **events[0],
            "event": "evBadElem01",
            "dataValues": [{"dataElement": "Qq123456789", "value": "1"}],
        }
    )
    errors = {
        ("E1049", "TRACKED_ENTITY", "teBadUnit01"),
        ("E1068", "ENROLLMENT", "enOrphan001"),
        ("E1089", "EVENT", "evWrongStg1"),
        ("E1304", "EVENT", "evBadElem01"),
    }
    return {"trackedEntities": tes, "enrollments": enrollments, "events": events}, errors


def event_values(event: dict[str, object]) -> list[tuple[object, object]]:
    values = cast(list[dict[str, object]], event["dataValues"])
    return [(value["dataElement"], value["value"]) for value in values]


def error_keys(report: TrackerImportReport) -> set[tuple[str, str, str]]:
    return {(str(e.error_code), str(e.tracker_type), str(e.uid)) for e in report.errors}


@pytest.fixture
def tracker(tracker_server: RunningStandin) -> RunningStandin:
    tracker_server.reset()
    return tracker_server


@pytest.mark.anyio
async def test_an_async_import_is_awaited_and_read_back_page_by_page(
    tracker: RunningStandin,
) -> None:
    body, expected_errors = payload(12)
    async with Dhis2Client(tracker.base_url, auth=BasicAuth(*tracker.basic_auth)) as client:
        report = await client.tracker.import_(body, atomic_mode="OBJECT", poll_interval=0.02)
        tes = [te async for te in client.tracker.tracked_entities(program=PROGRAM, page_size=5)]
        enrollments = [e async for e in client.tracker.enrollments(program=PROGRAM, page_size=5)]
        events = [e async for e in client.tracker.events(program=PROGRAM, page_size=7)]
    assert report.status == "ERROR"
    assert error_keys(report) == expected_errors
    assert (report.stats.created, report.stats.ignored) == (12 * 4, 4)
    assert report.bundle_report is not None
    assert report.bundle_report.type_report_map["EVENT"].stats.created == 24
    assert sorted(str(te.tracked_entity) for te in tes) == [uid("te", n) for n in range(12)]
    assert all(te.tracked_entity_type == TE_TYPE and te.created_at for te in tes)
    assert sorted(str(e.enrollment) for e in enrollments) == [uid("en", n) for n in range(12)]
    read_back = {str(e.event): [(d.data_element, d.value) for d in e.data_values] for e in events}
    assert read_back == {str(e["event"]): event_values(e) for e in body["events"][:24]}


@pytest.mark.anyio
async def test_atomic_all_stores_nothing_when_anything_fails_and_sync_answers_the_report(
    tracker: RunningStandin,
) -> None:
    body, expected_errors = payload(3)
    async with Dhis2Client(tracker.base_url, auth=BasicAuth(*tracker.basic_auth)) as client:
        report = await client.tracker.import_(body, async_=False)
        tes = [te async for te in client.tracker.tracked_entities(program=PROGRAM)]
        clean, _ = payload(2)
        clean = {
            key: [
                o
                for o in objects
                if "Bad" not in str(o) and "Orphan" not in str(o) and "Wrong" not in str(o)
            ]
            for key, objects in clean.items()
        }
        ok = await client.tracker.import_(clean, async_=False)
    assert error_keys(report) == expected_errors
    assert report.stats.ignored == report.stats.total == 3 * 4 + 4
    assert tes == []
    assert ok.status == "OK"
    assert ok.stats.created == 2 * 4
    assert ok.errors == []


@pytest.mark.parametrize(
    ("name", "status", "created", "errors"),
    [
        ("imports_tracker-importer_event-ok-new.json", "OK", 1, set[tuple[str, str, str]]()),
        ("imports_tracker-importer_tei-new.json", "OK", 1, set[tuple[str, str, str]]()),
        (
            "imports_tracker-importer_event-conflict-new.json",
            "ERROR",
            0,
            {("E1029", "EVENT", "STPIK5YTi4f")},
        ),
    ],
)
def test_recorded_tracker_reports_are_typed(
    name: str, status: str, created: int, errors: set[tuple[str, str, str]]
) -> None:
    report = TrackerImportReport.model_validate_json((ANDROID / name).read_bytes())
    assert report.status == status
    assert report.stats.created == created
    assert error_keys(report) == errors
    if report.bundle_report is not None:
        assert set(report.bundle_report.type_report_map) == {
            "EVENT",
            "ENROLLMENT",
            "RELATIONSHIP",
            "TRACKED_ENTITY",
        }
        created_reports = [
            o for t in report.bundle_report.type_report_map.values() for o in t.object_reports
        ]
        assert len(created_reports) == created
