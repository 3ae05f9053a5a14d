"""Stage ``jsonschema``: one JSON Schema document (draft 2020-12) per DHIS2 version, from the IR.

A published artifact (``dhis2_sdk/vNN/schema.json``) for other tools and languages, and the input
of the datamodel-code-generator cross-check. Properties are keyed by DHIS2's wire names; the
DHIS2 flags travel as ``readOnly`` and ``x-dhis2-*`` keywords; every object allows additional
properties, as the generated models keep unknown keys.
"""

from __future__ import annotations

import json

from pydantic import JsonValue

from generator.ir import EnumIR, ModelIR, TypeRef, VersionIR

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_SCALARS: dict[str, dict[str, JsonValue]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "datetime": {"type": "string", "format": "date-time", "x-dhis2-format": "local-date-time"},
    "json": {},
    "json_object": {"type": "object", "additionalProperties": True},
}

_RUNTIME_DEFS: dict[str, dict[str, JsonValue]] = {
    "Reference": {
        "type": "object",
        "description": "A reference to another DHIS2 object; nested selections are kept.",
        "properties": {
            "id": {"type": "string"},
            "code": {"type": "string"},
            "name": {"type": "string"},
            "displayName": {"type": "string"},
        },
        "additionalProperties": True,
    },
    "Translation": {
        "type": "object",
        "properties": {
            "locale": {"type": "string"},
            "property": {"type": "string"},
            "value": {"type": "string"},
        },
        "additionalProperties": True,
    },
    "AttributeValue": {
        "type": "object",
        "properties": {"attribute": {"$ref": "#/$defs/Reference"}, "value": {"type": "string"}},
        "additionalProperties": True,
    },
    "Geometry": {
        "type": "object",
        "properties": {"type": {"type": "string"}, "coordinates": {}},
        "additionalProperties": True,
    },
    "DimensionalObject": {
        "type": "object",
        "description": "One dimension of an analytical object's columns, rows or filters.",
        "properties": {
            "id": {"type": "string"},
            "dimension": {"type": "string"},
            "dimensionType": {"type": "string"},
            "displayName": {"type": "string"},
            "name": {"type": "string"},
            "items": {"type": "array", "items": {"$ref": "#/$defs/Reference"}},
            "filter": {"type": "string"},
            "legendSet": {"$ref": "#/$defs/Reference"},
            "programStage": {"$ref": "#/$defs/Reference"},
            "optionSet": {"$ref": "#/$defs/Reference"},
            "repetition": {},
        },
        "additionalProperties": True,
    },
}


def type_schema(type_ref: TypeRef) -> dict[str, JsonValue]:
    """The JSON Schema of one field type (without the ``null`` every field also allows)."""
    if type_ref.kind == "list":
        assert type_ref.item is not None
        return {"type": "array", "items": type_schema(type_ref.item)}
    if type_ref.kind in ("enum", "model", "runtime_model"):
        return {"$ref": f"#/$defs/{type_ref.name}"}
    if type_ref.kind == "reference":
        return {"$ref": "#/$defs/Reference", "x-dhis2-target": type_ref.name}
    return dict(_SCALARS[type_ref.kind])


def _model_schema(model: ModelIR) -> dict[str, JsonValue]:
    properties: dict[str, JsonValue] = {}
    for field in model.fields:
        prop: dict[str, JsonValue] = {"anyOf": [type_schema(field.type_ref), {"type": "null"}]}
        prop["x-dhis2-property-type"] = field.property_type
        prop["x-python-name"] = field.python_name
        for flag in field.schema_flags:
            prop[flag] = True
        if field.description:
            prop["description"] = field.description
        properties[field.wire_name] = prop
    schema: dict[str, JsonValue] = {
        "type": "object",
        "title": model.class_name,
        "description": model.description,
        "x-dhis2-klass": model.klass,
        "properties": properties,
        "additionalProperties": True,
    }
    if model.plural:
        schema["x-dhis2-plural"] = model.plural
    return schema


def _enum_schema(enum: EnumIR) -> dict[str, JsonValue]:
    return {
        "type": "string",
        "title": enum.class_name,
        "x-dhis2-klass": enum.klass,
        "enum": [member.value for member in enum.members],
    }


def build(version: VersionIR) -> dict[str, JsonValue]:
    """The whole document: ``$defs`` of models, enums and runtime shapes; collections map."""
    defs: dict[str, JsonValue] = {name: dict(schema) for name, schema in _RUNTIME_DEFS.items()}
    defs.update({enum.class_name: _enum_schema(enum) for enum in version.enums})
    defs.update({model.class_name: _model_schema(model) for model in version.models})
    collections: dict[str, JsonValue] = {
        c.plural: {"type": "array", "items": {"$ref": f"#/$defs/{c.class_name}"}}
        for c in version.collections
    }
    return {
        "$schema": DIALECT,
        "$id": f"https://dhis2-sdk.invalid/{version.version_key}/schema.json",
        "title": f"DHIS2 {version.raw_version} metadata",
        "description": (
            f"Generated from {version.snapshot_name} ({version.snapshot_digest}); "
            "the root is an /api/metadata payload."
        ),
        "type": "object",
        "properties": collections,
        "additionalProperties": True,
        "$defs": dict(sorted(defs.items())),
    }


def dumps(document: dict[str, JsonValue]) -> str:
    """Deterministic text: sorted keys, one-space indent, trailing newline."""
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
