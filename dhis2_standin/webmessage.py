"""DHIS2's WebMessage bodies (errors, object reports, job starts) and the JSON response type.

Shapes follow recorded DHIS2 responses (``shared/dhis2``): e.g. a missing object answers
``{"httpStatus":"Not Found","httpStatusCode":404,"status":"ERROR","message":"DataElement with id
X could not be found.","errorCode":"E1005"}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus

from starlette.responses import Response

from dhis2_standin.jsontypes import JsonObject, JsonValue, dump_json

JSON_MEDIA_TYPE = "application/json;charset=UTF-8"
CONFLICT_MESSAGE = "One or more errors occurred, please see full details in import report."


class JsonResponse(Response):
    """A JSON body with DHIS2's content type, serialised once."""

    media_type = JSON_MEDIA_TYPE

    def __init__(
        self, body: JsonValue, status_code: int = 200, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(dump_json(body), status_code=status_code, headers=headers)


def reason(status_code: int) -> str:
    """``Not Found`` for 404: the ``httpStatus`` text DHIS2 (Spring) uses."""
    return HTTPStatus(status_code).phrase


def web_message(
    status_code: int,
    message: str | None = None,
    *,
    status: str | None = None,
    error_code: str | None = None,
    response: JsonObject | None = None,
) -> JsonObject:
    """A WebMessage body; ``status`` defaults to OK below 400 and ERROR from 400 on."""
    body: JsonObject = {
        "httpStatus": reason(status_code),
        "httpStatusCode": status_code,
        "status": status or ("OK" if status_code < 400 else "ERROR"),
    }
    if message is not None:
        body["message"] = message
    if error_code is not None:
        body["errorCode"] = error_code
    if response is not None:
        body["response"] = response
    return body


def error_response(
    status_code: int,
    message: str,
    *,
    error_code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JsonResponse:
    """An error WebMessage as a response."""
    body = web_message(status_code, message, error_code=error_code)
    return JsonResponse(body, status_code, headers)


def not_found(klass: str, uid: str) -> JsonResponse:
    """DHIS2's 404 for a missing object (E1005)."""
    return error_response(404, f"{klass} with id {uid} could not be found.", error_code="E1005")


def error_report(
    error_code: str,
    message: str,
    *,
    main_klass: str,
    error_property: str | None = None,
    args: Sequence[str] = (),
) -> JsonObject:
    """One entry of ``errorReports``, as DHIS2's ErrorReport serialises."""
    report: JsonObject = {
        "message": message,
        "mainKlass": main_klass,
        "errorKlass": main_klass,
        "errorCode": error_code,
        "args": list(args),
    }
    if error_property is not None:
        report["errorProperty"] = error_property
    return report


def object_report(
    klass: str, uid: str, errors: list[JsonValue], index: int | None = None
) -> JsonObject:
    """An ObjectReport, as an import's ``typeReports[].objectReports`` lists them."""
    report: JsonObject = {"klass": klass, "uid": uid}
    if index is not None:
        report["index"] = index
    report["errorReports"] = errors
    return report


def object_report_response(status_code: int, report: JsonObject) -> JsonResponse:
    """A single-object write's answer: 200/201 with the report, or 409 listing its errors."""
    report = {"responseType": "ObjectReport", **report}
    if status_code >= 400:
        body = web_message(status_code, CONFLICT_MESSAGE, status="WARNING", response=report)
    else:
        body = web_message(status_code, response=report)
    return JsonResponse(body, status_code)
