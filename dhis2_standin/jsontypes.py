"""JSON value types and the only place the stand-in parses or prints JSON."""

from __future__ import annotations

import json
from typing import TypeAlias

JsonValue: TypeAlias = "bool | int | float | str | list[JsonValue] | dict[str, JsonValue] | None"
JsonObject: TypeAlias = "dict[str, JsonValue]"
JsonArray: TypeAlias = "list[JsonValue]"


class JsonError(ValueError):
    """A request body that is not the JSON the endpoint needs."""


def parse_json(raw: bytes | str) -> JsonValue:
    """Parse JSON text; raise :class:`JsonError` with the parser's reason when it is not JSON.

    Nesting deeper than Python's recursion allows (about 1,000 levels, as Jackson's default
    ``maxNestingDepth``) is refused as unreadable, as DHIS2 answers it: 400, not 500.
    """
    try:
        value: JsonValue = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise JsonError(f"Invalid JSON: {exc}") from exc
    except RecursionError:
        raise JsonError(
            "Invalid JSON: document nesting depth exceeds the maximum allowed (1000)"
        ) from None
    return value


def parse_object(raw: bytes | str) -> JsonObject:
    """Parse JSON text that must be an object."""
    value = parse_json(raw)
    if not isinstance(value, dict):
        raise JsonError(f"Expected a JSON object, got {type_name(value)}")
    return value


def dump_json(value: JsonValue) -> bytes:
    """Compact UTF-8 JSON, as DHIS2 sends it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def type_name(value: JsonValue) -> str:
    """The JSON name of a value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def as_object(value: JsonValue) -> JsonObject | None:
    """The value if it is a JSON object, else None."""
    return value if isinstance(value, dict) else None


def deep_copy(value: JsonValue) -> JsonValue:
    """A copy sharing nothing mutable with ``value`` (faster than copy.deepcopy for JSON)."""
    if isinstance(value, dict):
        return {key: deep_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [deep_copy(item) for item in value]
    return value


def copy_object(value: JsonObject) -> JsonObject:
    """A deep copy of a JSON object."""
    return {key: deep_copy(item) for key, item in value.items()}
