"""Whether DHIS2 could bind a written object's values to its Java class, as Jackson does.

DHIS2 reads a metadata object with Jackson before validating it. A value Jackson cannot bind
to the property's Java type (an object for a ``String``, ``5`` or an unknown name for an enum,
an array or ``1e999`` for a ``Boolean``) never becomes a stored object: the write answers 409
with an error report per value, here E4027 (``Value `{0}` is not a valid for property `{1}```,
DHIS2's wording). Jackson's scalar coercions are accepted as it accepts them: a number or
boolean for a text, ``"true"`` or ``1`` for a boolean, a numeric string for a number, epoch
milliseconds for a date. Only writable non-collection properties are checked (a read-only one
is ignored on input); collections, ``COMPLEX`` values and references' contents are not.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from dhis2_standin.data import PropertyShape, SchemaInfo
from dhis2_standin.jsontypes import JsonObject, JsonValue, dump_json
from dhis2_standin.webmessage import error_report

_TEXT_TYPES = frozenset(
    {"TEXT", "IDENTIFIER", "URL", "EMAIL", "COLOR", "PASSWORD", "PHONENUMBER", "USERNAME"}
)


def _finite_number(value: JsonValue) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _numeric_text(value: JsonValue) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _text(value: JsonValue) -> bool:
    return isinstance(value, str | bool) or _finite_number(value)


def _boolean(value: JsonValue) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return True  # Jackson reads 0 as false and any other integer as true
    return isinstance(value, str) and value.lower() in ("true", "false")


def _integer(value: JsonValue) -> bool:
    return _finite_number(value) or _numeric_text(value)


def _date(value: JsonValue) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _reference(value: JsonValue) -> bool:
    return isinstance(value, dict)


_CHECKS: dict[str, Callable[[JsonValue], bool]] = {
    **dict.fromkeys(_TEXT_TYPES, _text),
    "BOOLEAN": _boolean,
    "INTEGER": _integer,
    "NUMBER": _integer,
    "DATE": _date,
    "REFERENCE": _reference,
}


def _binds(shape: PropertyShape, value: JsonValue) -> bool:
    if value is None:
        return True
    if shape.property_type == "CONSTANT":
        return isinstance(value, str) and (not shape.constants or value in shape.constants)
    check = _CHECKS.get(shape.property_type)
    return check is None or check(value)


def _shown(value: JsonValue) -> str:
    return value if isinstance(value, str) else dump_json(value).decode()


def binding_errors(schema: SchemaInfo, obj: JsonObject) -> list[JsonValue]:
    """E4027 reports for the values of ``obj`` that Jackson could not bind (empty if none)."""
    errors: list[JsonValue] = []
    for key, value in obj.items():
        shape = schema.writable.get(key)
        if shape is None or _binds(shape, value):
            continue
        shown = _shown(value)  # json.dumps writes 1e999 as Infinity, as Java prints it
        errors.append(
            error_report(
                "E4027",
                f"Value `{shown}` is not a valid for property `{key}`",
                main_klass=schema.klass,
                error_property=key,
                args=[shown, key],
            )
        )
    return errors
