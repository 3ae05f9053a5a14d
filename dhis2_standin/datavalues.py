"""Aggregate data values: storage, DHIS2's import checks and summaries, and the export filter.

The stand-in keeps values in memory keyed as DHIS2 does (data element, period, org unit,
category option combo, attribute option combo). An import checks each value against the
metadata store: the data element exists and is in a data set assigned to the org unit, the
period parses and has the period type of that data set, the value fits the value type, the
category option combo belongs to the data element's category combo and the attribute option
combo to the data set's. Rejected values become conflicts grouped as DHIS2 2.38+ groups them
(one per reason and object, with the ``indexes`` of the values); every other value is stored.
The error codes follow DHIS2's E76xx family; messages are close to DHIS2's, not verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from dhis2_standin.jsontypes import JsonObject, JsonValue
from dhis2_standin.periods import parse_period
from dhis2_standin.store import MetadataStore, timestamp

DEFAULT_COMBO = "bjDvmb4bfuf"
"""The UID DHIS2 gives its ``default`` category combo on every server."""
DEFAULT_OPTION_COMBO = "HllvX50cXC0"
"""The UID of DHIS2's ``default`` category option combo."""

Key = tuple[str, str, str, str, str]
"""(data element, period, org unit, category option combo, attribute option combo)"""


@dataclass(slots=True)
class StoredValue:
    value: str | None
    stored_by: str
    created: str
    last_updated: str
    comment: str | None
    follow_up: bool
    deleted: bool = False


_INTEGER = re.compile(r"-?(0|[1-9]\d*)")
_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None


_VALUE_TYPES: dict[str, Callable[[str], bool]] = {
    "INTEGER": lambda v: _INTEGER.fullmatch(v) is not None,
    "INTEGER_POSITIVE": lambda v: _INTEGER.fullmatch(v) is not None and int(v) > 0,
    "INTEGER_NEGATIVE": lambda v: _INTEGER.fullmatch(v) is not None and int(v) < 0,
    "INTEGER_ZERO_OR_POSITIVE": lambda v: _INTEGER.fullmatch(v) is not None and int(v) >= 0,
    "NUMBER": _is_number,
    "PERCENTAGE": lambda v: _is_number(v) and 0 <= float(v) <= 100,
    "UNIT_INTERVAL": lambda v: _is_number(v) and 0 <= float(v) <= 1,
    "BOOLEAN": lambda v: v.lower() in ("true", "false", "1", "0"),
    "TRUE_ONLY": lambda v: v.lower() in ("true", "1"),
    "DATE": lambda v: _DATE.fullmatch(v) is not None,
}


def _ref(value: JsonValue) -> str | None:
    if isinstance(value, dict):
        uid = value.get("id")
        return uid if isinstance(uid, str) else None
    return None


@dataclass(frozen=True, slots=True)
class _ElementRules:
    value_type: str
    category_combo: str
    period_types: frozenset[str]
    org_units: frozenset[str]
    attribute_combos: frozenset[str]


@dataclass(slots=True)
class Rules:
    """What the metadata allows, derived once per metadata generation."""

    elements: dict[str, _ElementRules]
    option_combos: dict[str, str]
    """category option combo → its category combo"""
    org_units: dict[str, str]
    """org unit → its path"""
    data_set_elements: dict[str, frozenset[str]]

    @classmethod
    def build(cls, store: MetadataStore) -> Rules:
        per_element: dict[str, tuple[set[str], set[str], set[str]]] = {}
        data_set_elements: dict[str, frozenset[str]] = {}
        for data_set in store.objects("dataSets"):
            elements: set[str] = set()
            org_units = {
                uid
                for uid in map(_ref, _list(data_set.get("organisationUnits")))
                if uid is not None
            }
            combo = _ref(data_set.get("categoryCombo")) or DEFAULT_COMBO
            for member in _list(data_set.get("dataSetElements")):
                uid = _ref(member.get("dataElement")) if isinstance(member, dict) else None
                if uid is None:
                    continue
                elements.add(uid)
                types, units, combos = per_element.setdefault(uid, (set(), set(), set()))
                types.add(str(data_set.get("periodType", "")))
                units.update(org_units)
                combos.add(combo)
            data_set_elements[str(data_set.get("id"))] = frozenset(elements)
        rules: dict[str, _ElementRules] = {}
        for element in store.objects("dataElements"):
            uid = str(element.get("id"))
            types, units, combos = per_element.get(uid, (set(), set(), set()))
            rules[uid] = _ElementRules(
                value_type=str(element.get("valueType", "TEXT")),
                category_combo=_ref(element.get("categoryCombo")) or DEFAULT_COMBO,
                period_types=frozenset(types),
                org_units=frozenset(units),
                attribute_combos=frozenset(combos),
            )
        option_combos = {
            str(coc.get("id")): _ref(coc.get("categoryCombo")) or ""
            for coc in store.objects("categoryOptionCombos")
        }
        option_combos.setdefault(DEFAULT_OPTION_COMBO, DEFAULT_COMBO)
        org_units = {
            str(ou.get("id")): str(ou.get("path") or f"/{ou.get('id')}")
            for ou in store.objects("organisationUnits")
        }
        return cls(rules, option_combos, org_units, data_set_elements)


def _list(value: JsonValue) -> list[JsonValue]:
    return value if isinstance(value, list) else []


@dataclass(slots=True)
class _Conflicts:
    """Conflicts grouped by (error code, object, message), each with the indexes it covers."""

    groups: dict[tuple[str, str, str], JsonObject] = field(
        default_factory=dict[tuple[str, str, str], JsonObject]
    )
    rejected: list[int] = field(default_factory=list[int])

    def add(self, index: int, code: str, prop: str, obj: str, message: str) -> None:
        key = (code, obj, message)
        conflict = self.groups.get(key)
        if conflict is None:
            conflict = self.groups[key] = {
                "object": obj,
                "objects": {prop: obj},
                "value": message,
                "errorCode": code,
                "property": prop,
                "indexes": [],
            }
        indexes = conflict["indexes"]
        if isinstance(indexes, list):
            indexes.append(index)
        self.rejected.append(index)

    def as_json(self) -> list[JsonValue]:
        return list(self.groups.values())


@dataclass(slots=True)
class ImportCounts:
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0

    def as_json(self) -> JsonObject:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "ignored": self.ignored,
            "deleted": self.deleted,
        }


def _text(value: JsonValue) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


class DataValueStore:
    """Every stored data value, with the rules derived from the metadata store."""

    def __init__(self, metadata: MetadataStore) -> None:
        self.metadata = metadata
        self.values: dict[Key, StoredValue] = {}
        self._rules: Rules | None = None
        self._rules_generation = -1

    def reset(self) -> None:
        self.values.clear()

    def rules(self) -> Rules:
        if self._rules is None or self._rules_generation != self.metadata.generation:
            self._rules = Rules.build(self.metadata)
            self._rules_generation = self.metadata.generation
        return self._rules

    def import_values(
        self,
        values: Iterable[JsonObject],
        *,
        strategy: str = "CREATE_AND_UPDATE",
        dry_run: bool = False,
        user: str = "admin",
    ) -> JsonObject:
        """Check and store ``values``; DHIS2's ImportSummary of what happened."""
        rules = self.rules()
        conflicts = _Conflicts()
        counts = ImportCounts()
        now = timestamp()
        for index, item in enumerate(values):
            de = _text(item.get("dataElement")) or ""
            pe = _text(item.get("period")) or ""
            ou = _text(item.get("orgUnit")) or ""
            coc = _text(item.get("categoryOptionCombo")) or DEFAULT_OPTION_COMBO
            aoc = _text(item.get("attributeOptionCombo")) or DEFAULT_OPTION_COMBO
            value = _text(item.get("value"))
            comment = _text(item.get("comment"))
            element = rules.elements.get(de)
            if element is None:
                conflicts.add(
                    index,
                    "E7610",
                    "dataElement",
                    de,
                    f"Data element not found or not accessible: `{de}`",
                )
                continue
            period = parse_period(pe)
            if period is None:
                conflicts.add(index, "E7611", "period", pe, f"Period not valid: `{pe}`")
                continue
            if ou not in rules.org_units:
                conflicts.add(
                    index,
                    "E7612",
                    "orgUnit",
                    ou,
                    f"Organisation unit not found or not accessible: `{ou}`",
                )
                continue
            if ou not in element.org_units:
                conflicts.add(
                    index,
                    "E7645",
                    "dataElement",
                    de,
                    f"Data element: `{de}` must be assigned through data sets to "
                    f"organisation unit: `{ou}`",
                )
                continue
            if period.period_type not in element.period_types:
                conflicts.add(
                    index,
                    "E7640",
                    "period",
                    pe,
                    f"Period type of period: `{pe}` not valid for data element: `{de}`",
                )
                continue
            combo = rules.option_combos.get(coc)
            if combo is None:
                conflicts.add(
                    index,
                    "E7613",
                    "categoryOptionCombo",
                    coc,
                    f"Category option combo not found or not accessible for writing data: `{coc}`",
                )
                continue
            if combo != element.category_combo:
                conflicts.add(
                    index,
                    "E7633",
                    "categoryOptionCombo",
                    coc,
                    f"Category option combo: `{coc}` must be part of category combo "
                    f"of data element: `{de}`",
                )
                continue
            if rules.option_combos.get(aoc) not in element.attribute_combos:
                conflicts.add(
                    index,
                    "E7634",
                    "attributeOptionCombo",
                    aoc,
                    f"Attribute option combo: `{aoc}` must be part of category combo "
                    f"of data sets of data element: `{de}`",
                )
                continue
            check = _VALUE_TYPES.get(element.value_type)
            if value not in (None, "") and check is not None and not check(value):
                conflicts.add(
                    index,
                    "E7619",
                    "value",
                    value,
                    f"Value must match data element's `{de}` type constraints: "
                    f"{element.value_type}",
                )
                continue
            key: Key = (de, pe, ou, coc, aoc)
            existing = self.values.get(key)
            live = existing is not None and not existing.deleted
            removing = strategy == "DELETE" or (value in (None, "") and not comment)
            if removing:
                if live and existing is not None:
                    counts.deleted += 1
                    if not dry_run:
                        existing.deleted = True
                        existing.last_updated = now
                else:
                    counts.ignored += 1
                continue
            if (strategy == "CREATE" and live) or (strategy == "UPDATE" and not live):
                counts.ignored += 1
                continue
            if live:
                counts.updated += 1
            else:
                counts.imported += 1
            if dry_run:
                continue
            created = existing.created if live and existing is not None else now
            self.values[key] = StoredValue(
                value,
                _text(item.get("storedBy")) or user,
                created,
                now,
                comment,
                item.get("followup") is True,
            )
        counts.ignored += len(conflicts.rejected)
        status = "SUCCESS"
        if conflicts.rejected:
            stored = counts.imported + counts.updated + counts.deleted
            status = "WARNING" if stored else "ERROR"
        return {
            "responseType": "ImportSummary",
            "status": status,
            "importOptions": {
                "idSchemes": {},
                "dryRun": dry_run,
                "async": False,
                "importStrategy": strategy,
            },
            "description": "Import process completed successfully",
            "importCount": counts.as_json(),
            "conflicts": conflicts.as_json(),
            "rejectedIndexes": list(conflicts.rejected),
            "dataSetComplete": "false",
        }

    def export(self, query: ExportQuery) -> Iterator[JsonObject]:
        """Stored values matching ``query``, in storage order, as DHIS2 writes them."""
        rules = self.rules()
        elements: set[str] = set()
        for data_set in query.data_sets:
            elements |= rules.data_set_elements.get(data_set, frozenset())
        roots = query.org_units
        for (de, pe, ou, coc, aoc), stored in self.values.items():
            if de not in elements or (stored.deleted and not query.include_deleted):
                continue
            if ou not in roots and not (
                query.children and any(f"/{root}/" in rules.org_units.get(ou, "") for root in roots)
            ):
                continue
            if not query.period_matches(pe):
                continue
            if query.last_updated and stored.last_updated < query.last_updated:
                continue
            row: JsonObject = {
                "dataElement": de,
                "period": pe,
                "orgUnit": ou,
                "categoryOptionCombo": coc,
                "attributeOptionCombo": aoc,
                "value": stored.value,
                "storedBy": stored.stored_by,
                "created": stored.created,
                "lastUpdated": stored.last_updated,
                "followup": stored.follow_up,
            }
            if stored.comment is not None:
                row["comment"] = stored.comment
            if stored.deleted:
                row["deleted"] = True
            yield row


@dataclass(frozen=True, slots=True)
class ExportQuery:
    """The parameters of ``GET /api/dataValueSets`` the stand-in honours."""

    data_sets: tuple[str, ...]
    org_units: frozenset[str]
    periods: frozenset[str] = frozenset()
    start_date: date | None = None
    end_date: date | None = None
    children: bool = False
    include_deleted: bool = False
    last_updated: str | None = None

    def period_matches(self, iso: str) -> bool:
        if iso in self.periods:
            return True
        if self.start_date is None or self.end_date is None:
            return False
        period = parse_period(iso)
        return period is not None and self.start_date <= period.start <= period.end <= (
            self.end_date
        )
