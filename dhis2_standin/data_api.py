"""The data side of the stand-in as Starlette routes: data values, analytics, tracker.

``/api/dataValueSets`` (POST JSON or CSV, sync or as a ``DATAVALUE_IMPORT`` job; GET as JSON or
CSV, streamed), ``/api/analytics`` (sums, see :mod:`dhis2_standin.analytics`) and
``/api/tracker`` (imports, sync or as a ``TRACKER_IMPORT_JOB`` job with its report at
``/api/tracker/jobs/{uid}/report``; paged ``trackedEntities``, ``enrollments`` and ``events``).
Tracker lists page the way the served version does: up to 2.41 the items are under
``instances`` with ``page``/``pageSize`` beside them; from 2.42 under the collection's own key
with a ``pager`` object that links the ``nextPage``.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date
from itertools import islice
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from dhis2_standin.analytics import AnalyticsQueryError, analytics_grid
from dhis2_standin.datavalues import ExportQuery
from dhis2_standin.importer import import_done
from dhis2_standin.jobs import started_message
from dhis2_standin.jsontypes import JsonObject, JsonValue, dump_json, parse_object
from dhis2_standin.state import StandinState
from dhis2_standin.webmessage import JsonResponse, error_response, web_message

_CSV_HEADER = (
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,"
    "lastupdated,comment,followup,deleted\n"
)
_CSV_KEYS = (
    "dataElement",
    "period",
    "orgUnit",
    "categoryOptionCombo",
    "attributeOptionCombo",
    "value",
    "storedBy",
    "lastUpdated",
    "comment",
    "followup",
    "deleted",
)
_BATCH = 2000
_CONFLICTS_MESSAGE = "One more conflicts encountered, please check import summary."
_TRACKER_KEYS = {
    "trackedEntities": "TRACKED_ENTITY",
    "enrollments": "ENROLLMENT",
    "events": "EVENT",
}


def _listed(request: Request, name: str) -> list[str]:
    """Repeated parameters and comma-separated lists, as DHIS2 accepts both."""
    return [
        part for value in request.query_params.getlist(name) for part in value.split(",") if part
    ]


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "false").lower() == "true"


def _csv_values(text: str, header: bool) -> Iterator[JsonObject]:
    rows = csv.reader(io.StringIO(text))
    if header:
        next(rows, None)
    for row in rows:
        if not row:
            continue
        value: JsonObject = {key: cell for key, cell in zip(_CSV_KEYS, row, strict=False) if cell}
        if "followup" in value:
            value["followup"] = value["followup"] == "true"
        yield value


def _csv_cell(value: JsonValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _batches(rows: Iterable[JsonObject]) -> Iterator[list[JsonObject]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, _BATCH)):
        yield batch


class DataApi:
    """Route handlers of the data side, bound to one stand-in's state."""

    def __init__(self, state: StandinState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        """The routes; mount them before the metadata collections' ``/api/{plural}``."""
        return [
            Route("/api/dataValueSets", self.import_values, methods=["POST"]),
            Route("/api/dataValueSets.json", self.import_values, methods=["POST"]),
            Route("/api/dataValueSets.csv", self.import_values, methods=["POST"]),
            Route("/api/dataValueSets", self.export_values, methods=["GET"]),
            Route("/api/dataValueSets.json", self.export_values, methods=["GET"]),
            Route("/api/dataValueSets.csv", self.export_csv, methods=["GET"]),
            Route("/api/analytics", self.analytics, methods=["GET"]),
            Route("/api/analytics.json", self.analytics, methods=["GET"]),
            Route("/api/tracker", self.tracker_import, methods=["POST"]),
            Route("/api/tracker/jobs/{uid}", self.tracker_job, methods=["GET"]),
            Route("/api/tracker/jobs/{uid}/report", self.tracker_report, methods=["GET"]),
            Route("/api/tracker/{kind}", self.tracker_list, methods=["GET"]),
        ]

    # ------------------------------------------------------------------ data values

    async def import_values(self, request: Request) -> Response:
        body = (await request.body()).decode("utf-8")
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type in ("application/csv", "text/csv") or request.url.path.endswith(".csv"):
            header = request.query_params.get("firstRowIsHeader", "true").lower() == "true"
            values: Iterable[JsonObject] = _csv_values(body, header)
        else:
            listed = parse_object(body).get("dataValues", [])
            values = [v for v in listed if isinstance(v, dict)] if isinstance(listed, list) else []
        strategy = request.query_params.get("importStrategy", "CREATE_AND_UPDATE").upper()
        summary = self.state.data_values.import_values(
            values,
            strategy=strategy,
            dry_run=_flag(request, "dryRun"),
            user=str(request.scope.get("standin.user", "admin")),
        )
        if _flag(request, "async"):
            job = self.state.jobs.start(
                "DATAVALUE_IMPORT", summary=summary, final_message=_values_done(summary)
            )
            return JsonResponse(started_message(job))
        if summary["status"] == "SUCCESS":
            return JsonResponse(web_message(200, "Import was successful.", response=summary))
        status = str(summary["status"])
        return JsonResponse(
            web_message(409, _CONFLICTS_MESSAGE, status=status, response=summary), 409
        )

    def _export_query(self, request: Request) -> ExportQuery | Response:
        data_sets = _listed(request, "dataSet")
        org_units = _listed(request, "orgUnit")
        periods = _listed(request, "period")
        start, end = request.query_params.get("startDate"), request.query_params.get("endDate")
        if not data_sets:
            return error_response(
                409,
                "At least one valid data set or data element group must be specified",
                error_code="E2001",
            )
        if not periods and not (start and end) and "lastUpdated" not in request.query_params:
            return error_response(
                409,
                "At least one valid period, start/end dates, last "
                "updated or last updated duration must be specified",
                error_code="E2002",
            )
        if not org_units:
            return error_response(
                409,
                "At least one valid organisation unit or organisation unit group must be specified",
                error_code="E2006",
            )
        try:
            start_date = date.fromisoformat(start[:10]) if start else None
            end_date = date.fromisoformat(end[:10]) if end else None
        except ValueError:
            return error_response(
                409, "Start date and end date must be ISO dates", error_code="E2003"
            )
        return ExportQuery(
            data_sets=tuple(data_sets),
            org_units=frozenset(org_units),
            periods=frozenset(periods),
            start_date=start_date,
            end_date=end_date,
            children=_flag(request, "children"),
            include_deleted=_flag(request, "includeDeleted"),
            last_updated=request.query_params.get("lastUpdated"),
        )

    async def export_values(self, request: Request) -> Response:
        query = self._export_query(request)
        if isinstance(query, Response):
            return query
        rows = self.state.data_values.export(query)

        async def body() -> AsyncIterator[bytes]:
            yield b'{"dataValues":['
            separator = b""
            for batch in _batches(rows):
                yield separator + dump_json(list(batch))[1:-1]
                separator = b","
            yield b"]}"

        return StreamingResponse(body(), media_type=JsonResponse.media_type)

    async def export_csv(self, request: Request) -> Response:
        query = self._export_query(request)
        if isinstance(query, Response):
            return query
        rows = self.state.data_values.export(query)

        async def body() -> AsyncIterator[bytes]:
            yield _CSV_HEADER.encode()
            for batch in _batches(rows):
                out = io.StringIO()
                writer = csv.writer(out, lineterminator="\n")
                writer.writerows([_csv_cell(row.get(key)) for key in _CSV_KEYS] for row in batch)
                yield out.getvalue().encode()

        return StreamingResponse(body(), media_type="application/csv;charset=UTF-8")

    # ------------------------------------------------------------------ analytics

    async def analytics(self, request: Request) -> Response:
        try:
            grid = analytics_grid(
                self.state.data_values,
                request.query_params.getlist("dimension"),
                request.query_params.getlist("filter"),
            )
        except AnalyticsQueryError as exc:
            return error_response(409, str(exc), error_code="E7100")
        if _flag(request, "skipMeta"):
            grid.pop("metaData", None)
        if _flag(request, "skipData"):
            grid["rows"] = []
            grid["height"] = 0
        return JsonResponse(grid)

    # ------------------------------------------------------------------ tracker

    async def tracker_import(self, request: Request) -> Response:
        payload = parse_object(await request.body())
        params = request.query_params
        strategy = params.get("importStrategy", "CREATE_AND_UPDATE").upper()
        atomic = params.get("atomicMode", "ALL").upper() != "OBJECT"
        validate_only = params.get("importMode", "COMMIT").upper() == "VALIDATE"
        run_async = params.get("async", "true").lower() == "true"
        fault = self.state.faults.take_job_fault("TRACKER_IMPORT_JOB") if run_async else None
        report: JsonObject | None = None
        status = 200
        if fault is None:
            status, report = self.state.tracker.import_payload(
                payload, strategy=strategy, atomic=atomic, validate_only=validate_only
            )
        if not run_async:
            return JsonResponse(report, status)
        job = self.state.jobs.start(
            "TRACKER_IMPORT_JOB", fault=fault, summary=report, final_message=import_done(report)
        )
        root = f"{request.url.scheme}://{request.url.netloc}/api"
        response: JsonObject = {
            "responseType": "TrackerJob",
            "id": job.uid,
            "location": f"{root}/tracker/jobs/{job.uid}",
        }
        return JsonResponse(web_message(200, "Tracker job added", response=response))

    async def tracker_job(self, request: Request) -> Response:
        job = self.state.jobs.get("TRACKER_IMPORT_JOB", request.path_params["uid"])
        if job is None:
            return error_response(404, f"Job with id {request.path_params['uid']} not found")
        return JsonResponse(job.notifications(time.monotonic()))

    async def tracker_report(self, request: Request) -> Response:
        uid = request.path_params["uid"]
        job = self.state.jobs.get("TRACKER_IMPORT_JOB", uid)
        if job is None or not job.done(time.monotonic()) or job.summary is None:
            return error_response(404, f"Import report for job `{uid}` could not be found.")
        return JsonResponse(job.summary)

    async def tracker_list(self, request: Request) -> Response:
        key = request.path_params["kind"]
        kind = _TRACKER_KEYS.get(key)
        if kind is None:
            return error_response(404, f"No endpoint GET /api/tracker/{key}")
        params = request.query_params
        found = [
            obj for obj in self.state.tracker.objects(kind) if self._matches(kind, obj, request)
        ]
        try:
            page = max(1, int(params.get("page", "1")))
            size = max(1, int(params.get("pageSize", "50")))
        except ValueError:
            return error_response(400, "page and pageSize must be numbers")
        items: list[JsonValue] = list(found[(page - 1) * size : page * size])
        more = page * size < len(found)
        if self.state.data.api_version <= 41:
            return JsonResponse({"page": page, "pageSize": size, "instances": items})
        pager: JsonObject = {"page": page, "pageSize": size}
        if more:
            others = [(k, v) for k, v in params.multi_items() if k != "page"]
            base = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
            pager["nextPage"] = f"{base}?{urlencode([('page', str(page + 1)), *others])}"
        return JsonResponse({"pager": pager, key: items})

    def _matches(self, kind: str, obj: JsonObject, request: Request) -> bool:
        params = request.query_params
        units = set(_listed(request, "orgUnits") or _listed(request, "orgUnit"))
        if units and obj.get("orgUnit") not in units:
            return False
        program = params.get("program")
        if kind == "TRACKED_ENTITY":
            if program is not None:
                enrolled = {
                    str(e.get("trackedEntity"))
                    for e in self.state.tracker.objects("ENROLLMENT")
                    if e.get("program") == program
                }
                if obj.get("trackedEntity") not in enrolled:
                    return False
            te_type = params.get("trackedEntityType")
            return te_type is None or obj.get("trackedEntityType") == te_type
        for name in ("program", "programStage", "enrollment", "trackedEntity"):
            wanted = params.get(name)
            if wanted is not None and obj.get(name) != wanted:
                return False
        return True


def _values_done(summary: JsonObject) -> str:
    counts = summary.get("importCount")
    parts = (
        ", ".join(
            f"{counts.get(key, 0)} {key}" for key in ("imported", "updated", "ignored", "deleted")
        )
        if isinstance(counts, dict)
        else ""
    )
    return f"Import complete with status {summary.get('status')}, {parts}"
