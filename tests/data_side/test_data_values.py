"""client.data_values against the stand-in of v41, v42 and v43, end to end.

Tens of thousands of values generated from recorded metadata go in streamed, with invalid ones
among them; the summary must count and name every conflict exactly, every valid value must be
stored, and the export must give every one of them back. The CSV and JSON file paths, async
imports through client.tasks, and the errors raised before anything is sent are covered too.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dhis2_sdk import (
    BasicAuth,
    DataValue,
    DataValueError,
    DataValueImportError,
    Dhis2Client,
    ImportSummary,
    TaskRef,
)
from dhis2_standin.launcher import RunningStandin
from tests.data_side.values import (
    ASSIGNED_UNITS,
    DEFAULT_COC,
    MONTHLY_SET,
    YEARLY_SET,
    Wire,
    planned_import,
)

if TYPE_CHECKING:
    from dhis2_sdk.runtime._client import Backend

pytestmark = pytest.mark.anyio

PLAN = planned_import()
Key = tuple[str, str, str, str, str]


def client_for(server: RunningStandin, backend: Backend = "httpx") -> Dhis2Client:
    auth = BasicAuth(server.username, server.password)
    return Dhis2Client(server.base_url, auth=auth, backend=backend)


def key_of(value: Wire) -> Key:
    return (
        str(value["dataElement"]),
        str(value["period"]),
        str(value["orgUnit"]),
        str(value.get("categoryOptionCombo") or DEFAULT_COC),
        str(value.get("attributeOptionCombo") or DEFAULT_COC),
    )


def exported_key(value: DataValue) -> Key:
    return (
        value.data_element,
        value.period,
        value.org_unit,
        value.category_option_combo or DEFAULT_COC,
        value.attribute_option_combo or DEFAULT_COC,
    )


def conflicts_by_index(summary: ImportSummary) -> dict[int, tuple[str | None, str | None]]:
    found: dict[int, tuple[str | None, str | None]] = {}
    for conflict in summary.conflicts:
        for index in conflict.indexes:
            assert index not in found, f"value {index} is in two conflicts"
            found[index] = (conflict.error_code, conflict.object)
    return found


async def export_everything(client: Dhis2Client) -> list[DataValue]:
    return [
        value
        async for value in client.data_values.export(
            data_set=[MONTHLY_SET, YEARLY_SET],
            start_date="2022-01-01",
            end_date="2024-12-31",
            org_unit=ASSIGNED_UNITS[0],
            children=True,
        )
    ]


async def streamed(values: list[Wire]) -> AsyncIterator[DataValue | Wire]:
    """The values as an async generator, every other one as a typed DataValue."""
    for position, value in enumerate(values):
        yield DataValue.model_validate(value) if position % 2 else value


async def test_streamed_import_counts_and_names_every_conflict_and_exports_every_value(
    aggregate: RunningStandin, backend: Backend
) -> None:
    """On both connection pools: the request body streams out, the export streams in."""
    async with client_for(aggregate, backend) as client:
        summary = await client.data_values.import_(streamed(PLAN.sent))
        exported = await export_everything(client)
    assert len(PLAN.sent) > 20_000
    count = summary.import_count
    assert (count.imported, count.updated, count.ignored, count.deleted) == (
        len(PLAN.valid),
        0,
        len(PLAN.rejected),
        0,
    )
    assert summary.status == "WARNING"
    assert conflicts_by_index(summary) == {
        index: (bad.error_code, bad.conflict_object) for index, bad in PLAN.rejected.items()
    }
    assert summary.rejected_indexes == sorted(PLAN.rejected)
    assert {exported_key(v): v.value for v in exported} == {
        key_of(v): v["value"] for v in PLAN.valid
    }
    assert len(exported) == len(PLAN.valid)
    assert all(v.stored_by == aggregate.username and v.last_updated for v in exported)


async def test_a_second_import_updates_and_deletes_and_raise_on_conflict_raises(
    aggregate: RunningStandin,
) -> None:
    first = PLAN.valid[:50]
    changed = [{**v, "value": "1"} for v in first[:30]] + [{**v, "value": ""} for v in first[30:]]
    async with client_for(aggregate) as client:
        await client.data_values.import_(first)
        again = await client.data_values.import_(changed)
        with pytest.raises(DataValueImportError) as raised:
            await client.data_values.import_(
                [PLAN.valid[60], PLAN.rejected[min(PLAN.rejected)].value],
                raise_on_conflict=True,
            )
    count = again.import_count
    assert (count.imported, count.updated, count.deleted, count.ignored) == (0, 30, 20, 0)
    assert again.ok
    summary = raised.value.summary
    assert (summary.import_count.imported, summary.import_count.ignored) == (1, 1)
    assert "The values without conflicts were stored" in str(raised.value)


async def test_dry_run_stores_nothing(aggregate: RunningStandin) -> None:
    async with client_for(aggregate) as client:
        summary = await client.data_values.import_(PLAN.valid[:100], dry_run=True)
        exported = await export_everything(client)
    assert summary.import_count.imported == 100
    assert exported == []


async def test_json_and_csv_files_import_like_values(
    aggregate: RunningStandin, tmp_path: Path
) -> None:
    json_file = tmp_path / "values.json"
    json_file.write_text(json.dumps({"dataValues": PLAN.sent[:1000]}))
    csv_file = tmp_path / "values.csv"
    with csv_file.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "dataelement",
                "period",
                "orgunit",
                "categoryoptioncombo",
                "attributeoptioncombo",
                "value",
            ]
        )
        for value in PLAN.sent[1000:2000]:
            writer.writerow(
                [
                    value.get(k, "")
                    for k in (
                        "dataElement",
                        "period",
                        "orgUnit",
                        "categoryOptionCombo",
                        "attributeOptionCombo",
                        "value",
                    )
                ]
            )
    async with client_for(aggregate) as client:
        from_json = await client.data_values.import_(json_file)
        from_csv = await client.data_values.import_(str(csv_file))
        exported = await export_everything(client)
    rejected_json = sum(1 for i in PLAN.rejected if i < 1000)
    rejected_csv = sum(1 for i in PLAN.rejected if 1000 <= i < 2000)
    assert (from_json.import_count.imported, from_json.import_count.ignored) == (
        1000 - rejected_json,
        rejected_json,
    )
    assert (from_csv.import_count.imported, from_csv.import_count.ignored) == (
        1000 - rejected_csv,
        rejected_csv,
    )
    sent = [v for i, v in enumerate(PLAN.sent[:2000]) if i not in PLAN.rejected]
    assert {exported_key(v): v.value for v in exported} == {key_of(v): v["value"] for v in sent}


async def test_async_import_is_awaited_through_tasks(aggregate: RunningStandin) -> None:
    async with client_for(aggregate) as client:
        ref = await client.data_values.import_(PLAN.sent[:500], async_=True)
        assert isinstance(ref, TaskRef)
        assert ref.job_type == "DATAVALUE_IMPORT"
        completion = await client.tasks.await_completion(ref, poll_interval=0.02)
        summary = await client.data_values.summary(ref)
    rejected = sum(1 for i in PLAN.rejected if i < 500)
    assert not completion.failed
    assert (summary.import_count.imported, summary.import_count.ignored) == (
        500 - rejected,
        rejected,
    )


async def test_the_csv_export_has_the_same_values(aggregate: RunningStandin) -> None:
    async with client_for(aggregate) as client:
        await client.data_values.import_(PLAN.valid[:300])
        text = b"".join(
            [
                chunk
                async for chunk in client.stream(
                    "/api/dataValueSets.csv",
                    params={
                        "dataSet": MONTHLY_SET,
                        "period": "202201",
                        "orgUnit": ASSIGNED_UNITS,
                    },
                )
            ]
        ).decode()
        from_json = [
            v
            async for v in client.data_values.export(
                data_set=MONTHLY_SET, period="202201", org_unit=list(ASSIGNED_UNITS)
            )
        ]
    rows = list(csv.reader(text.splitlines()))
    assert rows[0][:6] == [
        "dataelement",
        "period",
        "orgunit",
        "categoryoptioncombo",
        "attributeoptioncombo",
        "value",
    ]
    assert len(from_json) > 0
    assert sorted(tuple(row[:6]) for row in rows[1:]) == sorted(
        (*exported_key(v), v.value or "") for v in from_json
    )


async def test_bad_input_is_refused_before_anything_is_sent(aggregate: RunningStandin) -> None:
    good = PLAN.valid[0]
    async with client_for(aggregate) as client:
        before = aggregate.stats().requests_total
        with pytest.raises(DataValueError) as bad_period:
            await client.data_values.import_([good, {**good, "period": "2024-13"}])
        with pytest.raises(DataValueError) as bad_uid:
            await client.data_values.import_([{**good, "orgUnit": "not a uid"}])
        with pytest.raises(ValueError, match="period '202413' is no DHIS2 period"):
            client.data_values.export(data_set=MONTHLY_SET, period="202413", org_unit="ImspTQPwCqd")
        after = aggregate.stats().requests_total
        exported = await export_everything(client)
    assert after == before
    assert str(bad_period.value).startswith("Data value 1 has period '2024-13', which is no DHIS2")
    assert bad_period.value.index == 1
    assert str(bad_uid.value).startswith(
        "Data value 0 has orgUnit 'not a uid', which is not a DHIS2 UID"
    )
    assert exported == []


async def test_a_bad_value_deep_in_a_stream_aborts_the_import_and_nothing_is_stored(
    aggregate: RunningStandin,
) -> None:
    async def values() -> AsyncIterator[Wire]:
        for value in PLAN.valid[:5000]:
            yield value
        yield {**PLAN.valid[0], "period": "2024W99"}

    async with client_for(aggregate) as client:
        with pytest.raises(DataValueError, match="Data value 5000 has period '2024W99'"):
            await client.data_values.import_(values())
        exported = await export_everything(client)
    assert exported == []
