"""Tracker data (tracked entities, enrollments, events): storage, reference checks, the report.

``import_payload`` takes a ``/api/tracker`` payload, flat or nested (enrollments inside tracked
entities, events inside enrollments), checks every reference against the metadata store and the
tracker data (stored, or valid earlier in the same payload), and answers DHIS2's tracker import
report: ``status``, ``validationReport.errorReports`` (``errorCode``, ``trackerType``, ``uid``,
``message``), ``stats`` and ``bundleReport.typeReportMap``. ``atomicMode=ALL`` stores nothing
when anything fails; ``OBJECT`` stores what passed. Codes follow DHIS2's E1xxx tracker codes;
messages are close to DHIS2's, not verbatim. Relationships are counted, not stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dhis2_standin.jsontypes import JsonObject, JsonValue, copy_object
from dhis2_standin.store import MetadataStore, timestamp
from dhis2_standin.uids import is_uid, new_uid

_TYPES = ("TRACKED_ENTITY", "ENROLLMENT", "EVENT", "RELATIONSHIP")
_STATS = ("created", "updated", "deleted", "ignored", "total")
_KEYS = {
    "TRACKED_ENTITY": "trackedEntity",
    "ENROLLMENT": "enrollment",
    "EVENT": "event",
    "RELATIONSHIP": "relationship",
}


def _ref(value: JsonValue) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        uid = value.get("id")
        return uid if isinstance(uid, str) else None
    return None


def _objects(value: JsonValue) -> list[JsonObject]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _json(stats: dict[str, int]) -> JsonObject:
    return dict[str, JsonValue](stats.items())


def flatten(payload: JsonObject) -> dict[str, list[JsonObject]]:
    """The payload's objects by tracker type, nested ones moved out with their parent's UID."""
    flat: dict[str, list[JsonObject]] = {kind: [] for kind in _TYPES}
    for te in _objects(payload.get("trackedEntities")):
        te = copy_object(te)
        te.setdefault("trackedEntity", new_uid())
        for enrollment in _objects(te.pop("enrollments", None)):
            enrollment.setdefault("trackedEntity", te["trackedEntity"])
            flat["ENROLLMENT"].append(enrollment)
        flat["TRACKED_ENTITY"].append(te)
    flat["ENROLLMENT"].extend(copy_object(e) for e in _objects(payload.get("enrollments")))
    for enrollment in flat["ENROLLMENT"]:
        enrollment.setdefault("enrollment", new_uid())
        for event in _objects(enrollment.pop("events", None)):
            event.setdefault("enrollment", enrollment["enrollment"])
            event.setdefault("program", enrollment.get("program"))
            flat["EVENT"].append(event)
    flat["EVENT"].extend(copy_object(e) for e in _objects(payload.get("events")))
    for event in flat["EVENT"]:
        event.setdefault("event", new_uid())
    flat["RELATIONSHIP"].extend(_objects(payload.get("relationships")))
    return flat


@dataclass(slots=True)
class TrackerStore:
    """Stored tracked entities, enrollments and events, by UID, in insertion order."""

    metadata: MetadataStore
    data: dict[str, dict[str, JsonObject]] = field(
        default_factory=lambda: {kind: {} for kind in _TYPES}
    )

    def reset(self) -> None:
        self.data = {kind: {} for kind in _TYPES}

    def objects(self, kind: str) -> list[JsonObject]:
        return list(self.data[kind].values())

    def import_payload(
        self,
        payload: JsonObject,
        *,
        strategy: str = "CREATE_AND_UPDATE",
        atomic: bool = True,
        validate_only: bool = False,
    ) -> tuple[int, JsonObject]:
        """Import ``payload``; the HTTP status and DHIS2's tracker import report."""
        flat = flatten(payload)
        errors: list[JsonValue] = []
        accepted: dict[str, list[tuple[int, JsonObject]]] = {kind: [] for kind in _TYPES}
        known: dict[str, set[str]] = {kind: set(self.data[kind]) for kind in _TYPES}
        checks: dict[str, Callable[[JsonObject, dict[str, set[str]]], list[tuple[str, str]]]] = {
            "TRACKED_ENTITY": self._check_tracked_entity,
            "ENROLLMENT": self._check_enrollment,
            "EVENT": self._check_event,
            "RELATIONSHIP": lambda obj, known: [],
        }
        for kind in _TYPES:
            key = _KEYS[kind]
            for index, obj in enumerate(flat[kind]):
                uid = str(obj.get(key) or new_uid())
                problems = checks[kind](obj, known)
                if not is_uid(uid):
                    problems.insert(
                        0, ("E1048", f"Object: `{uid}`, uid: `{uid}`, has an invalid uid format.")
                    )
                exists = uid in self.data[kind]
                if strategy == "CREATE" and exists:
                    problems.append(("E1030", f"{kind.title()} `{uid}` already exists."))
                if strategy in ("UPDATE", "DELETE") and not exists:
                    problems.append(("E1063", f"{kind.title()} `{uid}` does not exist."))
                if problems:
                    errors.extend(
                        {"message": message, "errorCode": code, "trackerType": kind, "uid": uid}
                        for code, message in problems
                    )
                    continue
                obj[key] = uid
                known[kind].add(uid)
                accepted[kind].append((index, obj))
        commit = not validate_only and not (errors and atomic)
        type_reports: JsonObject = {}
        totals: dict[str, int] = dict.fromkeys(_STATS, 0)
        failed = {str(e.get("uid")) for e in errors if isinstance(e, dict)}
        now = timestamp()
        for kind in _TYPES:
            key = _KEYS[kind]
            stats: dict[str, int] = dict.fromkeys(_STATS, 0)
            reports: list[JsonValue] = []
            stats["ignored"] = sum(1 for obj in flat[kind] if str(obj.get(key)) in failed)
            for index, obj in accepted[kind]:
                uid = str(obj[key])
                exists = uid in self.data[kind]
                if not commit:
                    stats["ignored"] += 1
                    continue
                action = "deleted" if strategy == "DELETE" else "updated" if exists else "created"
                stats[action] += 1
                reports.append(
                    {"trackerType": kind, "uid": uid, "index": index, "errorReports": []}
                )
                if kind == "RELATIONSHIP":
                    continue
                if action == "deleted":
                    self.data[kind].pop(uid, None)
                    continue
                previous = self.data[kind].get(uid)
                stored = copy_object(obj)
                created = previous.get("createdAt") if previous else None
                stored["createdAt"] = created if isinstance(created, str) else now
                stored["updatedAt"] = now
                self.data[kind][uid] = stored
            stats["total"] = sum(stats[k] for k in ("created", "updated", "deleted", "ignored"))
            for name, count in stats.items():
                totals[name] += count
            type_reports[kind] = {
                "trackerType": kind,
                "stats": _json(stats),
                "objectReports": reports,
            }
        status = "ERROR" if errors else "OK"
        report: JsonObject = {
            "status": status,
            "validationReport": {"errorReports": errors, "warningReports": []},
            "stats": _json(totals),
            "bundleReport": {
                "status": status,
                "typeReportMap": type_reports,
                "stats": _json(totals),
            },
        }
        return (409 if errors else 200), report

    # -- reference checks ------------------------------------------------------------------

    def _exists(self, plural: str, uid: str | None) -> bool:
        return uid is not None and self.metadata.get(plural, uid) is not None

    def _check_tracked_entity(
        self, obj: JsonObject, known: dict[str, set[str]]
    ) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        te_type = _ref(obj.get("trackedEntityType"))
        if not self._exists("trackedEntityTypes", te_type):
            problems.append(("E1005", f"Could not find TrackedEntityType: `{te_type}`."))
        ou = _ref(obj.get("orgUnit"))
        if not self._exists("organisationUnits", ou):
            problems.append(
                ("E1049", f"Could not find OrganisationUnit: `{ou}`, linked to Tracked Entity.")
            )
        return problems

    def _check_enrollment(
        self, obj: JsonObject, known: dict[str, set[str]]
    ) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        program = _ref(obj.get("program"))
        if not self._exists("programs", program):
            problems.append(
                ("E1069", f"Could not find Program: `{program}`, linked to Enrollment.")
            )
        te = _ref(obj.get("trackedEntity"))
        if te is None or te not in known["TRACKED_ENTITY"]:
            problems.append(
                ("E1068", f"Could not find TrackedEntity: `{te}`, linked to Enrollment.")
            )
        ou = _ref(obj.get("orgUnit"))
        if not self._exists("organisationUnits", ou):
            problems.append(
                ("E1070", f"Could not find OrganisationUnit: `{ou}`, linked to Enrollment.")
            )
        return problems

    def _check_event(self, obj: JsonObject, known: dict[str, set[str]]) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        program_uid = _ref(obj.get("program"))
        program = self.metadata.get("programs", program_uid) if program_uid else None
        if program is None:
            problems.append(("E1010", f"Could not find Program: `{program_uid}`, linked to Event."))
        stage_uid = _ref(obj.get("programStage"))
        stage = self.metadata.get("programStages", stage_uid) if stage_uid else None
        if stage is None:
            problems.append(
                ("E1013", f"Could not find ProgramStage: `{stage_uid}`, linked to Event.")
            )
        elif program is not None and _ref(stage.get("program")) != program_uid:
            problems.append(
                (
                    "E1089",
                    f"Event: `{obj.get('event')}`, references a Program Stage "
                    f"`{stage_uid}` that does not belong to Program "
                    f"`{program_uid}`.",
                )
            )
        ou = _ref(obj.get("orgUnit"))
        if not self._exists("organisationUnits", ou):
            problems.append(("E1011", f"Could not find OrganisationUnit: `{ou}`, linked to Event."))
        registration = program is not None and program.get("programType") == "WITH_REGISTRATION"
        enrollment = _ref(obj.get("enrollment"))
        if registration and (enrollment is None or enrollment not in known["ENROLLMENT"]):
            problems.append(
                ("E1033", f"Event: `{obj.get('event')}`, Enrollment value is NULL or not found.")
            )
        for value in _objects(obj.get("dataValues")):
            de = _ref(value.get("dataElement"))
            if not self._exists("dataElements", de):
                problems.append(("E1304", f"Data element `{de}` is not a valid data element."))
        return problems
