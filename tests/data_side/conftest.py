"""Stand-ins for the data side: one per version with recorded aggregate metadata and org units.

The metadata is ``aggregate_metadata.json`` from dhis2-core's tests (two data sets, 75 data
elements, their category combos) plus the org unit tree the aggregate data entry app recorded
from a real server (``v41/.../GET__organisationUnits_ImspTQPwCqd__q01ae2e50.json``: Sierra Leone
and its 165 descendants down to level 3), turned into importable org units. Each version's
server starts once per module; tests reset it (``standin.reset()`` empties the data values).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from dhis2_standin.launcher import RunningStandin, start_standin
from tests.paths import SHARED_DHIS2, VERSIONS
from tests.recorded import IMPORT_PAYLOADS, as_object, as_objects, read_json

AGGREGATE = IMPORT_PAYLOADS / "aggregate_metadata.json"
TRACKER_METADATA = IMPORT_PAYLOADS / "tracker_base_metadata.json"
ORG_UNIT_TREE = (
    SHARED_DHIS2
    / "v41/fixtures/recorded-network/aggregate-data-entry-app"
    / "GET__organisationUnits_ImspTQPwCqd__q01ae2e50.json"
)


def recorded_org_units() -> list[dict[str, object]]:
    """The recorded tree as ``/api/metadata`` org units (name from displayName, parent from
    path)."""
    listed = as_objects(
        as_object(read_json(ORG_UNIT_TREE), ORG_UNIT_TREE)["organisationUnits"], ORG_UNIT_TREE
    )
    units: list[dict[str, object]] = []
    for unit in listed:
        path = str(unit["path"])
        ancestors = path.strip("/").split("/")
        org_unit: dict[str, object] = {
            "id": unit["id"],
            "name": unit["displayName"],
            "shortName": str(unit["displayName"])[:50],
            "path": path,
            "level": unit["level"],
            "openingDate": "1970-01-01T00:00:00.000",
        }
        if len(ancestors) > 1:
            org_unit["parent"] = {"id": ancestors[-2]}
        units.append(org_unit)
    return units


def aggregate_metadata() -> dict[str, object]:
    """The recorded aggregate metadata with the recorded org units."""
    payload = as_object(read_json(AGGREGATE), AGGREGATE)
    return {**payload, "organisationUnits": recorded_org_units()}


@pytest.fixture(scope="module")
def metadata_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data-side") / "aggregate_with_org_units.json"
    path.write_text(json.dumps(aggregate_metadata()))
    return path


@pytest.fixture(scope="module", params=VERSIONS)
def aggregate_server(
    request: pytest.FixtureRequest, metadata_file: Path
) -> Iterator[RunningStandin]:
    """A stand-in of each version with the aggregate metadata and org units."""
    server = start_standin(
        SHARED_DHIS2 / str(request.param), metadata=metadata_file, job_duration=0.05
    )
    yield server
    server.stop()


@pytest.fixture
def aggregate(aggregate_server: RunningStandin) -> RunningStandin:
    """The module's stand-in of one version, without data values."""
    aggregate_server.reset()
    return aggregate_server


@pytest.fixture(scope="module", params=VERSIONS)
def tracker_server(request: pytest.FixtureRequest) -> Iterator[RunningStandin]:
    """A stand-in of each version with dhis2-core's tracker test metadata."""
    server = start_standin(
        SHARED_DHIS2 / str(request.param), metadata=TRACKER_METADATA, job_duration=0.05
    )
    yield server
    server.stop()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
