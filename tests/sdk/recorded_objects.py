"""The recorded objects the payload tests check, each with the generated model it belongs to.

``recorded_get_objects(version)``: every object of the recorded GET responses of metadata paths
whose collection has a model (keys a DHIS2 field transformer reshaped, ``children::size``, left
out). ``import_payload_objects(version)``: every object of dhis2-core's ``/api/metadata`` import
payloads whose collection has a model in ``version``.
"""

from __future__ import annotations

from typing import cast

from dhis2_sdk.runtime._model import Dhis2Model
from tests.recorded import (
    IMPORT_PAYLOADS,
    as_object,
    as_objects,
    read_json,
    recorded_metadata_gets,
)
from tests.sdk.models_index import models_by_plural

RecordedObject = tuple[str, type[Dhis2Model], dict[str, object]]
"""``(label for messages, model, wire JSON object)``."""


def without_transformed(
    obj: dict[str, object], keys: frozenset[str], model: type[Dhis2Model]
) -> dict[str, object]:
    """``obj`` without transformed keys, at any depth; each must be a list field of ``model``."""
    kept: dict[str, object] = {}
    for key, value in obj.items():
        if key in keys:
            annotations = [
                str(field.annotation)
                for name, field in model.model_fields.items()
                if (field.serialization_alias or field.alias or name) == key
            ]
            assert annotations, f"{model.__name__} has no field {key!r}"
            assert "list[" in annotations[0], f"{model.__name__}.{key} is not a list"
            continue
        if isinstance(value, list):
            items = cast(list[object], value)
            value = [
                without_transformed(cast(dict[str, object], item), keys, model)
                if isinstance(item, dict)
                else item
                for item in items
            ]
        kept[key] = value
    return kept


def recorded_get_objects(version: str) -> list[RecordedObject]:
    """Every object of the recorded metadata GETs of ``version`` that has a model."""
    by_plural = models_by_plural(version)
    found: list[RecordedObject] = []
    for get in recorded_metadata_gets(version):
        model = by_plural.get(get.plural)
        if model is None:
            continue
        body = as_object(read_json(get.body_file), get.label)
        items: object = body.get(get.plural)
        objects = [body] if items is None else None
        if objects is None:
            objects = as_objects(items, get.label)
        transformed = get.transformed_fields
        found.extend(
            (get.label, model, without_transformed(obj, transformed, model)) for obj in objects
        )
    return found


def import_payload_objects(version: str) -> list[RecordedObject]:
    """Every object of dhis2-core's import payloads whose collection ``version`` models."""
    by_plural = models_by_plural(version)
    found: list[RecordedObject] = []
    for path in sorted(IMPORT_PAYLOADS.glob("*.json")):
        for plural, items in as_object(read_json(path), path).items():
            model = by_plural.get(plural)
            if model is not None:
                label = f"{path.name}: {plural}[]"
                found.extend((label, model, obj) for obj in as_objects(items, path))
    return found
