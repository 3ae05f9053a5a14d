"""client.analytics against the stand-in's sums of the imported values, and the typed grid."""

from __future__ import annotations

import sys

import pytest

from dhis2_sdk import AnalyticsResponse, BasicAuth, Dhis2Client, MissingExtraError
from dhis2_standin.launcher import RunningStandin
from tests.data_side.values import ASSIGNED_UNITS, planned_import
from tests.paths import SHARED_DHIS2
from tests.recorded import read_json

PLAN = planned_import()
RECORDED_GRID = (
    SHARED_DHIS2
    / "v42/fixtures/recorded-network/data-exchange-app"
    / "GET__aggregateDataExchanges_ioHMBgeK50L_sourceData__qaba303e7.json"
)


def expected_sums(elements: set[str], year: str, unit: str) -> dict[tuple[str, str, str], int]:
    """What the stored values add up to for ``unit`` and its descendants in ``year``."""
    below = {"ImspTQPwCqd": set(ASSIGNED_UNITS), "O6uvpzGd5pu": {"O6uvpzGd5pu", "YuQRtpLP10I"}}
    sums: dict[tuple[str, str, str], int] = {}
    for value in PLAN.valid:
        de, period = str(value["dataElement"]), str(value["period"])
        if de in elements and period.startswith(year) and value["orgUnit"] in below[unit]:
            key = (de, year, unit)
            sums[key] = sums.get(key, 0) + int(str(value["value"]))
    return sums


@pytest.mark.anyio
async def test_analytics_sums_values_over_periods_and_descendants(
    aggregate: RunningStandin,
) -> None:
    elements = sorted({str(v["dataElement"]) for v in PLAN.valid if str(v["value"]).isdigit()})[:4]
    async with Dhis2Client(aggregate.base_url, auth=BasicAuth(*aggregate.basic_auth)) as client:
        await client.data_values.import_(PLAN.valid)
        grid = await client.analytics.query(dx=elements, pe=["2023", "2024"], ou="ImspTQPwCqd")
        bo = await client.analytics.query(
            dx=elements, pe="2024", ou=["O6uvpzGd5pu"], skip_meta=True
        )
    got = {(str(r["dx"]), str(r["pe"]), str(r["ou"])): r["value"] for r in grid.records()}
    assert got == expected_sums(set(elements), "2023", "ImspTQPwCqd") | expected_sums(
        set(elements), "2024", "ImspTQPwCqd"
    )
    assert [h.name for h in grid.headers] == ["dx", "pe", "ou", "value"]
    assert (grid.height, grid.width) == (len(got), 4)
    assert all(isinstance(r["value"], int) for r in grid.records())
    assert grid.meta_data.dimensions["ou"] == ["ImspTQPwCqd"]
    assert grid.meta_data.name_of("ImspTQPwCqd") == "Sierra Leone"
    assert {(str(r["dx"]), str(r["pe"]), str(r["ou"])): r["value"] for r in bo.records()} == (
        expected_sums(set(elements), "2024", "O6uvpzGd5pu")
    )
    assert bo.meta_data.items == {}


@pytest.mark.anyio
async def test_malformed_dimension_items_are_refused_before_sending() -> None:
    client = Dhis2Client("http://127.0.0.1:9")
    with pytest.raises(ValueError, match="pe item '2024-01' is neither an ISO period"):
        await client.analytics.query(dx="fbfJHSPpUQD", pe="2024-01")
    with pytest.raises(ValueError, match="ou item 'a b' is not a DHIS2 dimension item"):
        await client.analytics.query(dx="fbfJHSPpUQD", ou="a b")


def recorded_grid() -> AnalyticsResponse:
    body = read_json(RECORDED_GRID)
    assert isinstance(body, list)
    return AnalyticsResponse.model_validate(body[0])


def test_a_recorded_grid_is_typed_and_its_numbers_are_numbers() -> None:
    grid = recorded_grid()
    assert [h.name for h in grid.headers] == ["dx", "pe", "ou", "value"]
    assert [h.is_numeric for h in grid.headers] == [False, False, False, True]
    assert grid.meta_data.name_of("fbfJHSPpUQD") == "ANC 1st visit"
    assert grid.meta_data.dimensions["dx"] == ["fbfJHSPpUQD", "cYeuwXTCPkU", "Jtf34kNZhzP"]
    records = list(grid.records())
    assert len(records) == len(grid.rows) > 0
    for row, record in zip(grid.rows, records, strict=True):
        assert record["dx"] == row[0]
        assert isinstance(record["value"], int | float)
        assert float(str(row[3])) == record["value"]


@pytest.mark.parametrize(
    ("method", "module"),
    [("to_pandas", "pandas"), ("to_polars", "polars"), ("to_arrow", "pyarrow")],
)
def test_data_frames_without_the_library_say_how_to_install_it(
    method: str, module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    with pytest.raises(MissingExtraError) as raised:
        getattr(recorded_grid(), method)()
    assert str(raised.value) == (
        f"AnalyticsResponse.{method}() needs {module}, which is not installed: pip install "
        f"{module} (or pip install 'dhis2-sdk[{module}]'). records() and columns() work without it."
    )
    assert isinstance(raised.value, ImportError)
