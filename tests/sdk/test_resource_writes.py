"""Writes through the typed accessors and ``client.metadata`` against the stand-in, for v41, v42
and v43: a recorded export imported through ``client.metadata`` and walked back with
``iterate()``; create -> get -> update -> patch -> delete for five kinds of object; an invalid
object's 409 with its error reports; ``VALIDATE`` changing nothing; an async import awaited
through ``client.tasks.await_completion``.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from types import ModuleType
from typing import cast

import pytest
from pydantic import JsonValue

from dhis2_sdk import (
    BasicAuth,
    ConflictError,
    Dhis2Client,
    Dhis2Model,
    ImportReport,
    MetadataImportError,
    NotFoundError,
    TaskRef,
    generate_uid,
)
from dhis2_standin.launcher import RunningStandin, start_standin
from generator import names
from tests.paths import SHARED_DHIS2, VERSIONS
from tests.recorded import IMPORT_PAYLOADS

pytestmark = pytest.mark.anyio
EXPORT = IMPORT_PAYLOADS / "aggregate_metadata.json"


@pytest.fixture(scope="module", params=VERSIONS)
def versioned(request: pytest.FixtureRequest) -> Iterator[tuple[RunningStandin, ModuleType]]:
    version = cast(str, request.param)
    server = start_standin(SHARED_DHIS2 / version)
    yield server, importlib.import_module(f"dhis2_sdk.{version}")
    server.stop()


@pytest.fixture
def setup(
    versioned: tuple[RunningStandin, ModuleType],
) -> tuple[RunningStandin, ModuleType]:
    versioned[0].reset()
    return versioned


def _client(server: RunningStandin, package: ModuleType) -> Dhis2Client:
    """The version's pinned client, seen through the runtime's type (the test runs per version)."""
    auth = BasicAuth(server.username, server.password)
    return cast(Dhis2Client, package.Dhis2Client(server.base_url, auth=auth))


async def test_a_recorded_export_imports_and_iterates_back(
    setup: tuple[RunningStandin, ModuleType],
) -> None:
    server, package = setup
    export = json.loads(EXPORT.read_text(encoding="utf-8"))
    metadata = package.Metadata.model_validate(export)
    assert metadata.to_wire() == export  # the typed document dumps back equal
    largest = max(
        (k for k, v in export.items() if isinstance(v, list)), key=lambda k: len(export[k])
    )
    async with _client(server, package) as client:
        report = await client.metadata.import_(metadata)
        assert isinstance(report, ImportReport)
        assert report.status == "OK"
        assert report.stats.created == report.stats.total > 0
        accessor = client.resources.resource(largest)
        seen = [_id(item) async for item in accessor.iterate(fields=["id"], page_size=9)]
        assert sorted(seen) == sorted(obj["id"] for obj in export[largest])
        page = await accessor.list(fields="id,name", page_size=5)
        assert len(page.items) == 5
        one = await accessor.get(seen[0])
        assert _id(one) == seen[0]
        exported = await client.metadata.export(types=[largest], fields="id")
        assert type(exported) is package.Metadata
        assert len(getattr(exported, _snake(largest))) == len(export[largest])


def _id(obj: Dhis2Model) -> str:
    return str(obj.to_wire()["id"])


def _snake(key: str) -> str:
    """The attribute name the generator gives a collection key (``dataElements`` -> ...)."""
    return str(names.field_name(key))


def _new_objects(package: ModuleType) -> list[tuple[str, Dhis2Model, str]]:
    """(collection key, new object, a text property to update) for five kinds of metadata."""
    uid = generate_uid
    return [
        (
            "dataElements",
            package.DataElement(
                id=uid(),
                name="SDK element",
                short_name="SDK el",
                value_type=package.ValueType.NUMBER,
                aggregation_type=package.AggregationType.SUM,
                domain_type="AGGREGATE",
            ),
            "name",
        ),
        (
            "indicatorTypes",
            package.IndicatorType(id=uid(), name="SDK per cent", factor=100),
            "name",
        ),
        (
            "categoryOptions",
            package.CategoryOption(id=uid(), name="SDK option", short_name="SDK o"),
            "name",
        ),
        (
            "organisationUnitGroups",
            package.OrganisationUnitGroup(id=uid(), name="SDK group", short_name="SDK g"),
            "name",
        ),
        (
            "optionSets",
            package.OptionSet(id=uid(), name="SDK options", value_type=package.ValueType.TEXT),
            "name",
        ),
    ]


async def test_create_get_update_patch_delete(setup: tuple[RunningStandin, ModuleType]) -> None:
    server, package = setup
    async with _client(server, package) as client:
        for key, obj, prop in _new_objects(package):
            resource = client.resources.resource(key)
            assert getattr(client.resources, _snake(key)) is resource  # the typed attribute
            uid = _id(obj)
            created = await resource.create(obj)
            assert created.response is not None
            assert created.response.uid == uid
            fetched = await resource.get(uid, fields="*")
            assert type(fetched) is resource.model
            setattr(fetched, prop, f"{getattr(fetched, prop)} (updated)")
            await resource.update(fetched)
            assert getattr(await resource.get(uid), prop).endswith("(updated)")
            await resource.patch(uid, [{"op": "replace", "path": f"/{prop}", "value": "Patched"}])
            assert getattr(await resource.get(uid, fields=[prop]), prop) == "Patched"
            deleted = await resource.delete(uid)
            assert deleted.status == "OK"
            with pytest.raises(NotFoundError):
                await resource.get(uid)


async def test_an_invalid_object_raises_the_409_with_its_error_reports(
    setup: tuple[RunningStandin, ModuleType],
) -> None:
    server, package = setup
    async with _client(server, package) as client:
        with pytest.raises(ConflictError) as caught:
            await client.resources.resource("dataElements").create(
                package.DataElement(short_name="no name")
            )
        with pytest.raises(MetadataImportError) as failed:
            await client.metadata.import_({"dataElements": [{"id": generate_uid()}]})
        report = await client.metadata.import_(
            {"dataElements": [{"id": generate_uid()}]}, raise_on_error=False
        )
    assert caught.value.status_code == 409
    assert caught.value.web_message is not None
    assert [r.error_code for r in caught.value.web_message.error_reports] == ["E4000"]
    assert report.status == "ERROR"
    assert {error.error_property for error in report.errors()} == {"name", "shortName"}
    assert "Missing required property" in str(failed.value)
    assert [(e.klass, e.report.error_code, e.error_property) for e in report.errors()] == [
        (e.klass, e.report.error_code, e.error_property) for e in failed.value.report.errors()
    ]


async def test_validate_changes_nothing(setup: tuple[RunningStandin, ModuleType]) -> None:
    server, package = setup
    payload = cast(dict[str, list[JsonValue]], json.loads(EXPORT.read_text(encoding="utf-8")))
    async with _client(server, package) as client:
        report = await client.metadata.import_(payload, import_mode="VALIDATE")
        page = await client.resources.resource("dataElements").list(fields="id")
    assert report.status == "OK"
    assert report.stats.total == sum(len(v) for v in payload.values())
    assert page.pager is not None
    assert page.pager.total == 0


async def test_an_async_import_is_awaited_through_tasks(
    setup: tuple[RunningStandin, ModuleType],
) -> None:
    server, package = setup
    server.configure(job_duration=0.05)
    async with _client(server, package) as client:
        ref = await client.metadata.import_(
            {"dataElements": [{"id": generate_uid(), "name": "Async", "shortName": "Async"}]},
            async_=True,
        )
        assert isinstance(ref, TaskRef)
        done = await client.tasks.await_completion(ref, poll_interval=0.01, timeout=60)
        page = await client.resources.resource("dataElements").list(fields="id")
    assert done.final.completed
    assert page.pager is not None
    assert page.pager.total == 1
