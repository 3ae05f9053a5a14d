"""Stage ``spec``: pydantic models of what DHIS2's ``/api/schemas`` and snapshots contain.

Strict about what the generator relies on (a property without ``name`` or ``propertyType`` is an
error naming the schema and property), lenient about what it does not use (extra keys that a
complete live payload carries are ignored). Hands :class:`Snapshot` on to ``normalise``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from generator.errors import SnapshotError

SNAPSHOT_FORMAT = 1


class _Raw(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class RawProperty(_Raw):
    """One entry of a schema's ``properties`` list, as DHIS2 sends it."""

    name: str
    property_type: str = Field(alias="propertyType")
    klass: str
    collection: bool = False
    field_name: str | None = Field(default=None, alias="fieldName")
    collection_name: str | None = Field(default=None, alias="collectionName")
    item_klass: str | None = Field(default=None, alias="itemKlass")
    item_property_type: str | None = Field(default=None, alias="itemPropertyType")
    constants: tuple[str, ...] | None = None
    readable: bool = True
    writable: bool = True
    required: bool = False
    unique: bool = False
    persisted: bool = False
    owner: bool = False
    simple: bool = False
    min: float | None = None
    max: float | None = None
    collection_name_derived: bool = Field(default=False, alias="collectionNameDerived")


class RawSchema(_Raw):
    """One element of ``/api/schemas``' ``schemas`` list."""

    klass: str
    name: str
    singular: str | None = None
    plural: str | None = None
    display_name: str | None = Field(default=None, alias="displayName")
    api_endpoint: str | None = Field(default=None, alias="apiEndpoint")
    metadata: bool = False
    persisted: bool = False
    properties: tuple[RawProperty, ...] = ()


class SnapshotDhis2(_Raw):
    """What a snapshot records of the server: its version string and build."""

    version: str
    version_key: str = Field(alias="versionKey", pattern=r"^v[0-9]{1,4}$")
    revision: str | None = None


class _SchemasBody(_Raw):
    schemas: tuple[RawSchema, ...]


class Snapshot(_Raw):
    """A pinned, normalised snapshot file (``schemas/vNN.json``), as ``pull`` writes it."""

    snapshot_format: Literal[1] = Field(alias="snapshotFormat")
    dhis2: SnapshotDhis2
    source: str
    digest: str
    schemas: tuple[RawSchema, ...]


def describe_location(raw: Mapping[str, JsonValue], loc: Sequence[int | str]) -> str:
    """Turn a pydantic error location into ``schema 'x', property 'y'`` words."""
    words: list[str] = []
    node: object = dict(raw)
    for i, part in enumerate(loc):
        if isinstance(node, list) and isinstance(part, int):
            items = cast("list[object]", node)
            node = items[part] if part < len(items) else None
            if isinstance(node, dict):
                node = cast("dict[str, object]", node)
                parent = str(loc[i - 1]) if i else ""
                label = node.get("klass") or node.get("name") or f"#{part}"
                if parent == "schemas":
                    words.append(f"schema {label!r}")
                elif parent == "properties":
                    words.append(f"property {node.get('name') or f'#{part}'!r}")
        elif isinstance(node, dict):
            node = cast("dict[str, object]", node).get(str(part))
        else:
            break
    return ", ".join(words) if words else "top level"


def parse_snapshot(text: str | bytes, *, source: str) -> Snapshot:
    """Parse a snapshot file; any problem becomes a :class:`SnapshotError` naming ``source``."""
    return validate_snapshot(load_json_object(text, source=source), source=source)


def validate_snapshot(raw: Mapping[str, JsonValue], *, source: str) -> Snapshot:
    """Validate an already parsed snapshot document."""
    try:
        return Snapshot.model_validate(raw)
    except ValidationError as exc:
        raise SnapshotError(_explain(exc, raw, source)) from None


def parse_schemas(raw: Mapping[str, JsonValue], *, source: str) -> tuple[RawSchema, ...]:
    """Validate a ``/api/schemas`` body (``{"schemas": [...]}``)."""
    if not isinstance(raw.get("schemas"), list):
        raise SnapshotError(
            f"{source}: expected a JSON object with a 'schemas' list (the body of GET /api/schemas)"
        )
    try:
        return _SchemasBody.model_validate(raw).schemas
    except ValidationError as exc:
        raise SnapshotError(_explain(exc, raw, source)) from None


def load_json_object(
    text: str | bytes, *, source: str, what: str = "a DHIS2 response"
) -> dict[str, JsonValue]:
    """Parse JSON text whose root must be an object; truncated or non-JSON text is an error
    saying that ``source`` is not ``what`` it should be."""
    try:
        value: JsonValue = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SnapshotError(
            f"{source}: not valid JSON ({exc}); the file is truncated or not {what}"
        ) from None
    except RecursionError:
        raise SnapshotError(too_deep(source, what)) from None
    if not isinstance(value, dict):
        raise SnapshotError(f"{source}: expected a JSON object at the top level")
    return value


def too_deep(source: str, what: str) -> str:
    """The message for JSON nested deeper than ``json.loads`` can follow (a RecursionError)."""
    return f"{source}: JSON nested too deep to parse; this is not {what}"


def json_kind(value: object) -> str:
    """What a parsed JSON value is, in words for an error message: ``a list``, ``null`` …"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _explain(exc: ValidationError, raw: Mapping[str, JsonValue], source: str) -> str:
    lines: list[str] = []
    for error in exc.errors()[:5]:
        loc = tuple(error["loc"])
        field = loc[-1] if loc else "?"
        lines.append(f"{describe_location(raw, loc)}: key {field!r}: {error['msg']}")
    more = len(exc.errors()) - len(lines)
    tail = f" (and {more} more)" if more > 0 else ""
    return f"{source}: " + "; ".join(lines) + tail
