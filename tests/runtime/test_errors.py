"""Error mapping: status → class, WebMessage parsing, messages that say what to do."""

from __future__ import annotations

import json

import pytest

from dhis2_sdk import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    Dhis2ApiError,
    Dhis2ClientError,
    ErrorReport,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    error_from_response,
)
from tests.paths import SHARED_DHIS2

RECORDED = SHARED_DHIS2 / "v42" / "fixtures" / "recorded-network" / "scheduler-app"
ANDROID = SHARED_DHIS2 / "unversioned" / "android-sdk-fixtures"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (418, Dhis2ApiError),
    ],
)
def test_status_selects_error_class(status: int, cls: type[Dhis2ApiError]) -> None:
    error = error_from_response(status, b"", method="GET", url="http://x/api/a", reason="R")
    assert type(error) is cls
    assert isinstance(error, Dhis2ClientError)
    assert error.status_code == status


def test_recorded_404_web_message_is_parsed_and_shown() -> None:
    body = (RECORDED / "POST__jobConfigurations_uvUPBToQHD9_execute.json").read_bytes()
    error = error_from_response(
        404,
        body,
        method="POST",
        url="http://x/api/jobConfigurations/uvUPBToQHD9/execute",
        reason="Not Found",
    )
    assert isinstance(error, NotFoundError)
    assert error.message == "JobConfiguration with id uvUPBToQHD9 could not be found."
    assert error.error_code == "E1005"
    assert error.web_message is not None
    assert error.web_message.http_status == "Not Found"
    assert error.web_message.status == "ERROR"
    assert str(error) == (
        "POST http://x/api/jobConfigurations/uvUPBToQHD9/execute failed with 404: "
        "JobConfiguration with id uvUPBToQHD9 could not be found. (E1005)\n"
        "Check the path, the UID and that the endpoint exists in this DHIS2 version; objects "
        "the user cannot read are reported as not found too."
    )


def test_conflict_collects_nested_error_reports() -> None:
    body = {
        "httpStatus": "Conflict",
        "httpStatusCode": 409,
        "status": "ERROR",
        "message": "One or more errors occurred, please see full details in import report.",
        "response": {
            "responseType": "ImportReport",
            "typeReports": [
                {
                    "objectReports": [
                        {
                            "errorReports": [
                                {
                                    "message": "Missing required property `shortName`.",
                                    "mainKlass": "org.hisp.dhis.dataelement.DataElement",
                                    "errorCode": "E4000",
                                    "errorProperty": "shortName",
                                    "errorProperties": ["shortName"],
                                }
                            ]
                        }
                    ]
                }
            ],
        },
    }
    error = error_from_response(
        409, json.dumps(body).encode(), method="POST", url="http://x/api/metadata"
    )
    assert isinstance(error, ConflictError)
    assert error.error_reports == (
        ErrorReport(
            message="Missing required property `shortName`.",
            error_code="E4000",
            main_klass="org.hisp.dhis.dataelement.DataElement",
            error_property="shortName",
            error_properties=("shortName",),
        ),
    )
    assert str(error).splitlines() == [
        "POST http://x/api/metadata failed with 409: One or more errors occurred, please see "
        "full details in import report.",
        "  - E4000: Missing required property `shortName`. [shortName]",
        "Fix the objects and properties listed above and send the request again.",
    ]


def test_tracker_error_reports_keep_uid_and_type() -> None:
    body = (ANDROID / "imports_tracker-importer_event-conflict-new.json").read_bytes()
    error = error_from_response(409, body, method="POST", url="http://x/api/tracker")
    (report,) = error.error_reports
    assert report.error_code == "E1029"
    assert report.uid == "STPIK5YTi4f"
    assert report.tracker_type == "EVENT"


def test_error_reports_keep_args_and_serialise_back_to_dhis2_keys() -> None:
    recorded = json.loads(
        (ANDROID / "imports_tracker-importer_event-conflict-new.json").read_text()
    )
    [tracker_item] = recorded["validationReport"]["errorReports"]
    metadata_item = {
        "message": "Property `code` with value `ANC1` on object Other [de000000009] (DataElement) "
        "already exists on object de000000001.",
        "mainKlass": "org.hisp.dhis.dataelement.DataElement",
        "errorKlass": "org.hisp.dhis.dataelement.DataElement",
        "errorCode": "E5003",
        "errorProperty": "code",
        "args": ["code", "ANC1", "Other [de000000009] (DataElement)", "de000000001"],
    }
    for item in (tracker_item, metadata_item):
        assert ErrorReport.from_json(item).to_json() == item
    assert ErrorReport.from_json(metadata_item).args[:2] == ("code", "ANC1")


def test_non_json_body_is_kept_as_text() -> None:
    error = error_from_response(
        502, b"<html>Bad gateway</html>", method="GET", url="http://x/api/me", reason="Bad Gateway"
    )
    assert isinstance(error, ServerError)
    assert error.web_message is None
    assert error.body_text == "<html>Bad gateway</html>"
    assert error.message == "Bad Gateway"


def test_authentication_error_says_what_to_check() -> None:
    body = b'{"httpStatus":"Unauthorized","httpStatusCode":401,"status":"ERROR","message":"x"}'
    error = error_from_response(401, body, method="GET", url="http://x/api/me")
    assert str(error).endswith(
        "Check the credentials: username and password for BasicAuth, a current token for "
        "PatAuth (tokens expire and may be limited to some IPs, methods or referrers), or the "
        "OAuth2 client id, secret and grant."
    )


def test_many_error_reports_are_summarised() -> None:
    reports = [{"message": f"bad {i}", "errorCode": "E4000"} for i in range(12)]
    body = json.dumps({"status": "ERROR", "message": "m", "errorReports": reports}).encode()
    error = error_from_response(409, body, method="POST", url="http://x/api/metadata")
    assert len(error.error_reports) == 12
    assert "  … and 2 more (see .error_reports)" in str(error).splitlines()
