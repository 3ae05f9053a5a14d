"""DHIS2 query parameters from typed selections: ``fields=``, ``filter=`` and ``order=``.

Stage: runtime (hand-written). The resource accessors take typed pieces, each generic over the
schema's wire property names (a ``Literal`` per schema, generated), so that pyright catches a
misspelt name; a raw DHIS2 string is always accepted as well:

* fields: ``["id", "name", ("categoryCombo", ["id", "name"])]`` -> ``id,name,categoryCombo[id,name]``,
  or ``"*"``, ``":owner"``, ``"id,name"``;
* filters: ``[("name", "ilike", "ANC"), ("code", "null")]`` -> ``filter=name:ilike:ANC`` and
  ``filter=code:null``; an ``in`` value is a list (``("id", "in", ["a", "b"])`` -> ``id:in:[a,b]``);
  a raw ``"categoryCombo.id:eq:bjDvmb4bfuf"`` for nested paths;
* order: ``[("name", "asc")]`` -> ``order=name:asc``, or raw ``"created:desc"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeAlias, TypeVar, cast

__all__ = [
    "BinaryOperator",
    "FieldSelection",
    "FilterSpec",
    "OrderSpec",
    "UnaryOperator",
]

NameT = TypeVar("NameT", bound=str)

BinaryOperator: TypeAlias = Literal[
    "eq",
    "!eq",
    "ne",
    "gt",
    "ge",
    "lt",
    "le",
    "like",
    "!like",
    "ilike",
    "!ilike",
    "$like",
    "!$like",
    "$ilike",
    "!$ilike",
    "like$",
    "!like$",
    "ilike$",
    "!ilike$",
    "in",
    "!in",
    "token",
    "!token",
]
"""DHIS2's filter operators that take a value."""

UnaryOperator: TypeAlias = Literal["null", "!null", "empty", "!empty"]
"""DHIS2's filter operators without a value."""

FilterValue: TypeAlias = str | int | float | bool | Sequence[str | int | float]
Direction: TypeAlias = Literal["asc", "desc", "iasc", "idesc"]

# One selected field: a name, or a name with a nested selection of the object it holds.
FieldItem: TypeAlias = NameT | tuple[NameT, Sequence[str | tuple[str, Sequence[str]]]]
FieldSelection: TypeAlias = Sequence[FieldItem[NameT]] | str
"""``fields=``: typed names (nested selections as ``(name, [inner names])``) or a raw string."""
FilterSpec: TypeAlias = (
    tuple[NameT, BinaryOperator, FilterValue] | tuple[NameT, UnaryOperator] | str
)
"""One ``filter=``: ``(property, operator, value)``, ``(property, "null")`` or a raw string."""
OrderSpec: TypeAlias = tuple[NameT, Direction] | str
"""One ``order=``: ``(property, "asc")`` or a raw string."""


def fields_param(selection: Sequence[object] | str) -> str:
    """The ``fields`` query value of a selection (raw strings pass through)."""
    if isinstance(selection, str):
        return selection
    return ",".join(_field(item) for item in selection)


def _pair(value: object) -> tuple[object, object] | None:
    """``value`` as a 2-tuple of unknown parts, or ``None``."""
    if isinstance(value, tuple):
        parts = cast("tuple[object, ...]", value)
        if len(parts) == 2:
            return parts[0], parts[1]
    return None


def _field(item: object) -> str:
    if isinstance(item, str):
        return item
    pair = _pair(item)
    if pair is not None:
        name, inner = pair
        if isinstance(name, str) and isinstance(inner, Sequence) and not isinstance(inner, str):
            return f"{name}[{fields_param(list(cast('Sequence[object]', inner)))}]"
    raise TypeError(
        f"a field selection is a name or (name, [nested names]), not {item!r}: for example "
        "fields=['id', ('categoryCombo', ['id', 'name'])] or fields='id,name'"
    )


def filter_param(spec: object) -> str:
    """One ``filter`` query value: ``property:operator[:value]``."""
    if isinstance(spec, str):
        return spec
    if isinstance(spec, tuple):
        parts = cast("tuple[object, ...]", spec)
        if len(parts) == 2 and all(isinstance(part, str) for part in parts):
            return f"{parts[0]}:{parts[1]}"
        if len(parts) == 3 and isinstance(parts[0], str) and isinstance(parts[1], str):
            return f"{parts[0]}:{parts[1]}:{_filter_value(parts[2])}"
    raise TypeError(
        f"a filter is (property, operator, value), (property, 'null') or a raw string, not "
        f"{spec!r}: for example ('name', 'ilike', 'ANC') or 'name:ilike:ANC'"
    )


def _filter_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, Sequence):
        items = cast("Sequence[object]", value)
        return "[" + ",".join(_filter_value(item) for item in items) + "]"
    raise TypeError(f"a filter value is a string, number, boolean or a list of them, not {value!r}")


def order_param(spec: object) -> str:
    """One ``order`` query value: ``property:direction``."""
    if isinstance(spec, str):
        return spec
    pair = _pair(spec)
    if pair is not None:
        name, direction = pair
        if isinstance(name, str) and isinstance(direction, str):
            return f"{name}:{direction}"
    raise TypeError(
        f"an order is (property, 'asc'|'desc'|'iasc'|'idesc') or a string, not {spec!r}"
    )
