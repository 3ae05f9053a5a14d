"""``POST /api/metadata``: DHIS2's metadata import with its ImportReport, and the object checks
that single-object writes (``POST``/``PUT /api/{plural}``) share with it.

Checks are few but real DHIS2 ones: values must bind to the property's type (E4027, see
:mod:`dhis2_standin.binding`), an ``id`` must be a UID (E4014), required text properties
must be present (E4000), ``code``/``name``/``shortName`` must stay unique where the schema says
so (E5003), CREATE of an existing object fails (E5000), UPDATE or DELETE of a missing one fails
(E5001). References to other objects are not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dhis2_standin.binding import binding_errors
from dhis2_standin.data import SchemaInfo
from dhis2_standin.jsontypes import JsonObject, JsonValue, copy_object
from dhis2_standin.store import MetadataStore
from dhis2_standin.uids import is_uid, new_uid
from dhis2_standin.webmessage import CONFLICT_MESSAGE, error_report, object_report, web_message

_STRATEGIES = {
    "CREATE_AND_UPDATE": "CREATE_AND_UPDATE",
    "NEW_AND_UPDATES": "CREATE_AND_UPDATE",
    "CREATE": "CREATE",
    "NEW": "CREATE",
    "UPDATE": "UPDATE",
    "UPDATES": "UPDATE",
    "DELETE": "DELETE",
    "DELETES": "DELETE",
}
_REPORT_MODES = frozenset({"ERRORS", "FULL", "DEBUG"})
# Root keys of a metadata export that are not object collections.
_NON_COLLECTION_KEYS = frozenset({"system", "date"})


class ImportRequestError(ValueError):
    """A metadata import request DHIS2 would reject with 400 before importing anything."""


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """The query parameters of ``POST /api/metadata`` the stand-in honours."""

    strategy: str = "CREATE_AND_UPDATE"
    atomic_all: bool = True
    validate_only: bool = False
    report_mode: str = "ERRORS"


def parse_options(params: Mapping[str, str]) -> ImportOptions:
    """``importStrategy``, ``atomicMode``, ``importMode`` (or ``dryRun``), ``importReportMode``."""
    strategy = _STRATEGIES.get(params.get("importStrategy", "CREATE_AND_UPDATE").upper())
    if strategy is None:
        raise ImportRequestError(f"Invalid importStrategy `{params['importStrategy']}`")
    atomic = params.get("atomicMode", "ALL").upper()
    if atomic not in ("ALL", "NONE"):
        raise ImportRequestError(f"Invalid atomicMode `{params['atomicMode']}`")
    mode = params.get("importMode", "COMMIT").upper()
    if mode not in ("COMMIT", "VALIDATE"):
        raise ImportRequestError(f"Invalid importMode `{params['importMode']}`")
    report_mode = params.get("importReportMode", "ERRORS").upper()
    if report_mode not in _REPORT_MODES:
        raise ImportRequestError(f"Invalid importReportMode `{params['importReportMode']}`")
    validate_only = mode == "VALIDATE" or params.get("dryRun", "false").lower() == "true"
    return ImportOptions(strategy, atomic == "ALL", validate_only, report_mode)


def display(schema: SchemaInfo, obj: Mapping[str, JsonValue], uid: str | None) -> str:
    """How DHIS2 names an object in messages: ``ANC 1st visit [fbfJHSPpUQD] (DataElement)``."""
    name = obj.get("name") or obj.get("code") or ""
    return f"{name} [{uid}] ({schema.simple_klass})"


@dataclass(slots=True)
class _Pending:
    """Unique values claimed by objects earlier in the same payload."""

    claimed: dict[tuple[str, str, str], str] = field(
        default_factory=dict[tuple[str, str, str], str]
    )


def validate_object(
    store: MetadataStore,
    schema: SchemaInfo,
    obj: JsonObject,
    uid: str,
    pending: _Pending | None = None,
) -> list[JsonValue]:
    """Error reports for writing ``obj`` as ``uid`` (empty when it may be written)."""
    errors = binding_errors(schema, obj)
    klass = schema.klass
    raw_id = obj.get("id")
    if raw_id is not None and not is_uid(raw_id):
        errors.append(
            error_report(
                "E4014",
                f"Invalid UID `{raw_id}` for property `id`",
                main_klass=klass,
                error_property="id",
                args=[str(raw_id), "id"],
            )
        )
    for prop in schema.required_text:
        if obj.get(prop) in (None, ""):
            errors.append(
                error_report(
                    "E4000",
                    f"Missing required property `{prop}`.",
                    main_klass=klass,
                    error_property=prop,
                    args=[prop],
                )
            )
    for prop in schema.unique:
        value = obj.get(prop)
        if not isinstance(value, str):
            continue
        other = store.find_unique(schema.plural, prop, value, uid)
        if other is None and pending is not None:
            claimant = pending.claimed.get((schema.plural, prop, value))
            other = claimant if claimant != uid else None
        if other is not None:
            shown = display(schema, obj, uid)
            errors.append(
                error_report(
                    "E5003",
                    f"Property `{prop}` with value `{value}` on object {shown} "
                    f"already exists on object {other}.",
                    main_klass=klass,
                    error_property=prop,
                    args=[prop, value, shown, other],
                )
            )
    return errors


def exists_error(schema: SchemaInfo, obj: Mapping[str, JsonValue], uid: str) -> JsonObject:
    """E5000: creating an object whose UID is taken."""
    shown = display(schema, obj, uid)
    message = (
        "Found matching object for reference, but import mode is CREATE. "
        f"Identifier was UID, and object was {shown}."
    )
    return error_report("E5000", message, main_klass=schema.klass, args=["UID", shown])


@dataclass(slots=True)
class _Planned:
    index: int
    uid: str
    action: str  # "created" | "updated" | "deleted" | "ignored"
    obj: JsonObject
    errors: list[JsonValue]


def _plan_object(
    store: MetadataStore,
    schema: SchemaInfo,
    index: int,
    obj: JsonObject,
    strategy: str,
    pending: _Pending,
) -> _Planned:
    raw_id = obj.get("id")
    uid = raw_id if isinstance(raw_id, str) else new_uid()
    exists = store.get(schema.plural, uid) is not None
    shown = display(schema, obj, uid if raw_id is not None else None)
    if strategy == "CREATE" and exists:
        return _Planned(index, uid, "ignored", obj, [exists_error(schema, obj, uid)])
    if strategy in ("UPDATE", "DELETE") and not exists:
        message = f"No matching object for reference. Identifier was UID, and object was {shown}."
        report = error_report("E5001", message, main_klass=schema.klass, args=["UID", shown])
        return _Planned(index, uid, "ignored", obj, [report])
    if strategy == "DELETE":
        return _Planned(index, uid, "deleted", obj, [])
    errors = validate_object(store, schema, obj, uid, pending)
    if errors:
        return _Planned(index, uid, "ignored", obj, errors)
    for prop in schema.unique:
        value = obj.get(prop)
        if isinstance(value, str):
            pending.claimed[(schema.plural, prop, value)] = uid
    stored = copy_object(obj)
    stored["id"] = uid
    return _Planned(index, uid, "updated" if exists else "created", stored, [])


_STAT_KEYS = ("created", "updated", "deleted", "ignored")


def _stats(counts: Mapping[str, int]) -> JsonObject:
    stats: JsonObject = {key: counts.get(key, 0) for key in _STAT_KEYS}
    stats["total"] = sum(counts.get(key, 0) for key in _STAT_KEYS)
    return stats


def _collections(
    store: MetadataStore, payload: JsonObject
) -> list[tuple[SchemaInfo, list[JsonObject]]]:
    collections: list[tuple[SchemaInfo, list[JsonObject]]] = []
    known = store.data.by_plural
    for key, value in payload.items():
        if key in _NON_COLLECTION_KEYS:
            continue
        schema = known.get(key)
        if schema is None:
            raise ImportRequestError(
                f"Unknown metadata type `{key}`: "
                f"no schema of DHIS2 {store.data.version} has that plural"
            )
        if not isinstance(value, list):
            raise ImportRequestError(f"`{key}` must be a JSON array of objects")
        objects: list[JsonObject] = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise ImportRequestError(f"`{key}[{index}]` must be a JSON object")
            objects.append(item)
        collections.append((schema, objects))
    return collections


def run_import(
    store: MetadataStore, payload: JsonObject, options: ImportOptions
) -> tuple[int, JsonObject]:
    """Import ``payload``; return the HTTP status and DHIS2's WebMessage with the ImportReport."""
    pending = _Pending()
    plans = [
        (
            schema,
            [
                _plan_object(store, schema, i, obj, options.strategy, pending)
                for i, obj in enumerate(objects)
            ],
        )
        for schema, objects in _collections(store, payload)
    ]
    has_errors = any(p.errors for _, planned in plans for p in planned)
    commit = not options.validate_only and not (has_errors and options.atomic_all)
    totals: dict[str, int] = {}
    type_reports: list[JsonValue] = []
    for schema, planned in plans:
        counts: dict[str, int] = {}
        reports: list[JsonValue] = []
        for plan in planned:
            action = plan.action if commit else "ignored"
            counts[action] = counts.get(action, 0) + 1
            if commit and plan.action in ("created", "updated"):
                store.put(schema.plural, plan.obj)
            elif commit and plan.action == "deleted":
                store.delete(schema.plural, plan.uid)
            if plan.errors or options.report_mode != "ERRORS":
                reports.append(object_report(schema.klass, plan.uid, plan.errors, index=plan.index))
        for key, count in counts.items():
            totals[key] = totals.get(key, 0) + count
        type_reports.append(
            {"klass": schema.klass, "stats": _stats(counts), "objectReports": reports}
        )
    status = "OK" if not has_errors else ("ERROR" if options.atomic_all else "WARNING")
    report: JsonObject = {
        "responseType": "ImportReport",
        "status": status,
        "stats": _stats(totals),
        "typeReports": type_reports,
    }
    if status == "OK":
        return 200, web_message(200, response=report)
    return 409, web_message(409, CONFLICT_MESSAGE, status="WARNING", response=report)


def import_done(report: JsonValue) -> str | None:
    """The completing notification of an import job, as DHIS2 words it for tracker imports:
    ``Import complete with status OK, 1 created, 0 updated, 0 deleted, 0 ignored``."""
    if not isinstance(report, dict):
        return None
    stats = report.get("stats")
    counts = stats if isinstance(stats, dict) else {}
    parts = ", ".join(f"{counts.get(key, 0)} {key}" for key in _STAT_KEYS)
    return f"Import complete with status {report.get('status')}, {parts}"
