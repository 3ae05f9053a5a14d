"""The pieces under client.data_values: recorded summaries typed, the incremental JSON reader,
DHIS2 periods, and the checks made before sending."""

from __future__ import annotations

import json
from typing import cast

import pytest

from dhis2_sdk import DataValue, DataValueError, ImportSummary, ResponseShapeError, period_type
from dhis2_sdk.runtime._data_value import DATA_VALUES, wire_value
from dhis2_sdk.runtime._import_summary import summary_from_body
from dhis2_sdk.runtime._json_stream import JsonArrayReader, dict_reader
from dhis2_standin.periods import parse_period
from tests.paths import SHARED_DHIS2
from tests.recorded import as_objects, read_json

ANDROID = SHARED_DHIS2 / "unversioned" / "android-sdk-fixtures"

# ---------------------------------------------------------------- recorded summaries


def test_the_recorded_data_value_summary_is_typed_without_loss() -> None:
    raw = (ANDROID / "imports_data_value_import_summary_web_response.json").read_bytes()
    summary = summary_from_body(raw)
    count = summary.import_count
    assert (summary.status, summary.response_type) == ("SUCCESS", "ImportSummary")
    assert (count.imported, count.updated, count.ignored, count.deleted) == (0, 10, 0, 0)
    assert summary.conflicts == []
    assert summary.ok
    assert summary.import_options is not None
    assert summary.import_options["importStrategy"] == "CREATE_AND_UPDATE"
    assert summary.model_dump(exclude_unset=True) == json.loads(raw)["response"]


def summaries_with_conflicts(node: object) -> list[dict[str, object]]:
    """Every ImportSummary with conflicts, however deep in the recorded body."""
    if isinstance(node, list):
        return [
            found for child in cast(list[object], node) for found in summaries_with_conflicts(child)
        ]
    if not isinstance(node, dict):
        return []
    obj = cast(dict[str, object], node)
    own = [obj] if obj.get("responseType") == "ImportSummary" and obj.get("conflicts") else []
    return own + [found for child in obj.values() for found in summaries_with_conflicts(child)]


def test_recorded_conflicts_are_typed() -> None:
    path = ANDROID / "imports_web_response_with_import_conflicts.json"
    found = summaries_with_conflicts(read_json(path))
    assert found
    for node in found:
        summary = ImportSummary.model_validate(node)
        conflicts = as_objects(node["conflicts"], path)
        assert [(c.object, c.value) for c in summary.conflicts] == [
            (c["object"], c["value"]) for c in conflicts
        ]
        assert summary.status == node["status"]


def test_a_bare_summary_from_an_older_server_or_a_job_reads_too() -> None:
    body = b'{"responseType":"ImportSummary","status":"WARNING","importCount":{"imported":2},'
    body += b'"conflicts":[{"object":"x","value":"bad","errorCode":"E7619","indexes":[3]}]}'
    summary = summary_from_body(body)
    assert summary.import_count.imported == 2
    assert str(summary.conflicts[0]) == "E7619 x: bad (values 3)"
    assert not summary.ok


# ---------------------------------------------------------------- the incremental reader

BODY = json.dumps(
    {
        "dataSet": "pBOMPrpg1QX",
        "completeDate": 20240101,
        "dataValues": [
            {"dataElement": "fbfJHSPpUQD", "period": "202401", "value": "12", "comment": 'a "}]'},
            {"dataElement": "cYeuwXTCPkU", "period": "202401", "value": "7", "comment": "é ✓"},
            {"dataElement": "Jtf34kNZhzP", "period": "202402", "followup": True},
        ],
        "after": [1, {"x": 2}],
    },
    ensure_ascii=False,
    indent=1,
).encode()
ITEMS = json.loads(BODY)["dataValues"]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, len(BODY)])
def test_the_reader_gives_every_object_whatever_the_chunk_size(size: int) -> None:
    reader = dict_reader("dataValues", where="GET /api/dataValueSets")
    got: list[dict[str, object]] = []
    for start in range(0, len(BODY), size):
        got += reader.feed(BODY[start : start + size])
    got += reader.close()
    assert got == ITEMS


def test_the_reader_hands_on_objects_before_the_body_ends() -> None:
    reader = dict_reader("dataValues", where="GET /api/dataValueSets")
    cut = BODY.index(b"cYeuwXTCPkU")
    assert reader.feed(BODY[:cut]) == ITEMS[:1]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'{"dataValues": [{"a": 1}', "the body ended before the JSON object closed"),
        (b'{"dataValues": [{"a": 1', "the body ended inside a JSON value"),
        (b'[{"a": 1}]', "the body is not a JSON object"),
        (b'{"dataValues": {"a": 1}}', "'dataValues' is not an array"),
        (b'{"dataValues": [1, 2]}', "the 'dataValues' array holds a non-object"),
        (b'{"dataValues": []} {}', "there is more after the JSON object"),
    ],
)
def test_the_reader_says_what_is_wrong_with_a_body(body: bytes, why: str) -> None:
    def read() -> None:
        reader = dict_reader("dataValues", where="GET /api/dataValueSets")
        reader.feed(body)
        reader.close()

    with pytest.raises(ResponseShapeError) as raised:
        read()
    assert str(raised.value).startswith(
        f"GET /api/dataValueSets answered a body that is not {{'dataValues': [...]}} ({why})"
    )


def typed_reader() -> JsonArrayReader[DataValue]:
    return JsonArrayReader(
        "dataValues",
        where="GET /api/dataValueSets",
        batch=DATA_VALUES.validate_json,
        each=DATA_VALUES.validate_python,
    )


def test_the_typed_reader_gives_data_values_and_names_one_that_does_not_fit() -> None:
    good = b'{"dataElement":"a","period":"2024","orgUnit":"b","followup":true,"value":"1"}'
    body = b'{"dataValues":[' + b",".join([good] * 3) + b"]}"
    reader = typed_reader()
    values = [v for start in range(0, len(body), 50) for v in reader.feed(body[start : start + 50])]
    values += reader.close()
    assert [(v.data_element, v.follow_up, v.value) for v in values] == [("a", True, "1")] * 3
    with pytest.raises(ResponseShapeError, match=r"\(an item does not fit: 2 validation errors"):
        typed_reader().feed(b'{"dataValues":[' + good + b',{"period":"2024"},' + good + b"]}")


def test_a_body_without_the_array_has_no_values() -> None:
    reader = dict_reader("dataValues", where="GET /api/dataValueSets")
    assert reader.feed(b'{"dataSet": "x"}') + reader.close() == []


# ---------------------------------------------------------------- periods and checks


@pytest.mark.parametrize(
    ("period", "kind"),
    [
        ("2024", "Yearly"),
        ("202401", "Monthly"),
        ("202412", "Monthly"),
        ("20240229", "Daily"),
        ("202403B", "BiMonthly"),
        ("2024Q4", "Quarterly"),
        ("2024NovQ1", "QuarterlyNov"),
        ("2024S2", "SixMonthly"),
        ("2024AprilS1", "SixMonthlyApril"),
        ("2024W53", "Weekly"),
        ("2024W1", "Weekly"),
        ("2024WedW7", "WeeklyWednesday"),
        ("2024BiW27", "BiWeekly"),
        ("2024April", "FinancialApril"),
        ("2024July", "FinancialJuly"),
        ("2024Oct", "FinancialOct"),
        ("202413", None),
        ("20230229", None),
        ("2024Q5", None),
        ("2024W54", None),
        ("2024-01", None),
        ("24", None),
        ("2024W0", None),
        ("202407B", None),
        ("", None),
    ],
)
def test_periods_are_told_apart_and_malformed_ones_refused(period: str, kind: str | None) -> None:
    assert period_type(period) == kind
    standin = parse_period(period)
    if kind not in (None, "QuarterlyNov"):
        assert standin is not None
        assert standin.period_type == kind


def test_dicts_may_use_python_names_and_numbers_and_are_checked() -> None:
    wire = wire_value(
        {"data_element": "fbfJHSPpUQD", "period": "202401", "org_unit": "DiszpKrYNg8", "value": 5},
        0,
        uids=True,
    )
    assert wire == {
        "dataElement": "fbfJHSPpUQD",
        "period": "202401",
        "orgUnit": "DiszpKrYNg8",
        "value": "5",
    }
    numeric = {"data_element": "fbfJHSPpUQD", "period": "2024", "org_unit": "x", "value": 5}
    assert DataValue.model_validate(numeric).value == "5"
    with pytest.raises(DataValueError, match="Data value 3 has no orgUnit"):
        wire_value({"dataElement": "fbfJHSPpUQD", "period": "202401"}, 3, uids=True)
    with pytest.raises(DataValueError, match="Data value 0 is a str"):
        wire_value("fbfJHSPpUQD", 0, uids=True)
    assert wire_value({"dataElement": "ANC 1", "period": "2024", "orgUnit": "OU-1"}, 0, uids=False)


def test_a_data_value_sends_its_timestamps_back_in_dhis2s_form() -> None:
    """DHIS2 writes ``2024-01-05T10:11:12.000``; ``to_wire`` gives the same text back, with
    its milliseconds (pydantic's own form dropped ``.000`` and padded ``.345`` to ``.345000``)."""
    wire = {
        "dataElement": "fbfJHSPpUQD",
        "period": "202401",
        "orgUnit": "DiszpKrYNg8",
        "value": "5",
        "created": "2024-01-05T10:11:12.000",
        "lastUpdated": "2024-01-05T10:11:12.345",
    }
    assert DataValue.model_validate(wire).to_wire() == wire
