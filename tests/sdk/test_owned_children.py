"""Owned child objects (written inline by DHIS2) are typed as their models; the rule that finds
them agrees with the maintenance app's complete schema mocks (``embeddedObject``), and references
stay references that name their target.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import cast

import pytest

from dhis2_sdk.runtime._model import Dhis2Model
from generator import names
from tests.paths import SCHEMAS as REPO_SCHEMAS
from tests.paths import SHARED_DHIS2, VERSIONS

MOCKS = SHARED_DHIS2 / "unversioned" / "maintenance-app-beta-schema-mocks"

# Seen untyped in real exports (the outside check), as (collection, wire key, item model).
OWNED = [
    ("maps", "mapViews", "MapView"),
    ("programIndicators", "analyticsPeriodBoundaries", "AnalyticsPeriodBoundary"),
    ("programStages", "programStageDataElements", "ProgramStageDataElement"),
    ("dashboards", "dashboardItems", "DashboardItem"),
    ("programs", "programTrackedEntityAttributes", "ProgramTrackedEntityAttribute"),
    ("legendSets", "legends", "Legend"),
    ("trackedEntityTypes", "trackedEntityTypeAttributes", "TrackedEntityTypeAttribute"),
    ("sections", "greyedFields", "DataElementOperand"),
    ("dataSets", "compulsoryDataElementOperands", "DataElementOperand"),
]


def _field_annotation(model: type[Dhis2Model], wire_key: str) -> str:
    model.model_rebuild()
    for name, field in model.model_fields.items():
        if (field.serialization_alias or field.alias or name) == wire_key:
            return str(field.annotation)
    raise AssertionError(f"{model.__name__} has no field {wire_key!r}")


MockProperty = dict[str, str | bool | None]


def _mock(path: Path) -> tuple[str, list[MockProperty]]:
    """A mock's plural and properties (a list, or in some mocks an object keyed by name)."""
    mock = cast("dict[str, object]", json.loads(path.read_text(encoding="utf-8")))
    properties = mock["properties"]
    if isinstance(properties, dict):
        properties = list(cast("dict[str, MockProperty]", properties).values())
    return str(mock["plural"]), cast("list[MockProperty]", properties)


def _models(version: str) -> dict[str, type[Dhis2Model]]:
    package = importlib.import_module(f"dhis2_sdk.{version}")
    return dict(cast("dict[str, type[Dhis2Model]]", dict(package.MODELS)))


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("plural", "wire_key", "item"), OWNED)
def test_owned_children_are_their_models(
    version: str, plural: str, wire_key: str, item: str
) -> None:
    annotation = _field_annotation(_models(version)[plural], wire_key)
    assert annotation == f"list[dhis2_sdk.{version}.models.{_module(item)}.{item}] | None"


def _module(class_name: str) -> str:
    return names.module_name(class_name)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("plural", ["visualizations", "eventVisualizations"])
def test_analytical_dimensions_are_typed(version: str, plural: str) -> None:
    model = _models(version)[plural]
    for axis in ("columns", "rows", "filters"):
        annotation = _field_annotation(model, axis)
        assert annotation == "list[dhis2_sdk.runtime._model.DimensionalObject] | None"


@pytest.mark.parametrize("version", VERSIONS)
def test_the_rule_agrees_with_the_complete_schema_mocks(version: str) -> None:
    """Every REFERENCE property of the 42 mocks: ``embeddedObject`` <=> typed as a model."""
    models = _models(version)
    checked = 0
    disagree: list[str] = []
    for path in sorted(MOCKS.glob("*.json")):
        plural, properties = _mock(path)
        model = models.get(plural)
        assert model is not None, f"{path.name}: no {version} model for {plural}"
        for prop in properties:
            listed = prop["propertyType"] == "COLLECTION"
            if (prop.get("itemPropertyType") if listed else prop["propertyType"]) != "REFERENCE":
                continue
            key = str(prop.get("collectionName") or prop["name"])
            try:
                annotation = _field_annotation(model, key)
            except AssertionError:
                continue  # a property of another DHIS2 build than this version's snapshot
            checked += 1
            typed_as_model = ".models." in annotation
            if typed_as_model != bool(prop.get("embeddedObject")):
                disagree.append(f"{model.__name__}.{key}: {annotation}")
    assert disagree == []
    assert checked > 250


@pytest.mark.parametrize("version", VERSIONS)
def test_models_cover_every_collection_key(version: str) -> None:
    """MODELS holds every schema with a plural, not only the ``metadata: true`` ones."""
    models = _models(version)
    for key in ("legends", "interpretations", "programStageDataElements", "dataElements"):
        assert models[key].dhis2_plural == key
    snapshot = json.loads((REPO_SCHEMAS / f"{version}.json").read_text(encoding="utf-8"))
    plurals = {schema["plural"] for schema in snapshot["schemas"] if schema.get("plural")}
    assert plurals <= set(models)
    assert {key: models[key].dhis2_plural for key in set(models) - plurals} == (
        {
            "enrollments": "programInstances",
            "events": "programStageInstances",
            "trackedEntities": "trackedEntityInstances",
        }
        if version == "v41"
        else {}
    )


def test_v41_tracker_payload_keys_have_models() -> None:
    models = _models("v41")
    assert models["enrollments"] is models["programInstances"]
    assert models["events"].__name__ == "Event"
