"""``client.tracker``: ``/api/tracker`` imports with a typed report, and paged readers.

Stage: runtime (hand-written). ``import_`` POSTs a payload (``{"trackedEntities": […],
"enrollments": […], "events": […], "relationships": […]}``); with ``async_=True`` (DHIS2's
default) it starts a ``TRACKER_IMPORT_JOB``, follows it with ``client.tasks.await_completion``
and reads the report at ``/api/tracker/jobs/{uid}/report``. ``tracked_entities``,
``enrollments`` and ``events`` walk every page. The paging keys changed across versions: the
items are under ``instances`` before 2.41 and under the collection's name since; the pager is
top-level (``page``, ``pageSize``, ``total``/``pageCount``) or a ``pager`` object with
``nextPage`` (2.41+). The walk reads whichever the server sent, and stops at a short page when
neither says more.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from pydantic import BaseModel, JsonValue, TypeAdapter

from ._errors import ConflictError, ResponseShapeError
from ._responses import WebMessageResponse
from ._tasks import TaskRef, parse_task_ref
from ._tracker_models import Enrollment, Event, TrackedEntity, TrackerImportReport

if TYPE_CHECKING:
    from ._client import Dhis2Client, Params

__all__ = ["TrackerApi"]

ItemT = TypeVar("ItemT", bound=BaseModel)

ImportStrategy = Literal["CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE"]
AtomicMode = Literal["ALL", "OBJECT"]
ValidationMode = Literal["FULL", "FAIL_FAST", "SKIP"]
ImportMode = Literal["COMMIT", "VALIDATE"]
_PATH = "/api/tracker"
_TRACKED_ENTITIES = TypeAdapter(list[TrackedEntity])
_ENROLLMENTS = TypeAdapter(list[Enrollment])
_EVENTS = TypeAdapter(list[Event])


class TrackerApi:
    """``client.tracker``: ``import_`` payloads; iterate tracked entities, enrollments, events."""

    def __init__(self, client: Dhis2Client) -> None:
        self._client = client

    async def import_(
        self,
        payload: Mapping[str, Any] | BaseModel,
        *,
        import_strategy: ImportStrategy = "CREATE_AND_UPDATE",
        atomic_mode: AtomicMode = "ALL",
        validation_mode: ValidationMode = "FULL",
        import_mode: ImportMode = "COMMIT",
        async_: bool = True,
        timeout: float | None = 600.0,  # noqa: ASYNC109 -- a deadline over many polls, in the SDK's terms
        poll_interval: float = 1.0,
    ) -> TrackerImportReport:
        """Import ``payload`` and return the typed report (errors are in it, not raised).

        ``async_=True`` runs it as a DHIS2 job awaited with ``client.tasks`` (``timeout`` and
        ``poll_interval`` in seconds); ``async_=False`` waits on the request itself.
        """
        if async_:
            ref = await self.start(
                payload,
                import_strategy=import_strategy,
                atomic_mode=atomic_mode,
                validation_mode=validation_mode,
                import_mode=import_mode,
            )
            await self._client.tasks.await_completion(
                ref, timeout=timeout, poll_interval=poll_interval
            )
            return await self.report(ref)
        params = _import_params(import_strategy, atomic_mode, validation_mode, import_mode)
        params["async"] = "false"
        try:
            response = await self._client.request("POST", _PATH, params=params, json=_body(payload))
        except ConflictError as exc:
            raw = exc.web_message.raw if exc.web_message is not None else None
            if not raw:
                raise
            return _report(raw)
        return _report(json.loads(response.content))

    async def start(
        self,
        payload: Mapping[str, Any] | BaseModel,
        *,
        import_strategy: ImportStrategy = "CREATE_AND_UPDATE",
        atomic_mode: AtomicMode = "ALL",
        validation_mode: ValidationMode = "FULL",
        import_mode: ImportMode = "COMMIT",
    ) -> TaskRef:
        """Start an async tracker import; await the returned ``TaskRef`` with ``client.tasks``
        and read ``report(ref)``."""
        params = _import_params(import_strategy, atomic_mode, validation_mode, import_mode)
        params["async"] = "true"
        response = await self._client.request("POST", _PATH, params=params, json=_body(payload))
        ref = WebMessageResponse.model_validate_json(response.content).task_ref()
        if ref is None:
            raise ResponseShapeError(
                f"POST {_PATH}?async=true answered without a job reference (response.id); "
                "the tracker importer needs DHIS2 2.36 or later."
            )
        return ref

    async def report(self, ref: TaskRef | str | tuple[str, str]) -> TrackerImportReport:
        """The report of a completed async tracker import job."""
        task = parse_task_ref(ref)
        response = await self._client.request("GET", f"{_PATH}/jobs/{task.uid}/report")
        content = response.content.strip()
        if not content or content == b"{}":
            raise ResponseShapeError(
                f"DHIS2 has no report for tracker job {task.uid} yet: await "
                "client.tasks.await_completion(ref) first."
            )
        return _report(json.loads(content))

    def tracked_entities(
        self,
        *,
        program: str | None = None,
        tracked_entity_type: str | None = None,
        org_unit: str | Sequence[str] | None = None,
        ou_mode: str | None = None,
        fields: str = "*",
        page_size: int = 50,
        params: Params | None = None,
    ) -> AsyncIterator[TrackedEntity]:
        """Every tracked entity of the query (DHIS2 needs a ``program`` or a type)."""
        query = _query(fields, params, program=program, trackedEntityType=tracked_entity_type)
        _put_org_units(query, "orgUnits", org_unit, ou_mode)
        return self._walk("trackedEntities", _TRACKED_ENTITIES, query, page_size)

    def enrollments(
        self,
        *,
        program: str | None = None,
        tracked_entity: str | None = None,
        org_unit: str | Sequence[str] | None = None,
        ou_mode: str | None = None,
        fields: str = "*",
        page_size: int = 50,
        params: Params | None = None,
    ) -> AsyncIterator[Enrollment]:
        """Every enrollment of the query."""
        query = _query(fields, params, program=program, trackedEntity=tracked_entity)
        _put_org_units(query, "orgUnits", org_unit, ou_mode)
        return self._walk("enrollments", _ENROLLMENTS, query, page_size)

    def events(
        self,
        *,
        program: str | None = None,
        program_stage: str | None = None,
        enrollment: str | None = None,
        tracked_entity: str | None = None,
        org_unit: str | None = None,
        ou_mode: str | None = None,
        fields: str = "*",
        page_size: int = 50,
        params: Params | None = None,
    ) -> AsyncIterator[Event]:
        """Every event of the query."""
        query = _query(
            fields,
            params,
            program=program,
            programStage=program_stage,
            enrollment=enrollment,
            trackedEntity=tracked_entity,
        )
        _put_org_units(query, "orgUnit", org_unit, ou_mode)
        return self._walk("events", _EVENTS, query, page_size)

    async def _walk(
        self, key: str, adapter: TypeAdapter[list[ItemT]], query: dict[str, Any], page_size: int
    ) -> AsyncIterator[ItemT]:
        if page_size < 1:
            raise ValueError(f"page_size must be 1 or more, got {page_size}")
        path = f"{_PATH}/{key}"
        number = 1
        while True:
            body = await self._client.get_raw(
                path, params={**query, "page": number, "pageSize": page_size}
            )
            raw_items = body.get(key, body.get("instances"))
            if raw_items is None:
                raise ResponseShapeError(
                    f"GET {path} answered neither {key!r} nor 'instances': {list(body)[:5]}"
                )
            for item in adapter.validate_python(raw_items):
                yield item
            if not _has_next(body, number, len(cast(list[object], raw_items)), page_size):
                return
            number += 1


def _has_next(body: Mapping[str, Any], number: int, count: int, page_size: int) -> bool:
    pager: object = body.get("pager")
    paging = cast(Mapping[str, Any], pager) if isinstance(pager, Mapping) else body
    if "nextPage" in paging or isinstance(pager, Mapping):
        if paging.get("nextPage"):
            return True
        if "nextPage" in paging:
            return False
    page_count = paging.get("pageCount")
    if isinstance(page_count, int):
        return number < page_count
    total = paging.get("total")
    if isinstance(total, int):
        return number * page_size < total
    return count >= page_size and count > 0


def _query(fields: str, params: Params | None, **named: str | None) -> dict[str, Any]:
    query: dict[str, Any] = {"fields": fields, **(params or {})}
    query.update({key: value for key, value in named.items() if value is not None})
    return query


def _put_org_units(
    query: dict[str, Any], key: str, org_unit: str | Sequence[str] | None, ou_mode: str | None
) -> None:
    if org_unit is not None:
        query[key] = org_unit if isinstance(org_unit, str) else ",".join(org_unit)
    if ou_mode is not None:
        query["orgUnitMode"] = ou_mode


def _import_params(
    import_strategy: str, atomic_mode: str, validation_mode: str, import_mode: str
) -> dict[str, str]:
    return {
        "importStrategy": import_strategy,
        "atomicMode": atomic_mode,
        "validationMode": validation_mode,
        "importMode": import_mode,
    }


def _body(payload: Mapping[str, Any] | BaseModel) -> dict[str, JsonValue]:
    if isinstance(payload, BaseModel):
        return payload.model_dump(mode="json", by_alias=True, exclude_none=True)
    body: dict[str, JsonValue] = {}
    for key, items in payload.items():
        if isinstance(items, list | tuple):
            body[key] = [_item(item) for item in cast(Sequence[object], items)]
        else:
            body[key] = cast(JsonValue, items)
    return body


def _item(item: object) -> JsonValue:
    if isinstance(item, BaseModel):
        return item.model_dump(mode="json", by_alias=True, exclude_none=True)
    return cast(JsonValue, item)


def _report(body: object) -> TrackerImportReport:
    """The report itself (2.41+), or inside a WebMessage's ``response``."""
    if isinstance(body, Mapping):
        data = cast(Mapping[str, object], body)
        inner = data.get("response")
        if isinstance(inner, Mapping) and "validationReport" not in data:
            return TrackerImportReport.model_validate(inner)
        return TrackerImportReport.model_validate(data)
    raise ResponseShapeError(f"A tracker import report must be a JSON object, got {body!r:.120}")
