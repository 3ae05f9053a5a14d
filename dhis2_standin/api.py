"""The DHIS2 endpoints the stand-in serves, as Starlette routes over one :class:`StandinState`.

``/api/system/info``, ``/api/schemas[/{name}]``, ``/api/me``, ``/api/ping``; every metadata
collection ``/api/{plural}[/{uid}]`` (GET, POST, PUT, JSON-Patch PATCH, DELETE); ``/api/metadata``
(import and export); analytics/resource-table jobs and ``/api/system/tasks``. Authentication and
the ``/api/NN`` version prefix are handled before these routes (see :mod:`dhis2_standin.app`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Match, Route

from dhis2_standin.importer import (
    ImportOptions,
    exists_error,
    import_done,
    parse_options,
    run_import,
    validate_object,
)
from dhis2_standin.jobs import started_message
from dhis2_standin.jsontypes import JsonObject, JsonValue, parse_json, parse_object
from dhis2_standin.patch import PatchError, apply_patch
from dhis2_standin.query import (
    DEFAULT_LIST_FIELDS,
    Order,
    SortedViews,
    apply_filters,
    paginate,
    parse_fields,
    parse_filter,
    parse_junction,
    parse_order,
    parse_paging,
    select,
)
from dhis2_standin.state import StandinState
from dhis2_standin.store import timestamp
from dhis2_standin.uids import new_uid
from dhis2_standin.webmessage import (
    JsonResponse,
    error_response,
    not_found,
    object_report,
    object_report_response,
)

JSON_PATCH_MEDIA_TYPE = "application/json-patch+json"

ME_TEMPLATE: JsonObject = {
    "id": "xE7jOejl9FI",
    "username": "admin",
    "surname": "Traore",
    "firstName": "John",
    "name": "John Traore",
    "displayName": "John Traore",
    "email": "dummy@dhis2.org",
    "employer": "DHIS",
    "jobTitle": "Super user",
    "languages": "English",
    "created": "2013-04-18T17:15:08.407",
    "lastUpdated": "2024-03-13T12:27:40.598",
    "organisationUnits": [],
    "dataViewOrganisationUnits": [],
    "teiSearchOrganisationUnits": [],
    "userGroups": [],
    "userRoles": [{"id": "yrB6vc5Ip3r"}],
    "authorities": ["ALL"],
    "programs": [],
    "dataSets": [],
    "patTokens": [],
    "favorites": [],
    "translations": [],
    "settings": {"keyUiLocale": "en", "keyDbLocale": "en", "keyAnalysisDisplayProperty": "name"},
    "access": {
        "manage": True,
        "externalize": True,
        "write": True,
        "read": True,
        "update": True,
        "delete": True,
    },
}


def api_root(request: Request) -> str:
    """``http://host:port/api``: where DHIS2 points ``href``s."""
    return f"{request.url.scheme}://{request.url.netloc}/api"


def _raw_path(request: Request) -> str:
    raw = request.scope.get("standin.raw_path")
    return raw if isinstance(raw, str) else request.url.path


def _joined(request: Request, name: str) -> str:
    return ",".join(value for value in request.query_params.getlist(name) if value)


def _page_link(request: Request) -> Callable[[int], str]:
    """Builds ``nextPage``/``prevPage`` as DHIS2 does: ``page`` first, page 1 without it."""
    others = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    base = f"{request.url.scheme}://{request.url.netloc}{_raw_path(request)}"

    def link(page: int) -> str:
        items = ([("page", str(page))] if page > 1 else []) + others
        return f"{base}?{urlencode(items)}" if items else base

    return link


class NoEndpointError(LookupError):
    """``/api/{plural}`` for a plural that is no metadata collection."""


class Api:
    """Route handlers bound to one stand-in's state."""

    def __init__(self, state: StandinState) -> None:
        self.state = state
        self.sorted_views = SortedViews()
        self._fixed = self._fixed_routes()

    def _resolver(self, request: Request) -> Callable[[JsonObject], JsonObject]:
        root = api_root(request)
        store = self.state.store

        def resolve(ref: JsonObject) -> JsonObject:
            uid = ref.get("id")
            found = store.find(uid) if isinstance(uid, str) else None
            return ref if found is None else store.view(found[0], found[1], root)

        return resolve

    def _not_owned(self, obj: JsonObject) -> frozenset[str]:
        """What ``:owner`` leaves out of a stored object: its schema's non-owner properties."""
        uid = obj.get("id")
        found = self.state.store.find(uid) if isinstance(uid, str) else None
        if found is None:
            return frozenset()
        return self.state.store.schema(found[0]).not_owned

    def no_endpoint_response(self, request: Request) -> Response:
        """404, or 405 when a fixed route (like ``/api/system/info``) has the path."""
        for route in self._fixed:
            match, _ = route.matches(request.scope)
            if match == Match.PARTIAL:
                return method_not_allowed(request)
        return no_endpoint(request)

    def _collection(self, request: Request) -> str:
        """The metadata collection a ``/api/{plural}`` request names (else NoEndpointError)."""
        plural = request.path_params["plural"]
        if plural not in self.state.data.metadata_plurals:
            raise NoEndpointError(plural)
        return plural

    # ------------------------------------------------------------------ system

    async def ping(self, request: Request) -> Response:
        return PlainTextResponse("pong")

    async def system_info(self, request: Request) -> Response:
        return Response(self.state.data.system_info_bytes, media_type=JsonResponse.media_type)

    async def schemas(self, request: Request) -> Response:
        fields = _joined(request, "fields")
        if not fields:
            return Response(self.state.data.schemas_bytes, media_type=JsonResponse.media_type)
        parsed = parse_fields(fields)
        resolve = self._resolver(request)
        listed: list[JsonValue] = [select(s.raw, parsed, resolve) for s in self.state.data.schemas]
        return JsonResponse({"schemas": listed})

    async def schema(self, request: Request) -> Response:
        name = request.path_params["name"]
        schema = self.state.data.schema_named(name)
        if schema is None:
            return error_response(404, f"Type {name} does not exist.")
        fields = _joined(request, "fields")
        if not fields:
            return JsonResponse(schema.raw)
        return JsonResponse(select(schema.raw, parse_fields(fields), self._resolver(request)))

    async def me(self, request: Request) -> Response:
        me = dict(ME_TEMPLATE)
        me["username"] = str(request.scope.get("standin.user", me["username"]))
        fields = _joined(request, "fields")
        return JsonResponse(
            select(me, parse_fields(fields), self._resolver(request)) if fields else me
        )

    # ------------------------------------------------------------------ collections

    async def list_objects(self, request: Request) -> Response:
        plural = self._collection(request)
        params = request.query_params
        fields = parse_fields(_joined(request, "fields") or DEFAULT_LIST_FIELDS)
        filters = [parse_filter(text) for text in params.getlist("filter")]
        orders = parse_order(_joined(request, "order"))
        if not orders and "name" in self.state.store.schema(plural).property_names:
            orders = (Order("name", ignore_case=True),)
        paging = parse_paging(params.get("page"), params.get("pageSize"), params.get("paging"))
        resolve = self._resolver(request)
        root = api_root(request)
        store = self.state.store
        key = (plural, orders, root)
        views = self.sorted_views.get(
            key,
            store.generation,
            lambda: [store.view(plural, obj, root) for obj in store.objects(plural)],
        )
        any_of = parse_junction(params.get("rootJunction"))
        if filters:
            views = self.sorted_views.filtered(
                key,
                (tuple(filters), any_of),
                store.generation,
                views,
                lambda all_views: apply_filters(all_views, filters, resolve, any_of=any_of),
            )
        body: JsonObject = {}
        if paging.enabled:
            views, body["pager"] = paginate(views, paging, _page_link(request))
        body[plural] = [select(view, fields, resolve, self._not_owned) for view in views]
        return JsonResponse(body)

    async def get_object(self, request: Request) -> Response:
        plural = self._collection(request)
        uid = request.path_params["uid"]
        obj = self.state.store.get(plural, uid)
        if obj is None:
            return not_found(self.state.store.schema(plural).simple_klass, uid)
        view = self.state.store.view(plural, obj, api_root(request))
        fields = parse_fields(_joined(request, "fields") or "*")
        return JsonResponse(select(view, fields, self._resolver(request), self._not_owned))

    async def create_object(self, request: Request) -> Response:
        plural = self._collection(request)
        obj = parse_object(await request.body())
        schema = self.state.store.schema(plural)
        raw_id = obj.get("id")
        uid = raw_id if isinstance(raw_id, str) else new_uid()
        if self.state.store.get(plural, uid) is not None:
            errors: list[JsonValue] = [exists_error(schema, obj, uid)]
        else:
            errors = validate_object(self.state.store, schema, obj, uid)
        if errors:
            return object_report_response(409, object_report(schema.klass, uid, errors))
        self.state.store.put(plural, {**obj, "id": uid})
        response = object_report_response(201, object_report(schema.klass, uid, []))
        response.headers["Location"] = f"{api_root(request)}/{plural}/{uid}"
        return response

    async def replace_object(self, request: Request) -> Response:
        plural = self._collection(request)
        uid = request.path_params["uid"]
        schema = self.state.store.schema(plural)
        if self.state.store.get(plural, uid) is None:
            return not_found(schema.simple_klass, uid)
        obj = parse_object(await request.body())
        return self._write(plural, uid, {**obj, "id": uid})

    async def patch_object(self, request: Request) -> Response:
        plural = self._collection(request)
        uid = request.path_params["uid"]
        schema = self.state.store.schema(plural)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON_PATCH_MEDIA_TYPE:
            return error_response(
                415, f"Content-Type '{content_type or '(none)'}' is not supported"
            )
        current = self.state.store.get(plural, uid)
        if current is None:
            return not_found(schema.simple_klass, uid)
        try:
            patched = apply_patch(current, parse_json(await request.body()))
        except PatchError as exc:
            return error_response(400, str(exc))
        if not isinstance(patched, dict):
            return error_response(400, "A patched object must still be a JSON object")
        if patched.get("id") != uid:
            return error_response(400, "Patch path `/id` is not supported.", error_code="E4032")
        return self._write(plural, uid, patched)

    def _write(self, plural: str, uid: str, obj: JsonObject) -> Response:
        schema = self.state.store.schema(plural)
        errors = validate_object(self.state.store, schema, obj, uid)
        if errors:
            return object_report_response(409, object_report(schema.klass, uid, errors))
        self.state.store.put(plural, obj)
        return object_report_response(200, object_report(schema.klass, uid, []))

    async def delete_object(self, request: Request) -> Response:
        plural = self._collection(request)
        uid = request.path_params["uid"]
        schema = self.state.store.schema(plural)
        if not self.state.store.delete(plural, uid):
            return not_found(schema.simple_klass, uid)
        return object_report_response(200, object_report(schema.klass, uid, []))

    # ------------------------------------------------------------------ metadata

    async def import_metadata(self, request: Request) -> Response:
        params = dict(request.query_params)
        options = parse_options(params)
        payload = parse_object(await request.body())
        if params.get("async", "false").lower() == "true":
            return self._import_job(payload, options)
        status, body = run_import(self.state.store, payload, options)
        return JsonResponse(body, status)

    def _import_job(self, payload: JsonObject, options: ImportOptions) -> Response:
        """``async=true``: a METADATA_IMPORT job whose summary is the ImportReport.

        The import runs at once (a failing or hanging job imports nothing); its report waits
        at ``/api/system/taskSummaries/METADATA_IMPORT/{uid}`` until the job completes.
        """
        fault = self.state.faults.take_job_fault("METADATA_IMPORT")
        report: JsonValue = None
        if fault is None:
            _, body = run_import(self.state.store, payload, options)
            report = body.get("response")
        job = self.state.jobs.start(
            "METADATA_IMPORT", fault=fault, summary=report, final_message=import_done(report)
        )
        return JsonResponse(started_message(job))

    async def export_metadata(self, request: Request) -> Response:
        wanted = {key for key, value in request.query_params.items() if value.lower() == "true"}
        info = self.state.data.system_info
        body: JsonObject = {
            "system": {
                "id": info.get("systemId"),
                "rev": info.get("revision"),
                "version": info.get("version"),
                "date": timestamp(),
            }
        }
        plurals = self.state.data.metadata_plurals
        for plural in sorted(self.state.store.plurals()):
            if plural in plurals and (not (wanted & plurals) or plural in wanted):
                body[plural] = list(self.state.store.objects(plural))
        return JsonResponse(body)

    # ------------------------------------------------------------------ jobs

    def _start(self, job_type: str) -> Response:
        job = self.state.jobs.start(job_type, fault=self.state.faults.take_job_fault(job_type))
        return JsonResponse(started_message(job))

    async def analytics(self, request: Request) -> Response:
        return self._start("ANALYTICS_TABLE")

    async def resource_tables(self, request: Request) -> Response:
        return self._start("RESOURCE_TABLE")

    async def monitoring(self, request: Request) -> Response:
        return self._start("MONITORING")

    async def task(self, request: Request) -> Response:
        job = self.state.jobs.get(request.path_params["job_type"], request.path_params["uid"])
        if job is None:
            return not_found("JobConfiguration", request.path_params["uid"])
        return JsonResponse(job.notifications(_now()))

    async def tasks_of_type(self, request: Request) -> Response:
        now = _now()
        jobs = self.state.jobs.of_type(request.path_params["job_type"])
        return JsonResponse({job.uid: job.notifications(now) for job in jobs})

    async def all_tasks(self, request: Request) -> Response:
        now = _now()
        body: JsonObject = {}
        for job in self.state.jobs.jobs.values():
            by_type = body.setdefault(job.job_type, {})
            if isinstance(by_type, dict):
                by_type[job.uid] = job.notifications(now)
        return JsonResponse(body)

    async def task_summary(self, request: Request) -> Response:
        job = self.state.jobs.get(request.path_params["job_type"], request.path_params["uid"])
        if job is None:
            return not_found("JobConfiguration", request.path_params["uid"])
        done = job.done(_now())
        return JsonResponse(job.summary if done and job.summary is not None else {})

    def routes(self) -> list[Route]:
        """The DHIS2 routes, without the ``/api/NN`` prefix (stripped earlier)."""
        return [*self._fixed, *self._collection_routes()]

    def _fixed_routes(self) -> list[Route]:
        return [
            Route("/api/ping", self.ping, methods=["GET"]),
            Route("/api/system/info", self.system_info, methods=["GET"]),
            Route("/api/system/tasks", self.all_tasks, methods=["GET"]),
            Route("/api/system/tasks/{job_type}", self.tasks_of_type, methods=["GET"]),
            Route("/api/system/tasks/{job_type}/{uid}", self.task, methods=["GET"]),
            Route("/api/system/taskSummaries/{job_type}/{uid}", self.task_summary, methods=["GET"]),
            Route("/api/schemas", self.schemas, methods=["GET"]),
            Route("/api/schemas/{name}", self.schema, methods=["GET"]),
            Route("/api/me", self.me, methods=["GET"]),
            Route("/api/metadata", self.import_metadata, methods=["POST"]),
            Route("/api/metadata", self.export_metadata, methods=["GET"]),
            Route("/api/resourceTables", self.resource_tables, methods=["POST"]),
            Route("/api/resourceTables/analytics", self.analytics, methods=["POST"]),
            Route("/api/resourceTables/monitoring", self.monitoring, methods=["POST"]),
        ]

    def _collection_routes(self) -> list[Route]:
        return [
            Route("/api/{plural}", self.list_objects, methods=["GET"]),
            Route("/api/{plural}", self.create_object, methods=["POST"]),
            Route("/api/{plural}/{uid}", self.get_object, methods=["GET"]),
            Route("/api/{plural}/{uid}", self.replace_object, methods=["PUT"]),
            Route("/api/{plural}/{uid}", self.patch_object, methods=["PATCH"]),
            Route("/api/{plural}/{uid}", self.delete_object, methods=["DELETE"]),
        ]


def _now() -> float:
    return time.monotonic()


def no_endpoint(request: Request) -> Response:
    """DHIS2's 404 for a path no endpoint serves."""
    return error_response(404, f"No endpoint {request.method} {_raw_path(request)}")


def method_not_allowed(request: Request) -> Response:
    """Spring's 405, as DHIS2 answers it."""
    return error_response(405, f"Request method '{request.method}' is not supported")
