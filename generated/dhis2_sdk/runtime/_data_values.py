"""``client.data_values``: stream aggregate data values out of and into ``/api/dataValueSets``.

Stage: runtime (hand-written). ``export`` reads the JSON export through ``client.stream`` and a
small incremental parser (``_json_stream``) that hands each chunk's complete values to one
pydantic ``validate_json`` call (parsed and typed in Rust), so memory holds one chunk, never the
export. ``import_`` sends the request body from an async
generator: values are checked and serialised a batch at a time as httpx sends them. Why JSON
and not the CSV export: it keeps ``followup``/``deleted`` as booleans, is what every DHIS2
version answers by default, and reads as fast (see the README's data value benchmark).

What the SDK can judge (a missing key, a UID that is not one, a malformed period) raises
``DataValueError`` before the request leaves when ``values`` is a sequence or a file (checked in
a first pass), and aborts the request when a streamed iterator reaches a bad value (DHIS2 stores
nothing from a body that never ended). What only the server can judge comes back as conflicts
in the ``ImportSummary``; the other values of that import are stored.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from ._data_value import DATA_VALUES, DataValue, ValueChecker
from ._errors import ConflictError, ResponseShapeError
from ._import_summary import DataValueImportError, ImportSummary, summary_from_body
from ._json_stream import JsonArrayReader, dict_reader
from ._periods import PERIOD_FORMATS_HINT, is_valid_period
from ._responses import WebMessageResponse
from ._tasks import TaskRef, parse_task_ref
from ._uids import is_valid_uid

if TYPE_CHECKING:
    from ._client import Dhis2Client

__all__ = ["DataValuesApi"]

_PATH = "/api/dataValueSets"
_BATCH = 1000
_FILE_CHUNK = 256 * 1024
_CSV_COLUMNS = (
    "dataElement",
    "period",
    "orgUnit",
    "categoryOptionCombo",
    "attributeOptionCombo",
    "value",
)

ImportStrategy = Literal["CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE"]
IdScheme = Literal["UID", "CODE", "NAME", "ID"]
DataValueInput = DataValue | dict[str, Any]
Values = (
    Iterable[DataValue]
    | Iterable[dict[str, Any]]
    | Iterable[DataValueInput]
    | AsyncIterable[DataValue]
    | AsyncIterable[dict[str, Any]]
    | AsyncIterable[DataValueInput]
    | str
    | os.PathLike[str]
)
"""What ``import_`` sends: values (sync or async, ``DataValue`` or dicts) or a file path."""
DateLike = date | datetime | str


class DataValuesApi:
    """``client.data_values``: ``export`` values as they arrive, ``import_`` them streamed."""

    def __init__(self, client: Dhis2Client) -> None:
        self._client = client

    # -- export --------------------------------------------------------------------------

    def export(
        self,
        *,
        data_set: str | Sequence[str] | None = None,
        period: str | Sequence[str] | None = None,
        start_date: DateLike | None = None,
        end_date: DateLike | None = None,
        org_unit: str | Sequence[str] | None = None,
        children: bool = False,
        last_updated: DateLike | None = None,
        last_updated_duration: str | None = None,
        include_deleted: bool = False,
        data_element_group: str | Sequence[str] | None = None,
        org_unit_group: str | Sequence[str] | None = None,
        attribute_option_combo: str | Sequence[str] | None = None,
        limit: int | None = None,
        id_scheme: IdScheme | None = None,
    ) -> AsyncIterator[DataValue]:
        """Every value matching the query, as ``DataValue``, parsed while the export streams.

        DHIS2 needs a data set (or data element group), periods (or ``start_date`` and
        ``end_date``, or ``last_updated``) and org units (or an org unit group); lists are
        sent as repeated parameters. Bad arguments raise ``ValueError`` here, before the
        request. ``async for value in client.data_values.export(...)``.
        """
        uids = id_scheme in (None, "UID")
        params: dict[str, Any] = {}
        _put_list(params, "dataSet", data_set, uids=uids)
        _put_list(params, "dataElementGroup", data_element_group, uids=uids)
        _put_list(params, "orgUnit", org_unit, uids=uids)
        _put_list(params, "orgUnitGroup", org_unit_group, uids=uids)
        _put_list(params, "attributeOptionCombo", attribute_option_combo, uids=uids)
        periods = _as_list(period)
        for text in periods:
            if not is_valid_period(text):
                raise ValueError(f"period {text!r} is no DHIS2 period. {PERIOD_FORMATS_HINT}.")
        if periods:
            params["period"] = periods
        if (start_date is None) != (end_date is None):
            raise ValueError("Pass both start_date and end_date, or neither (use period=).")
        for key, moment in (
            ("startDate", start_date),
            ("endDate", end_date),
            ("lastUpdated", last_updated),
        ):
            if moment is not None:
                params[key] = moment if isinstance(moment, str) else moment.isoformat()
        if last_updated_duration is not None:
            params["lastUpdatedDuration"] = last_updated_duration
        _check_export_scope(params)
        if children:
            params["children"] = "true"
        if include_deleted:
            params["includeDeleted"] = "true"
        if limit is not None:
            params["limit"] = limit
        if id_scheme is not None:
            params["idScheme"] = id_scheme
        return self._export(params)

    async def _export(self, params: dict[str, Any]) -> AsyncIterator[DataValue]:
        reader = JsonArrayReader(
            "dataValues",
            where=f"GET {_PATH}",
            batch=DATA_VALUES.validate_json,
            each=DATA_VALUES.validate_python,
        )
        async with self._client.stream(_PATH, params=params) as stream:
            async for chunk in stream:
                for value in reader.feed(chunk):
                    yield value
        for value in reader.close():
            yield value

    # -- import --------------------------------------------------------------------------

    @overload
    async def import_(
        self,
        values: Values,
        *,
        import_strategy: ImportStrategy = ...,
        dry_run: bool = ...,
        id_scheme: IdScheme | None = ...,
        async_: Literal[False] = ...,
        raise_on_conflict: bool = ...,
    ) -> ImportSummary: ...

    @overload
    async def import_(
        self,
        values: Values,
        *,
        import_strategy: ImportStrategy = ...,
        dry_run: bool = ...,
        id_scheme: IdScheme | None = ...,
        async_: Literal[True],
        raise_on_conflict: bool = ...,
    ) -> TaskRef: ...

    async def import_(
        self,
        values: Values,
        *,
        import_strategy: ImportStrategy = "CREATE_AND_UPDATE",
        dry_run: bool = False,
        id_scheme: IdScheme | None = None,
        async_: bool = False,
        raise_on_conflict: bool = False,
    ) -> ImportSummary | TaskRef:
        """POST ``values`` to ``/api/dataValueSets``, the body streamed; return the summary.

        ``values``: ``DataValue`` objects or dicts (DHIS2's keys or the Python names), from
        any iterable or async iterable, or the path of a ``.json`` (``{"dataValues": […]}``)
        or ``.csv`` (DHIS2's column order, header row first) file. Conflicts come back in the
        summary (the other values are stored); ``raise_on_conflict=True`` raises
        ``DataValueImportError`` instead. ``async_=True`` returns the job's ``TaskRef``: await
        it with ``client.tasks.await_completion`` and read ``summary(ref)``.
        """
        uids = id_scheme in (None, "UID")
        if isinstance(values, str | os.PathLike):
            path = Path(values)
            media_type = _check_file(path, uids=uids)
            body: AsyncIterator[bytes] = _file_body(path)
        else:
            if isinstance(values, Sequence):
                checker = ValueChecker(uids=uids)
                for index, item in enumerate(values):
                    checker.wire(item, index)
            media_type = "application/json"
            body = _json_body(values, uids=uids)
        params: dict[str, str] = {
            "importStrategy": import_strategy,
            "dryRun": "true" if dry_run else "false",
            "async": "true" if async_ else "false",
        }
        if id_scheme is not None:
            params["idScheme"] = id_scheme
        headers = {"Content-Type": media_type}
        try:
            response = await self._client.request(
                "POST", _PATH, params=params, content=body, headers=headers
            )
        except ConflictError as exc:
            # DHIS2 2.38+ answers 409 when some values were rejected, the summary inside.
            raw = exc.web_message.raw if exc.web_message is not None else None
            if not raw or not isinstance(raw.get("response"), dict):
                raise
            summary = ImportSummary.model_validate(raw["response"])
            if raise_on_conflict:
                raise DataValueImportError(summary) from exc
            return summary
        if async_:
            ref = WebMessageResponse.model_validate_json(response.content).task_ref()
            if ref is None:
                raise ResponseShapeError(
                    f"POST {_PATH}?async=true answered without a job reference "
                    "(response.jobType/id)."
                )
            return ref
        summary = summary_from_body(response.content)
        if raise_on_conflict and summary.conflicts:
            raise DataValueImportError(summary)
        return summary

    async def summary(self, ref: TaskRef | str | tuple[str, str]) -> ImportSummary:
        """The ``ImportSummary`` of a completed ``import_(..., async_=True)`` job."""
        task = parse_task_ref(ref)
        response = await self._client.request("GET", task.summary_path)
        if not response.content.strip() or response.content.strip() == b"{}":
            raise ResponseShapeError(
                f"DHIS2 has no summary for job {task} yet: await "
                "client.tasks.await_completion(ref) first."
            )
        return summary_from_body(response.content)


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _put_list(
    params: dict[str, Any], key: str, value: str | Sequence[str] | None, *, uids: bool
) -> None:
    items = _as_list(value)
    if uids:
        for item in items:
            if not is_valid_uid(item):
                raise ValueError(
                    f"{key} {item!r} is not a DHIS2 UID (11 letters and digits, the first a "
                    "letter); pass id_scheme='CODE' to name objects by code."
                )
    if items:
        params[key] = items


def _check_export_scope(params: dict[str, Any]) -> None:
    """DHIS2's three requirements for an export, checked before the request."""
    if "dataSet" not in params and "dataElementGroup" not in params:
        raise ValueError("Pass data_set= (or data_element_group=): DHIS2 exports by data set.")
    if not {"period", "startDate", "lastUpdated", "lastUpdatedDuration"} & params.keys():
        raise ValueError("Pass period=, start_date= and end_date=, or last_updated=.")
    if "orgUnit" not in params and "orgUnitGroup" not in params:
        raise ValueError("Pass org_unit= (or org_unit_group=); children=True adds descendants.")


async def _items(values: Iterable[Any] | AsyncIterable[Any]) -> AsyncIterator[Any]:
    if isinstance(values, AsyncIterable):
        async for item in values:
            yield item
    else:
        for item in values:
            yield item


def _json_default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _dump(batch: list[dict[str, Any]]) -> bytes:
    text = json.dumps(batch, separators=(",", ":"), ensure_ascii=False, default=_json_default)
    return text[1:-1].encode()


async def _json_body(
    values: Iterable[Any] | AsyncIterable[Any], *, uids: bool
) -> AsyncIterator[bytes]:
    """``{"dataValues":[…]}``, a batch of values per chunk, each checked as it goes."""
    yield b'{"dataValues":['
    checker = ValueChecker(uids=uids)
    batch: list[dict[str, Any]] = []
    index = 0
    separator = b""
    async for item in _items(values):
        batch.append(checker.wire(item, index))
        index += 1
        if len(batch) == _BATCH:
            yield separator + _dump(batch)
            separator, batch = b",", []
    if batch:
        yield separator + _dump(batch)
    yield b"]}"


def _check_file(path: Path, *, uids: bool) -> str:
    """Read the file once, checking every value; its media type."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise ValueError(
            f"{path}: import_ reads .json ({{'dataValues': [...]}}) or .csv files; convert it, "
            "or pass the values as an iterable of dicts."
        )
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file to import data values from")
    index = 0
    checker = ValueChecker(uids=uids)
    if suffix == ".json":
        reader = dict_reader("dataValues", where=str(path))
        with path.open("rb") as file:
            while chunk := file.read(_FILE_CHUNK):
                for wire in reader.feed(chunk):
                    checker.check(wire, index)
                    index += 1
        for wire in reader.close():
            checker.check(wire, index)
            index += 1
        return "application/json"
    with path.open(newline="", encoding="utf-8") as file:
        rows = csv.reader(file)
        next(rows, None)  # DHIS2 skips the header row (firstRowIsHeader defaults to true)
        for row in rows:
            checker.check(dict(zip(_CSV_COLUMNS, row, strict=False)), index)
            index += 1
    return "application/csv"


async def _file_body(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(_FILE_CHUNK):
            yield chunk
