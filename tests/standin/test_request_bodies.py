"""Bodies DHIS2 cannot read or bind: a 400 for JSON nested beyond reason, a 409 with error
reports (E4027) for values of the wrong JSON type, never a 500 or a 201."""

from __future__ import annotations

import httpx
import pytest

from dhis2_standin.jsontypes import JsonObject
from tests.standin.conftest import data_element, uid

DE_KLASS = "org.hisp.dhis.dataelement.DataElement"


def _deep(depth: int) -> bytes:
    return b'{"name":' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("path", ["/dataElements", "/metadata"])
def test_a_100000_deep_body_is_a_bad_request(api: httpx.Client, path: str) -> None:
    response = api.post(path, content=_deep(100_000), headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    body = response.json()
    assert (body["httpStatusCode"], body["status"]) == (400, "ERROR")
    assert "nesting" in body["message"]


def _errors(response: httpx.Response) -> list[tuple[str, str]]:
    body = response.json()
    assert (body["httpStatusCode"], body["status"]) == (409, "WARNING")
    report = body["response"]
    reports = (
        report["errorReports"]
        if "errorReports" in report
        else [
            error
            for type_report in report["typeReports"]
            for object_report in type_report["objectReports"]
            for error in object_report["errorReports"]
        ]
    )
    return sorted((r["errorCode"], r["errorProperty"]) for r in reports)


def test_a_create_with_wrongly_typed_values_is_a_conflict(api: httpx.Client) -> None:
    obj: JsonObject = {"name": {"a": 1}, "shortName": "S", "valueType": 5}
    response = api.post("/dataElements", json=obj)
    assert response.status_code == 409
    assert _errors(response) == [("E4027", "name"), ("E4027", "valueType")]
    assert api.get("/dataElements", params={"fields": "id"}).json()["pager"]["total"] == 0


def test_an_infinite_number_in_a_boolean_is_a_conflict(api: httpx.Client) -> None:
    body = b'{"name":"Inf","shortName":"Inf","zeroIsSignificant":1e999}'
    response = api.post("/dataElements", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 409
    assert _errors(response) == [("E4027", "zeroIsSignificant")]


def test_the_error_report_says_which_value_and_property(api: httpx.Client) -> None:
    response = api.post("/dataElements", json={"name": "N", "shortName": "N", "valueType": 5})
    [report] = response.json()["response"]["errorReports"]
    assert report == {
        "message": "Value `5` is not a valid for property `valueType`",
        "mainKlass": DE_KLASS,
        "errorKlass": DE_KLASS,
        "errorCode": "E4027",
        "args": ["5", "valueType"],
        "errorProperty": "valueType",
    }


def test_an_unknown_constant_is_a_conflict(api: httpx.Client) -> None:
    response = api.post("/dataElements", json=data_element(uid("de", 1), "N", valueType="NOPE"))
    assert _errors(response) == [("E4027", "valueType")]


def test_an_import_with_wrongly_typed_values_reports_them(api: httpx.Client) -> None:
    payload: JsonObject = {
        "dataElements": [data_element(uid("de", 1), "One", zeroIsSignificant={"x": 1})]
    }
    response = api.post("/metadata", json=payload)
    assert response.status_code == 409
    assert _errors(response) == [("E4027", "zeroIsSignificant")]


def test_an_update_with_wrongly_typed_values_is_a_conflict(api: httpx.Client) -> None:
    created = api.post("/dataElements", json=data_element(uid("de", 1), "One"))
    assert created.status_code == 201
    response = api.put(f"/dataElements/{uid('de', 1)}", json={"name": ["One"], "shortName": "O"})
    assert response.status_code == 409
    assert _errors(response) == [("E4027", "name")]


@pytest.mark.parametrize(
    "values",
    [
        {"zeroIsSignificant": "true"},  # Jackson coerces scalars: "true" is a boolean
        {"zeroIsSignificant": 1},
        {"description": 5},  # and a number is the text of a text property
        {"categoryCombo": None},
        {"valueType": "INTEGER", "aggregationType": "SUM", "domainType": "AGGREGATE"},
        {"created": "2024-01-01T00:00:00.000", "lastUpdated": 1700000000000},
        {"categoryCombo": {"id": "bjDvmb4bfuf"}, "legendSets": [], "displayName": {"x": 1}},
    ],
)
def test_values_jackson_can_bind_are_accepted(api: httpx.Client, values: JsonObject) -> None:
    response = api.post("/dataElements", json=data_element(uid("de", 1), "One", **values))
    assert response.status_code == 201, response.text
