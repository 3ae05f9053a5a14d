"""The known ``propertyType`` values: every one DHIS2 was seen to use, each with a typing rule."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from pydantic import JsonValue

from generator.normalise import normalise
from generator.property_types import KNOWN_PROPERTY_TYPES
from generator.spec import Snapshot
from tests.paths import SCHEMAS, SHARED_DHIS2

_EVIDENCE = (
    sorted(SCHEMAS.glob("v*.json"))
    + sorted(SHARED_DHIS2.glob("*/schemas.json"))
    + sorted((SHARED_DHIS2 / "unversioned" / "maintenance-app-beta-schema-mocks").glob("*.json"))
    + sorted((SHARED_DHIS2 / "legacy-2.2x-d2" / "schemas").glob("*.json"))
)


def _property_types(value: JsonValue) -> Iterator[str]:
    if isinstance(value, dict):
        for key in ("propertyType", "itemPropertyType"):
            found = value.get(key)
            if isinstance(found, str):
                yield found
        for item in value.values():
            yield from _property_types(item)
    elif isinstance(value, list):
        for item in value:
            yield from _property_types(item)


def _read(path: Path) -> JsonValue:
    parsed: JsonValue = json.loads(path.read_text(encoding="utf-8"))
    return parsed


def test_every_property_type_in_the_recorded_dumps_is_known() -> None:
    assert len(_EVIDENCE) > 50
    seen = {ptype for path in _EVIDENCE for ptype in _property_types(_read(path))}
    assert seen == KNOWN_PROPERTY_TYPES


def _single(i: int, ptype: str) -> JsonValue:
    return {"name": f"p{i}", "propertyType": ptype, "klass": "java.lang.String"}


def _list_of(i: int, ptype: str) -> JsonValue:
    return {
        "name": f"items{i}",
        "propertyType": "COLLECTION",
        "collection": True,
        "collectionName": f"items{i}",
        "klass": "java.util.List",
        "itemPropertyType": ptype,
        "itemKlass": "java.lang.String",
    }


def test_every_known_property_type_has_a_typing_rule() -> None:
    known = sorted(KNOWN_PROPERTY_TYPES)
    properties = [_single(i, t) for i, t in enumerate(known) if t != "COLLECTION"]
    properties += [_list_of(i, t) for i, t in enumerate(known)]
    snapshot = Snapshot.model_validate(
        {
            "snapshotFormat": 1,
            "dhis2": {"version": "2.90.0", "versionKey": "v90"},
            "source": "test",
            "digest": "sha256:0",
            "schemas": [{"klass": "org.x.Thing", "name": "thing", "properties": properties}],
        }
    )
    (model,) = normalise(snapshot, source="test").models
    assert len(model.fields) == len(properties)
