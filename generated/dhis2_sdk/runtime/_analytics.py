"""``client.analytics``: ``/api/analytics`` queries as a typed ``AnalyticsResponse``.

Stage: runtime (hand-written). The analytics grid is not in ``/api/schemas``: typed by hand from
DHIS2's documentation and pinned by a recorded grid (``v41``/``v42`` ``data-exchange-app``
``GET__aggregateDataExchanges_…_sourceData…json``: ``headers``, ``metaData.items``,
``metaData.dimensions``, ``rows``). Cells arrive as strings; ``records()`` turns the cells of
numeric headers into ``int``/``float``. ``to_pandas()``, ``to_polars()`` and ``to_arrow()`` use
those libraries when they are installed (optional extras), and say how to install them when not.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, JsonValue

from ._errors import Dhis2ClientError
from ._periods import is_valid_period
from ._responses import Dhis2Body

if TYPE_CHECKING:
    from ._client import Dhis2Client

__all__ = [
    "AnalyticsApi",
    "AnalyticsHeader",
    "AnalyticsMetaData",
    "AnalyticsResponse",
    "MissingExtraError",
]

_NUMERIC_VALUE_TYPES = frozenset(
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
_NUMERIC_JAVA_TYPES = frozenset({"java.lang.Double", "java.lang.Integer", "java.lang.Long"})
_RELATIVE_PERIOD = re.compile(r"\A[A-Z][A-Z0-9_]*\Z")
_DIMENSION_ITEM = re.compile(r"\A[A-Za-z0-9_.\-]+\Z")

AggregationType = Literal[
    "SUM",
    "AVERAGE",
    "AVERAGE_SUM_ORG_UNIT",
    "LAST",
    "LAST_AVERAGE_ORG_UNIT",
    "FIRST",
    "COUNT",
    "STDDEV",
    "VARIANCE",
    "MIN",
    "MAX",
    "NONE",
]


class MissingExtraError(Dhis2ClientError, ImportError):
    """An optional library (pandas, polars, pyarrow) that a conversion needs is not installed."""


class AnalyticsHeader(Dhis2Body):
    """One column of the grid: ``name`` (``dx``, ``pe``, ``ou``, ``value``) and its types."""

    name: str
    column: str | None = None
    value_type: str | None = None
    type: str | None = None
    hidden: bool = False
    meta: bool = False

    @property
    def is_numeric(self) -> bool:
        """True when the cells are numbers (``value``, numeric value types)."""
        return self.value_type in _NUMERIC_VALUE_TYPES or self.type in _NUMERIC_JAVA_TYPES


class AnalyticsMetaData(Dhis2Body):
    """``metaData``: names of the items (``items[uid].name``) and each dimension's items."""

    items: dict[str, dict[str, JsonValue]] = Field(default_factory=dict[str, dict[str, JsonValue]])
    dimensions: dict[str, list[str]] = Field(default_factory=dict[str, list[str]])

    def name_of(self, item: str) -> str | None:
        """The display name DHIS2 gave ``item`` (a UID, period or dimension), if any."""
        name = self.items.get(item, {}).get("name")
        return name if isinstance(name, str) else None


class AnalyticsResponse(Dhis2Body):
    """An analytics grid: ``headers``, ``rows`` of strings, ``meta_data``, ``height``/``width``."""

    headers: list[AnalyticsHeader] = Field(default_factory=list[AnalyticsHeader])
    meta_data: AnalyticsMetaData = Field(default_factory=AnalyticsMetaData)
    rows: list[list[str | None]] = Field(default_factory=list[list[str | None]])
    height: int = 0
    width: int = 0
    header_width: int | None = None

    def records(self) -> Iterator[dict[str, str | int | float | None]]:
        """Each row as ``{header name: cell}``, numeric cells as ``int`` or ``float``."""
        names = [header.name for header in self.headers]
        numeric = [header.is_numeric for header in self.headers]
        for row in self.rows:
            yield {
                name: _number(cell) if is_number else cell
                for name, is_number, cell in zip(names, numeric, row, strict=False)
            }

    def columns(self) -> dict[str, list[str | int | float | None]]:
        """The grid column by column (header name → cells), numbers as numbers."""
        result: dict[str, list[str | int | float | None]] = {h.name: [] for h in self.headers}
        for record in self.records():
            for name, cell in record.items():
                result[name].append(cell)
        return result

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` of ``records()`` (needs pandas installed)."""
        pandas = _optional("pandas", "to_pandas")
        return pandas.DataFrame(self.columns(), columns=[h.name for h in self.headers])

    def to_polars(self) -> Any:
        """A ``polars.DataFrame`` of ``records()`` (needs polars installed)."""
        polars = _optional("polars", "to_polars")
        return polars.DataFrame(self.columns(), strict=False)

    def to_arrow(self) -> Any:
        """A ``pyarrow.Table`` of ``records()`` (needs pyarrow installed)."""
        pyarrow = _optional("pyarrow", "to_arrow")
        return pyarrow.table(self.columns())


def _number(cell: str | None) -> int | float | str | None:
    if cell is None or cell == "":
        return None
    try:
        return int(cell)
    except ValueError:
        pass
    try:
        return float(cell)
    except ValueError:
        return cell


def _optional(module: str, method: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"AnalyticsResponse.{method}() needs {module}, which is not installed: "
            f"pip install {module} (or pip install 'dhis2-sdk[{module}]'). records() and "
            "columns() work without it."
        ) from None


class AnalyticsApi:
    """``client.analytics.query(dx=…, pe=…, ou=…)``."""

    def __init__(self, client: Dhis2Client) -> None:
        self._client = client

    async def query(
        self,
        *,
        dx: str | Sequence[str],
        pe: str | Sequence[str] | None = None,
        ou: str | Sequence[str] | None = None,
        dimensions: Mapping[str, str | Sequence[str]] | None = None,
        filters: Mapping[str, str | Sequence[str]] | None = None,
        aggregation_type: AggregationType | None = None,
        skip_meta: bool = False,
        skip_data: bool = False,
        display_property: Literal["NAME", "SHORTNAME"] | None = None,
        include_num_den: bool = False,
    ) -> AnalyticsResponse:
        """GET ``/api/analytics`` with ``dx``, ``pe`` and ``ou`` as dimensions.

        Each is an item or a list of items (``pe="LAST_12_MONTHS"`` or ``["202401",
        "202402"]``); ``dimensions`` adds others (``{"co": []}`` for all category option
        combos) and ``filters`` are dimensions that filter without being columns (``{"pe":
        "2024"}``). Malformed items raise ``ValueError`` before the request.
        """
        dimension_params: list[str] = [_dimension("dx", dx)]
        if pe is not None:
            dimension_params.append(_dimension("pe", pe))
        if ou is not None:
            dimension_params.append(_dimension("ou", ou))
        for key, items in (dimensions or {}).items():
            dimension_params.append(_dimension(key, items))
        params: dict[str, str | list[str]] = {"dimension": dimension_params}
        if filters:
            params["filter"] = [_dimension(key, items) for key, items in filters.items()]
        if aggregation_type is not None:
            params["aggregationType"] = aggregation_type
        if skip_meta:
            params["skipMeta"] = "true"
        if skip_data:
            params["skipData"] = "true"
        if display_property is not None:
            params["displayProperty"] = display_property
        if include_num_den:
            params["includeNumDen"] = "true"
        return await self._client.get("/api/analytics", model=AnalyticsResponse, params=params)


def _dimension(key: str, items: str | Sequence[str]) -> str:
    listed = [items] if isinstance(items, str) else list(items)
    for item in listed:
        if not _DIMENSION_ITEM.match(item):
            raise ValueError(
                f"{key} item {item!r} is not a DHIS2 dimension item (a UID, a period, or a "
                "keyword such as LAST_12_MONTHS, USER_ORGUNIT or LEVEL-2)."
            )
        if key == "pe" and not (is_valid_period(item) or _RELATIVE_PERIOD.match(item)):
            raise ValueError(
                f"pe item {item!r} is neither an ISO period (202401, 2024Q1…) nor a relative "
                "period (LAST_12_MONTHS, THIS_YEAR…)."
            )
    return f"{key}:{';'.join(listed)}" if listed else key
