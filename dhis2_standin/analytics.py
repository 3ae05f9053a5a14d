"""``GET /api/analytics`` over the stored data values: sums, enough for tests, no more.

DHIS2 answers analytics from tables it rebuilds in a background job; the stand-in answers
straight from the stored values. It supports the ``dx`` (data elements), ``pe`` (ISO periods: a
value counts toward every requested period that contains its own) and ``ou`` (an org unit and
all its descendants, by path) dimensions and filters, sums the values of numeric value types,
and answers DHIS2's grid shape (``headers``, ``metaData``, ``rows``, ``height``, ``width``).
No relative periods, indicators, disaggregations, aggregation types other than SUM, or
aggregation levels: a query using them is answered 409 saying so.
"""

from __future__ import annotations

from collections.abc import Sequence

from dhis2_standin.datavalues import DataValueStore
from dhis2_standin.jsontypes import JsonObject, JsonValue
from dhis2_standin.periods import Period, parse_period

_NUMERIC = frozenset(
    {
        "NUMBER",
        "INTEGER",
        "INTEGER_POSITIVE",
        "INTEGER_NEGATIVE",
        "INTEGER_ZERO_OR_POSITIVE",
        "PERCENTAGE",
        "UNIT_INTERVAL",
    }
)
_COLUMN = {"dx": "Data", "pe": "Period", "ou": "Organisation unit"}


class AnalyticsQueryError(ValueError):
    """A query the stand-in cannot answer (DHIS2 answers 409 to invalid ones)."""


def _parse(text: str) -> tuple[str, list[str]]:
    dim, _, items = text.partition(":")
    if dim not in _COLUMN:
        raise AnalyticsQueryError(
            f"Dimension `{dim}` is not supported by the stand-in's analytics (dx, pe, ou only)"
        )
    listed = [item for item in items.split(";") if item]
    if not listed:
        raise AnalyticsQueryError(f"Dimension `{dim}` has no items")
    return dim, listed


def _periods(items: list[str]) -> list[Period]:
    periods: list[Period] = []
    for item in items:
        period = parse_period(item)
        if period is None:
            raise AnalyticsQueryError(
                f"Period `{item}` is not an ISO period; the stand-in has no relative periods"
            )
        periods.append(period)
    return periods


def _number(total: float) -> str:
    return str(int(total)) if float(total).is_integer() else repr(round(total, 10))


def analytics_grid(
    store: DataValueStore, dimensions: Sequence[str], filters: Sequence[str]
) -> JsonObject:
    """The analytics grid for ``dimension=`` and ``filter=`` parameters."""
    dims = [_parse(text) for text in dimensions]
    given = dims + [_parse(text) for text in filters]
    by_dim = dict(given)
    if len(by_dim) != len(given):
        raise AnalyticsQueryError("A dimension is given twice")
    if "dx" not in by_dim:
        raise AnalyticsQueryError("Data dimension (dx) must be specified")
    rules = store.rules()
    elements = by_dim["dx"]
    periods = _periods(by_dim.get("pe", []))
    org_units = by_dim.get("ou", [])
    for ou in org_units:
        if ou not in rules.org_units:
            raise AnalyticsQueryError(f"Organisation unit `{ou}` does not exist")
    row_dims = [dim for dim, _ in dims]
    sums: dict[tuple[str, ...], float] = {}
    wanted = set(elements)
    for (de, pe, ou, _coc, _aoc), stored in store.values.items():
        if de not in wanted or stored.deleted or stored.value is None:
            continue
        element = rules.elements.get(de)
        if element is None or element.value_type not in _NUMERIC:
            continue
        try:
            amount = float(stored.value)
        except ValueError:
            continue
        own = parse_period(pe)
        in_periods = [p.iso for p in periods if own is not None and own.within(p)]
        if periods and not in_periods:
            continue
        path = rules.org_units.get(ou, "")
        in_units = [root for root in org_units if root == ou or f"/{root}/" in path]
        if org_units and not in_units:
            continue
        for period in in_periods or [pe]:
            for unit in in_units or [ou]:
                parts = {"dx": de, "pe": period, "ou": unit}
                key = tuple(parts[dim] for dim in row_dims)
                sums[key] = sums.get(key, 0.0) + amount
    rows: list[JsonValue] = [[*key, _number(total)] for key, total in sorted(sums.items())]
    headers: list[JsonValue] = [
        {
            "name": dim,
            "column": _COLUMN[dim],
            "valueType": "TEXT",
            "type": "java.lang.String",
            "hidden": False,
            "meta": True,
        }
        for dim in row_dims
    ]
    headers.append(
        {
            "name": "value",
            "column": "Value",
            "valueType": "NUMBER",
            "type": "java.lang.Double",
            "hidden": False,
            "meta": False,
        }
    )
    items: JsonObject = {}
    for de in elements:
        obj = store.metadata.get("dataElements", de)
        items[de] = {"name": str(obj.get("name")) if obj else de}
    for ou in org_units:
        obj = store.metadata.get("organisationUnits", ou)
        items[ou] = {"name": str(obj.get("name")) if obj else ou}
    for period in periods:
        items[period.iso] = {"name": period.iso}
    for dim in by_dim:
        items[dim] = {"name": _COLUMN[dim]}
    meta_dims: JsonObject = {dim: list(values) for dim, values in by_dim.items()}
    return {
        "headers": headers,
        "metaData": {"items": items, "dimensions": meta_dims},
        "rows": rows,
        "height": len(rows),
        "width": len(headers),
        "headerWidth": len(headers),
    }
