"""Typed write answers (``WebMessageResponse``, ``ObjectReportResponse``, ``ImportReport``) read
from recorded DHIS2 bodies in ``shared/dhis2``: nothing is lost, job references are found.

The recordings hold no metadata ``ImportReport`` and no single-object ``ObjectReport`` (see
PROVENANCE.md, gaps 3 and 4); those two are checked here on the report parts DHIS2's tracker
import shares with them (``stats``, ``objectReports``) and against the stand-in's answers in
``test_typed_writes.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import pytest

from dhis2_sdk import (
    ErrorReport,
    ImportReport,
    ImportReportResponse,
    ImportStats,
    ObjectError,
    ObjectReport,
    ObjectReportResponse,
    TaskRef,
    WebMessageResponse,
)
from tests.paths import SHARED_DHIS2
from tests.recorded import as_object, as_objects, read_json

ANDROID = SHARED_DHIS2 / "unversioned" / "android-sdk-fixtures"
DE = "org.hisp.dhis.dataelement.DataElement"


def recorded_web_messages() -> list[Path]:
    """Every recorded body that is a WebMessage: the Android SDK's import answers and every
    recorded error answer of the app recordings."""
    found = [
        path for path in sorted(ANDROID.glob("*.json")) if "httpStatusCode" in path.read_text()
    ]
    for index_file in sorted(SHARED_DHIS2.glob("v*/fixtures/recorded-network/*/_index.json")):
        for entry in as_objects(
            as_object(read_json(index_file), index_file)["entries"], index_file
        ):
            status = entry.get("statusCode")
            if isinstance(status, int) and status >= 400:
                found.append(index_file.parent / str(entry["file"]))
    return found


WEB_MESSAGES = recorded_web_messages()


def test_the_recordings_hold_web_messages() -> None:
    assert len(WEB_MESSAGES) >= 25


@pytest.mark.parametrize("path", WEB_MESSAGES, ids=lambda p: "/".join(p.parts[-4:]))
def test_recorded_web_messages_parse_without_loss(path: Path) -> None:
    body = as_object(read_json(path), path)
    message = WebMessageResponse.model_validate(body)
    assert message.http_status_code == body["httpStatusCode"]
    assert message.status == body["status"]
    assert message.message == body.get("message")
    assert message.model_dump(exclude_unset=True) == body


def test_tracker_job_answer_names_its_job() -> None:
    body = (ANDROID / "imports_tracker-importer_job_response.json").read_bytes()
    message = WebMessageResponse.model_validate_json(body)
    assert message.task_ref() == TaskRef("TRACKER_IMPORT_JOB", "LkXBUdIgbe3")
    assert message.message == "Tracker job added"


@pytest.mark.parametrize(
    "name",
    [
        "imports_web_response.json",
        "imports_data_value_import_summary_web_response.json",
        "imports_relationship_web_response_with_errors.json",
    ],
)
def test_answers_that_start_no_job_have_no_task_ref(name: str) -> None:
    message = WebMessageResponse.model_validate_json((ANDROID / name).read_bytes())
    assert message.response is not None
    assert message.task_ref() is None


def test_job_started_answer_names_its_job() -> None:
    body = {
        "httpStatus": "OK",
        "httpStatusCode": 200,
        "status": "OK",
        "message": "Initiated METADATA_IMPORT",
        "response": {
            "responseType": "JobConfigurationWebMessageResponse",
            "name": "METADATA_IMPORT",
            "id": "Jk2VhMnRx7D",
            "jobType": "METADATA_IMPORT",
            "relativeNotifierEndpoint": "/api/system/tasks/METADATA_IMPORT/Jk2VhMnRx7D",
        },
    }
    ref = WebMessageResponse.model_validate(body).task_ref()
    assert ref == TaskRef("METADATA_IMPORT", "Jk2VhMnRx7D")
    without_endpoint = {**body, "response": {"jobType": "DATA_INTEGRITY", "id": "abc"}}
    assert WebMessageResponse.model_validate(without_endpoint).task_ref() == TaskRef(
        "DATA_INTEGRITY", "abc"
    )


@pytest.mark.parametrize(
    "name",
    [
        "imports_tracker-importer_event-ok-new.json",
        "imports_tracker-importer_tei-new.json",
    ],
)
def test_recorded_stats_and_object_reports(name: str) -> None:
    body = as_object(read_json(ANDROID / name), name)
    assert ImportStats.model_validate(body["stats"]).model_dump() == body["stats"]
    bundle = as_object(body["bundleReport"], name)
    type_reports = as_object(bundle["typeReportMap"], name)
    items = [
        item
        for type_report in type_reports.values()
        for item in as_objects(as_object(type_report, name)["objectReports"], name)
    ]
    assert items
    for item in items:
        report = ObjectReport.model_validate(item)
        assert (report.uid, report.index, report.error_reports) == (item["uid"], 0, [])
        assert report.model_extra == {"trackerType": item["trackerType"]}
        assert report.model_dump(exclude_unset=True) == item


def conflict_body() -> dict[str, object]:
    """A 409 of ``POST /api/metadata?atomicMode=NONE`` in DHIS2's shape (as the stand-in sends)."""
    return {
        "httpStatus": "Conflict",
        "httpStatusCode": 409,
        "status": "WARNING",
        "message": "One or more errors occurred, please see full details in import report.",
        "response": {
            "responseType": "ImportReport",
            "status": "WARNING",
            "stats": {"created": 1, "updated": 0, "deleted": 0, "ignored": 1, "total": 2},
            "typeReports": [
                {
                    "klass": DE,
                    "stats": {"created": 1, "updated": 0, "deleted": 0, "ignored": 1, "total": 2},
                    "objectReports": [
                        {
                            "klass": DE,
                            "uid": "de000000002",
                            "index": 1,
                            "errorReports": [
                                {
                                    "message": "Missing required property `shortName`.",
                                    "mainKlass": DE,
                                    "errorKlass": DE,
                                    "errorCode": "E4000",
                                    "args": ["shortName"],
                                    "errorProperty": "shortName",
                                }
                            ],
                        }
                    ],
                }
            ],
        },
    }


def test_import_report_lists_every_error_with_its_object() -> None:
    body = conflict_body()
    answer = ImportReportResponse.model_validate(body)
    report = answer.response
    assert report is not None
    assert (report.status, report.stats.created, report.stats.ignored) == ("WARNING", 1, 1)
    [types] = report.type_reports
    assert (types.klass, types.stats.total) == (DE, 2)
    [error] = report.errors()
    assert error == ObjectError(
        DE,
        "de000000002",
        1,
        ErrorReport(
            message="Missing required property `shortName`.",
            error_code="E4000",
            main_klass=DE,
            error_klass=DE,
            error_property="shortName",
            args=("shortName",),
        ),
    )
    assert error.error_property == "shortName"
    assert str(error) == (
        "DataElement de000000002 (index 1): E4000: Missing required property `shortName`. "
        "[shortName]"
    )
    assert answer.model_dump(exclude_unset=True) == body


def test_bare_import_report_and_the_older_type_report_map() -> None:
    response = cast(dict[str, object], conflict_body()["response"])
    [type_report] = cast(list[dict[str, object]], response["typeReports"])
    older = {**response, "typeReports": {DE: type_report}}
    report = ImportReport.model_validate(older)
    assert [str(error) for error in report.errors()] == [
        "DataElement de000000002 (index 1): E4000: Missing required property `shortName`. "
        "[shortName]"
    ]


def test_object_report_response_of_a_single_write() -> None:
    body: dict[str, object] = {
        "httpStatus": "Created",
        "httpStatusCode": 201,
        "status": "OK",
        "response": {
            "responseType": "ObjectReport",
            "klass": DE,
            "uid": "de000000001",
            "errorReports": [],
        },
    }
    answer = ObjectReportResponse.model_validate_json(json.dumps(body))
    assert answer.response is not None
    assert (answer.response.uid, answer.response.klass) == ("de000000001", DE)
    assert answer.response.model_extra == {"responseType": "ObjectReport"}
    assert answer.model_dump(exclude_unset=True) == body


def test_bad_error_report_items_are_refused() -> None:
    with pytest.raises(ValueError, match="an errorReports item must be a JSON object, got str"):
        ObjectReport.model_validate({"errorReports": ["E4000"]})
