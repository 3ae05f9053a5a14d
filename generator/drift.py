"""Schema drift: what differs between a pinned snapshot and a fresh pull of a server.

Used by ``python -m generator drift`` and the ``schema-drift`` nox session. Compares digests
first; when they differ, lists schemas added or removed and properties added, removed or changed.
"""

from __future__ import annotations

from pydantic import JsonValue

from generator.pull import PulledSnapshot
from generator.spec import RawSchema, Snapshot, parse_snapshot


def _index(schemas: tuple[RawSchema, ...]) -> dict[str, dict[str, str]]:
    return {
        schema.klass: {
            f"{p.name}/{p.field_name}": p.model_dump_json(by_alias=True) for p in schema.properties
        }
        for schema in schemas
    }


def describe_drift(pinned: Snapshot, live: PulledSnapshot) -> list[str]:
    """Human-readable differences; empty when the digests agree."""
    if pinned.digest == live.document["digest"]:
        return []
    fresh = parse_snapshot(live.text, source=str(live.document["source"]))
    lines: list[str] = []
    if pinned.dhis2.version != fresh.dhis2.version:
        lines.append(f"  version: {pinned.dhis2.version} -> {fresh.dhis2.version}")
    old, new = _index(pinned.schemas), _index(fresh.schemas)
    for klass in sorted(set(old) | set(new)):
        if klass not in new:
            lines.append(f"  - schema {klass}")
        elif klass not in old:
            lines.append(f"  + schema {klass}")
        else:
            for key in sorted(set(old[klass]) | set(new[klass])):
                before, after = old[klass].get(key), new[klass].get(key)
                if before == after:
                    continue
                sign = "-" if after is None else "+" if before is None else "~"
                lines.append(f"  {sign} {klass}: property {key.split('/')[0]}")
    return lines or [f"  content differs ({pinned.digest} vs {_digest(live.document)})"]


def _digest(document: dict[str, JsonValue]) -> str:
    return str(document.get("digest"))
