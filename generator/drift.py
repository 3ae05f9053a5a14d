"""Schema drift: what differs between a pinned snapshot and a fresh pull of a server.

Used by ``python -m generator drift`` and the ``schema-drift`` nox session. Compares digests
first; when they differ, lists schemas added or removed, each changed schema attribute, and
properties added, removed or changed, one line per changed attribute (``old -> new``; constants
added and removed). A property is known by its ``name`` and ``fieldName``; where two properties of a
schema share a ``name`` (``favorite`` the flag and ``favorite`` the collection) the line names the
``fieldName`` too.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping

from pydantic import JsonValue

from generator.pull import PulledSnapshot
from generator.spec import RawProperty, RawSchema, Snapshot, parse_snapshot

_PropertyKey = tuple[str, str]  # (name, fieldName)


def describe_drift(pinned: Snapshot, live: PulledSnapshot) -> list[str]:
    """Human-readable differences; empty when the digests agree."""
    if pinned.digest == live.document["digest"]:
        return []
    fresh = parse_snapshot(live.text, source=str(live.document["source"]))
    lines: list[str] = []
    if pinned.dhis2.version != fresh.dhis2.version:
        lines.append(f"  version: {pinned.dhis2.version} -> {fresh.dhis2.version}")
    if pinned.dhis2.revision != fresh.dhis2.revision:
        lines.append(f"  revision: {_show(pinned.dhis2.revision)} -> {_show(fresh.dhis2.revision)}")
    old = {schema.klass: schema for schema in pinned.schemas}
    new = {schema.klass: schema for schema in fresh.schemas}
    for klass in sorted(set(old) | set(new)):
        if klass not in new:
            lines.append(f"  - schema {klass}")
        elif klass not in old:
            lines.append(f"  + schema {klass}")
        else:
            lines.extend(_schema_drift(old[klass], new[klass]))
    return lines or [f"  content differs ({pinned.digest} vs {_digest(live.document)})"]


def _schema_drift(before: RawSchema, after: RawSchema) -> list[str]:
    klass = before.klass
    lines = [
        f"  ~ {klass}: {change}"
        for change in _changes(_schema_attributes(before), _schema_attributes(after))
    ]
    old, new = _properties(before), _properties(after)
    shared = _shared_names(old) | _shared_names(new)
    for key in sorted(set(old) | set(new)):
        name, field_name = key
        label = f"{name} (fieldName {field_name})" if name in shared else name
        if key not in new:
            lines.append(f"  - {klass}: property {label}")
        elif key not in old:
            lines.append(f"  + {klass}: property {label}")
        else:
            changes = _changes(_property_attributes(old[key]), _property_attributes(new[key]))
            lines.extend(f"  ~ {klass}: property {label}: {change}" for change in changes)
    return lines


def _properties(schema: RawSchema) -> dict[_PropertyKey, RawProperty]:
    return {(prop.name, prop.field_name or ""): prop for prop in schema.properties}


def _shared_names(properties: Iterable[_PropertyKey]) -> set[str]:
    counts = Counter(name for name, _ in properties)
    return {name for name, count in counts.items() if count > 1}


def _schema_attributes(schema: RawSchema) -> dict[str, JsonValue]:
    return schema.model_dump(mode="json", by_alias=True, exclude={"klass", "properties"})


def _property_attributes(prop: RawProperty) -> dict[str, JsonValue]:
    return prop.model_dump(mode="json", by_alias=True, exclude={"name", "field_name"})


def _changes(before: Mapping[str, JsonValue], after: Mapping[str, JsonValue]) -> list[str]:
    """``key old -> new`` for each differing attribute, in key order; constants as sets."""
    changes: list[str] = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key == "constants":
            changes.extend(_constant_changes(old, new))
        else:
            changes.append(f"{key} {_show(old)} -> {_show(new)}")
    return changes


def _constant_changes(old: JsonValue, new: JsonValue) -> list[str]:
    before = {str(c) for c in old} if isinstance(old, list) else set[str]()
    after = {str(c) for c in new} if isinstance(new, list) else set[str]()
    changes: list[str] = []
    if after - before:
        changes.append(f"constants added: {', '.join(sorted(after - before))}")
    if before - after:
        changes.append(f"constants removed: {', '.join(sorted(before - after))}")
    return changes


def _show(value: JsonValue) -> str:
    if value is None:
        return "(none)"
    return value if isinstance(value, str) else json.dumps(value)


def _digest(document: dict[str, JsonValue]) -> str:
    return str(document.get("digest"))
