"""The docstring of one generated field: what DHIS2 says about the property.

Stage: helper of ``normalise``. An editor shows it on hover: what a reference points at (and
whether DHIS2 writes it inline), whether the property is required, unique or read-only, and its
length or value bounds where DHIS2 sets real ones (not Java's ``Integer.MAX_VALUE`` defaults).
"""

from __future__ import annotations

from generator.field_types import STRING_TYPES, is_list
from generator.ir import TypeRef
from generator.spec import RawProperty, RawSchema

# Bounds DHIS2 reports when a property has none of its own.
_NO_BOUND = frozenset(
    {0.0, 2147483647.0, -2147483648.0, 1.7976931348623157e308, -1.7976931348623157e308}
)


def _short(klass: str) -> str:
    return klass.rsplit(".", 1)[-1]


def _what(prop: RawProperty, type_ref: TypeRef, target: RawSchema | None) -> str | None:
    listed = is_list(prop)
    klass = (prop.item_klass if listed else prop.klass) or ""
    item = type_ref.item if type_ref.kind == "list" and type_ref.item else type_ref
    kind = (prop.item_property_type if listed else prop.property_type) or ""
    if kind == "REFERENCE" and klass:
        where = f" (``{target.api_endpoint}``)" if target and target.api_endpoint else ""
        if item.kind == "model":
            noun = "objects" if listed else "object"
            return f"Owned ``{_short(klass)}`` {noun}, written inline by DHIS2{where}."
        return f"{'References to' if listed else 'Reference to'} ``{_short(klass)}``{where}."
    if kind == "COMPLEX" and klass:
        return f"Embedded ``{_short(klass)}``."
    return None


def _bounds(prop: RawProperty) -> str | None:
    if prop.property_type in STRING_TYPES and prop.max is not None:
        low = int(prop.min or 0)
        high = int(prop.max) if prop.max not in _NO_BOUND else None
        if high is not None and low == high:
            return f"Exactly {high} characters."
        if high is not None:
            return f"{low} to {high} characters." if low else f"At most {high} characters."
        if low:
            return f"At least {low} characters."
        return None
    if prop.property_type in ("INTEGER", "NUMBER"):
        low = None if prop.min is None or prop.min in _NO_BOUND - {0.0} else prop.min
        high = None if prop.max is None or prop.max in _NO_BOUND else prop.max
        parts = [
            f"at least {low:g}" if low is not None else "",
            f"at most {high:g}" if high is not None else "",
        ]
        text = " and ".join(part for part in parts if part)
        return f"{text[:1].upper()}{text[1:]}." if text else None
    return None


def field_description(prop: RawProperty, type_ref: TypeRef, target: RawSchema | None) -> str | None:
    """One or two sentences for the field's docstring; ``None`` when DHIS2 says nothing."""
    flags = [
        "Required." if prop.required else "",
        "Unique." if prop.unique else "",
        "Read-only: left out of write payloads." if not prop.writable else "",
    ]
    parts = [_what(prop, type_ref, target), *flags, _bounds(prop)]
    text = " ".join(part for part in parts if part)
    return text or None
