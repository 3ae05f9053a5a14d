"""Pinned snapshots with edits, saved under a new digest: versions that differ in known ways."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import cast

from pydantic import JsonValue

from generator.pull import content_digest
from tests.paths import SCHEMAS

Props = dict[str, dict[str, JsonValue]]
"""One schema's properties by ``fieldName`` (unique, unlike ``name``: ``favorite`` the flag and
``favorite`` the collection ``favorites``); the edit changes them in place."""


def edited_snapshot(out: Path, key: str, edits: dict[str, Callable[[Props], None]]) -> Path:
    """``schemas/{key}.json`` with ``edits[klass]`` applied to each named schema's properties,
    written to ``out`` with a digest that matches (pull could have written it)."""
    document = cast(dict[str, JsonValue], json.loads((SCHEMAS / f"{key}.json").read_bytes()))
    schemas = cast(list[dict[str, JsonValue]], document["schemas"])
    for schema in schemas:
        edit = edits.get(str(schema["klass"]))
        if edit is None:
            continue
        listed = cast(list[dict[str, JsonValue]], schema["properties"])
        props: Props = {str(prop["fieldName"]): prop for prop in listed}
        edit(props)
        schema["properties"] = cast(JsonValue, sorted(props.values(), key=_prop_key))
    document["digest"] = content_digest(document)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return out


def _prop_key(prop: dict[str, JsonValue]) -> tuple[str, str]:
    return (str(prop["name"]), str(prop["fieldName"]))
