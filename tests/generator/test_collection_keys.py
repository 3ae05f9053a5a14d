"""The wire keys ``generator.collection_keys`` derives, checked against every piece of evidence.

* the 42 complete schema mocks: derived key == their ``collectionName`` (174 properties);
* the complete legacy 2.2x dump, an "unseen" version: the rule alone, ``collectionName`` hidden;
* recorded GET responses of ``/api/{plural}``, ``/api/NN/{plural}``, ``/api/{plural}/{uid}``: every
  key of every returned object is a wire key of that schema, and one level down under collection
  keys against the item's schema. Distinct (schema, collection key) pairs the payloads confirm:
  v41 16, v42 15, v43 21 (``PAYLOAD_COVERAGE``);
* dhis2-core's own metadata import payloads, against the v43 dump.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pytest

from generator.collection_keys import (
    CORRECTIONS_PATH,
    Corrections,
    CorrectionsError,
    DerivedKey,
    derive_wire_key,
    fill_collection_keys,
    load_corrections,
    pluralise,
    rule_wire_key,
)
from tests.paths import SCHEMAS, SHARED_DHIS2, VERSIONS
from tests.recorded import as_object, as_objects, read_json, recorded_metadata_gets, text_of

CORRECTIONS_FILE = SCHEMAS / "collection-key-corrections.json"
MOCKS = SHARED_DHIS2 / "unversioned" / "maintenance-app-beta-schema-mocks"
LEGACY_DUMP = SHARED_DHIS2 / "legacy-2.2x-d2" / "schemas.json"
IMPORT_PAYLOADS = SHARED_DHIS2 / "unversioned" / "dhis2-core-test-payloads"

OU = "org.hisp.dhis.organisationunit.OrganisationUnit"

# Keys the recorded responses carry that are no schema property. None: `access`, `displayName`,
# `href`, `sharing` and `translations` are properties of every schema the responses come from.
NON_SCHEMA_KEYS: frozenset[str] = frozenset()

# dhis2-core's import payloads are hand-assembled (PROVENANCE.md) for a 2.44 snapshot; these keys
# are not properties of the v43 schemas they are checked against.
IMPORT_PAYLOAD_EXTRA_KEYS = {
    # Legend lost `favorite`/`favorites` in 2.43 (both are in the v41 and v42 dumps).
    ("org.hisp.dhis.legend.Legend", "favorite"),
    ("org.hisp.dhis.legend.Legend", "favorites"),
    # Sharing keys from before `sharing` (2.36) and a group link; in none of the v41-v43 dumps.
    ("org.hisp.dhis.program.ProgramTrackedEntityAttribute", "externalAccess"),
    ("org.hisp.dhis.program.ProgramTrackedEntityAttribute", "programTrackedEntityAttributeGroups"),
    ("org.hisp.dhis.program.ProgramTrackedEntityAttribute", "userAccesses"),
    ("org.hisp.dhis.program.ProgramTrackedEntityAttribute", "userGroupAccesses"),
    # In none of the v41-v43 dumps; the payloads come from a 2.44 snapshot.
    ("org.hisp.dhis.trackedentity.TrackedEntityAttribute", "enableChangeLog"),
}

PAYLOAD_COVERAGE = {"v41": 16, "v42": 15, "v43": 21}
KEYS_DERIVED = {"v41": 568, "v42": 452, "v43": 436}
# Derived keys that differ from the Java fieldName (so a generator keyed by fieldName is wrong).
KEYS_RENAMED = {"v41": 33, "v42": 33, "v43": 38}

_read = read_json
_obj = as_object
_objs = as_objects
_text = text_of


@functools.cache
def _dump(version: str) -> tuple[dict[str, object], ...]:
    path = SHARED_DHIS2 / version / "schemas.json"
    return tuple(_objs(_obj(_read(path), path)["schemas"], path))


@functools.cache
def _filled(version: str) -> tuple[tuple[dict[str, object], ...], tuple[DerivedKey, ...]]:
    filled, derived = fill_collection_keys(_dump(version), _corrections())
    return tuple(filled), tuple(derived)


@functools.cache
def _corrections() -> Corrections:
    return load_corrections(CORRECTIONS_FILE)


def _properties(schema: dict[str, object]) -> list[dict[str, object]]:
    return _objs(schema.get("properties", []), schema.get("klass"))


def _mock_collection_properties() -> Iterator[tuple[str, str, dict[str, object]]]:
    """(mock file, schema klass, property) for every collection property of every mock."""
    klass_by_plural = {
        _text(schema, "plural", version): _text(schema, "klass", version)
        for version in VERSIONS
        for schema in _dump(version)
    }
    for path in sorted(MOCKS.glob("*.json")):
        mock = _obj(_read(path), path)
        klass = klass_by_plural[_text(mock, "plural", path)]
        for prop in _obj(mock["properties"], path).values():
            prop = _obj(prop, path)
            if prop.get("collection") is True:
                yield path.name, klass, prop


def test_mock_collection_names_are_reproduced() -> None:
    cases = list(_mock_collection_properties())
    assert len({file for file, _, _ in cases}) == 42
    wrong: list[str] = []
    rule_misses: list[tuple[str, str]] = []
    for file, klass, prop in cases:
        expected = _text(prop, "collectionName", file)
        trimmed = {key: value for key, value in prop.items() if key != "collectionName"}
        derived = derive_wire_key(klass, trimmed, _corrections())
        if derived.wire_key != expected:
            wrong.append(f"{file}: {derived.field_name} -> {derived.wire_key}, not {expected}")
        if derive_wire_key(klass, trimmed, {}).wire_key != expected:
            rule_misses.append((klass, derived.field_name))
    assert wrong == []
    agreement = f"{len(cases) - len(rule_misses)}/{len(cases)}"
    assert (len(cases), rule_misses) == (174, [(OU, "ancestors")]), (
        f"the rule alone agrees with {agreement} mock collectionNames; misses {rule_misses}"
    )


def test_every_correction_is_needed_and_matches_a_property() -> None:
    rule_keys: dict[tuple[str, str], set[str]] = {}
    for version in VERSIONS:
        for schema in _dump(version):
            klass = _text(schema, "klass", version)
            for prop in _properties(schema):
                if prop.get("collection") is True:
                    key = (klass, _text(prop, "fieldName", klass))
                    rule_keys.setdefault(key, set()).add(derive_wire_key(klass, prop, {}).wire_key)
    for key, wire_key in _corrections().items():
        assert key in rule_keys, f"correction {key} matches no collection property of any dump"
        assert wire_key not in rule_keys[key], f"correction {key} only repeats the rule"


def test_rule_reproduces_the_complete_legacy_dump() -> None:
    """DHIS2 ~2.21 is a version the rule was not written from; its dump has collectionName."""
    total = 0
    misses: list[tuple[str, str, str, str]] = []
    for schema in _objs(_obj(_read(LEGACY_DUMP), LEGACY_DUMP)["schemas"], LEGACY_DUMP):
        klass = _text(schema, "klass", LEGACY_DUMP)
        for prop in _properties(schema):
            # One legacy property (userRole.users) has no fieldName at all; nothing to derive from.
            if prop.get("collection") is not True or "fieldName" not in prop:
                continue
            total += 1
            trimmed = {key: value for key, value in prop.items() if key != "collectionName"}
            derived = derive_wire_key(klass, trimmed, {})
            expected = _text(prop, "collectionName", klass)
            if derived.wire_key != expected:
                misses.append((klass, derived.field_name, derived.wire_key, expected))
    # UserCredentials' Java type for roles was UserAuthorityGroup; the XML name was userRole.
    assert (total, misses) == (
        247,
        [
            (
                "org.hisp.dhis.user.UserCredentials",
                "userAuthorityGroups",
                "userAuthorityGroups",
                "userRoles",
            )
        ],
    ), f"the rule alone agrees with {total - len(misses)}/{total} legacy collectionNames"


@dataclass
class _PayloadCheck:
    """Walks recorded objects of one dump's schemas and collects what does not fit."""

    version: str
    schemas: tuple[dict[str, object], ...]
    allowed: frozenset[tuple[str, str]] = frozenset()
    unexpected: list[str] = field(default_factory=list[str])
    confirmed: set[tuple[str, str]] = field(default_factory=set[tuple[str, str]])
    objects: int = 0

    @functools.cached_property
    def by_klass(self) -> dict[str, dict[str, object]]:
        return {_text(schema, "klass", self.version): schema for schema in self.schemas}

    @functools.cached_property
    def by_plural(self) -> dict[str, dict[str, object]]:
        plurals = Counter(_text(schema, "plural", self.version) for schema in self.schemas)
        return {
            _text(schema, "plural", self.version): schema
            for schema in self.schemas
            if plurals[_text(schema, "plural", self.version)] == 1
        }

    @functools.cached_property
    def wire_keys(self) -> dict[str, tuple[set[str], dict[str, str | None]]]:
        """klass -> (names of plain properties, collection key -> itemKlass)."""
        keys: dict[str, tuple[set[str], dict[str, str | None]]] = {}
        for klass, schema in self.by_klass.items():
            plain: set[str] = set()
            collections: dict[str, str | None] = {}
            for prop in _properties(schema):
                if prop.get("collection") is True:
                    item = prop.get("itemKlass")
                    key = _text(prop, "collectionName", klass)
                    collections[key] = item if isinstance(item, str) else None
                else:
                    plain.add(_text(prop, "name", klass))
            keys[klass] = (plain, collections)
        return keys

    def check(
        self, klass: str, obj: dict[str, object], where: str, *, nested: bool = False
    ) -> None:
        self.objects += 1
        plain, collections = self.wire_keys[klass]
        for key, value in obj.items():
            if key in collections:
                self.confirmed.add((klass, key))
                item = collections[key]
                if not nested and item in self.by_klass and isinstance(value, list):
                    for element in cast(list[object], value):
                        if isinstance(element, dict):
                            element = cast(dict[str, object], element)
                            self.check(item, element, f"{where} {key}[]", nested=True)
            elif (
                key not in plain and key not in NON_SCHEMA_KEYS and (klass, key) not in self.allowed
            ):
                self.unexpected.append(f"{where}: {klass} has no property sent as {key!r}")


@pytest.mark.parametrize("version", VERSIONS)
def test_recorded_payloads_use_the_derived_keys(version: str) -> None:
    check = _PayloadCheck(version, _filled(version)[0])
    responses = 0
    for get in recorded_metadata_gets(version):
        body_file, plural, uid = get.body_file, get.plural, get.uid
        schema = check.by_plural.get(plural)
        if schema is None:
            continue  # /api/me, /api/system/info, ...: not a metadata collection
        klass = _text(schema, "klass", version)
        where = f"{version}/{body_file.parent.name}/{body_file.name}"
        body = _obj(_read(body_file), where)
        responses += 1
        if uid is None or isinstance(body.get(plural), list):
            # A list (also /{plural}/{uid}?includeDescendants=true): {"pager": ..., plural: [...]}.
            assert set(body) <= {"pager", plural}, (
                f"{where}: unexpected wrapper keys {sorted(body)}"
            )
            for obj in _objs(body.get(plural, []), where):
                check.check(klass, obj, where)
        else:
            check.check(klass, body, where)
    assert check.unexpected == []
    assert responses > 0
    renamed = sorted(
        f"{klass.rsplit('.', 1)[-1]}.{key}"
        for klass, key in check.confirmed
        if key not in {_text(p, "fieldName", klass) for p in _properties(check.by_klass[klass])}
    )
    assert len(check.confirmed) == PAYLOAD_COVERAGE[version], (
        f"{version}: {responses} responses, {check.objects} objects confirm "
        f"{len(check.confirmed)} (schema, collection key) pairs, renamed ones: {renamed}"
    )


def test_dhis2_core_import_payloads_use_the_derived_keys() -> None:
    check = _PayloadCheck("v43", _filled("v43")[0], frozenset(IMPORT_PAYLOAD_EXTRA_KEYS))
    for path in sorted(IMPORT_PAYLOADS.glob("*.json")):
        for plural, objects in _obj(_read(path), path).items():
            schema = check.by_plural[plural]
            for obj in _objs(objects, path):
                check.check(_text(schema, "klass", path), obj, f"{path.name} {plural}[]")
    assert check.unexpected == []
    # The keys that a fieldName-keyed generator would get wrong, seen on the wire.
    assert {
        ("org.hisp.dhis.dataelement.DataElementGroup", "dataElements"),
        ("org.hisp.dhis.dataset.DataSet", "organisationUnits"),
        ("org.hisp.dhis.indicator.IndicatorGroup", "indicators"),
        ("org.hisp.dhis.program.Program", "programTrackedEntityAttributes"),
        ("org.hisp.dhis.programrule.ProgramRuleAction", "evaluationEnvironments"),
        ("org.hisp.dhis.user.UserGroup", "users"),
        ("org.hisp.dhis.validation.ValidationRuleGroup", "validationRules"),
    } <= check.confirmed


@pytest.mark.parametrize("version", VERSIONS)
def test_fill_gives_every_collection_a_key_of_its_own(version: str) -> None:
    dump = _dump(version)
    before = copy.deepcopy(dump)
    filled, derived = fill_collection_keys(dump, _corrections())
    assert dump == before, "the input schemas were changed"
    assert len(filled) == len(dump)
    assert (len(derived), sum(key.wire_key != key.field_name for key in derived)) == (
        KEYS_DERIVED[version],
        KEYS_RENAMED[version],
    )
    assert {key.source for key in derived} == {"rule", "correction"}
    clashes: list[str] = []
    for original, schema in zip(dump, filled, strict=True):
        klass = _text(schema, "klass", version)
        wire_keys: Counter[str] = Counter()
        for old, prop in zip(_properties(original), _properties(schema), strict=True):
            if prop.get("collection") is True:
                wire_keys[_text(prop, "collectionName", klass)] += 1
                assert {k: v for k, v in prop.items() if k != "collectionName"} == old
            else:
                wire_keys[_text(prop, "name", klass)] += 1
                assert prop == old
        clashes += [f"{klass}.{key}" for key, count in wire_keys.items() if count > 1]
    assert clashes == []


def _collection(name: str, field_name: str, item_klass: str) -> dict[str, object]:
    return {"name": name, "fieldName": field_name, "collection": True, "itemKlass": item_klass}


def test_an_unseen_schema_gets_sensible_keys() -> None:
    farm = "org.example.farm"
    schema: dict[str, object] = {
        "klass": f"{farm}.Barn",
        "name": "barn",
        "plural": "barns",
        "properties": [
            {"name": "id", "fieldName": "uid", "collection": False, "klass": "java.lang.String"},
            # Generic Java fields, renamed on the wire to the plural of the item type.
            _collection("animal", "members", f"{farm}.Animal"),
            _collection("barnGroup", "groups", f"{farm}.BarnGroup"),
            _collection("category", "cats", f"{farm}.Category"),
            _collection("barnAccess", "acl", f"{farm}.BarnAccess"),
            # The item name is a trailing part of the item klass; inner classes by their own name.
            _collection("stall", "stallList", f"{farm}.Barn$Stall"),
            _collection("feed", "feedingPlan", f"{farm}.DailyFeed"),
            _collection("IoTSensor", "sensors", f"{farm}.IoTSensor"),
            # A role label, a plain value list, a role of the own type: the Java field is the key.
            _collection("keeperItem", "keepers", f"{farm}.Person"),
            _collection("tag", "tags", "java.lang.String"),
            _collection("neighbour", "neighbours", f"{farm}.Barn"),
            _collection("legendSets", "legendSets", f"{farm}.LegendSet"),
            # A live pull's collectionName is kept, whatever the rule or a correction says.
            {
                "name": "door",
                "fieldName": "doors",
                "collection": True,
                "collectionName": "entrances",
            },
        ],
    }
    corrections = {(f"{farm}.Barn", "doors"): "portals", (f"{farm}.Barn", "tags"): "labels"}
    filled, derived = fill_collection_keys([schema], corrections)
    assert [(key.field_name, key.wire_key, key.source) for key in derived] == [
        ("members", "animals", "rule"),
        ("groups", "barnGroups", "rule"),
        ("cats", "categories", "rule"),
        ("acl", "barnAccesses", "rule"),
        ("stallList", "stalls", "rule"),
        ("feedingPlan", "feeds", "rule"),
        ("sensors", "IoTSensors", "rule"),
        ("keepers", "keepers", "rule"),
        ("tags", "labels", "correction"),
        ("neighbours", "neighbours", "rule"),
        ("legendSets", "legendSets", "rule"),
        ("doors", "entrances", "collectionName"),
    ]
    assert derived[0] == DerivedKey(f"{farm}.Barn", "members", "animal", "animals", "rule")
    props = _properties(filled[0])
    assert "collectionName" not in props[0]
    assert [prop.get("collectionName") for prop in props[1:]] == [key.wire_key for key in derived]
    assert "collectionName" not in _properties(schema)[1], "the input was changed"


@pytest.mark.parametrize(
    ("word", "plural"),
    [
        ("category", "categories"),
        ("analyticsPeriodBoundary", "analyticsPeriodBoundaries"),
        ("userGroupAccess", "userGroupAccesses"),
        ("child", "children"),
        ("favoriteChild", "favoriteChildren"),
        ("dashboardItem", "dashboardItems"),
        ("programIndicatorGroups", "programIndicatorGroups"),
        ("day", "days"),
        ("box", "boxes"),
    ],
)
def test_pluralise(word: str, plural: str) -> None:
    assert pluralise(word) == plural


def test_rule_without_item_klass_keeps_the_field_name() -> None:
    assert rule_wire_key("sources", "organisationUnit", None) == "sources"


@pytest.mark.parametrize(
    ("prop", "message"),
    [
        (
            {"fieldName": "members", "collection": True},
            "collection property 'members' lacks 'name'",
        ),
        ({"name": "animal", "collection": True}, "collection property 'animal' lacks 'fieldName'"),
        ({"name": "code", "fieldName": "code"}, "property 'code' is not a collection property"),
    ],
)
def test_a_property_that_cannot_be_derived_is_an_error(
    prop: dict[str, object], message: str
) -> None:
    expected = f"schema 'org.example.Barn': {message}"
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        derive_wire_key("org.example.Barn", prop, {})


def _entry(klass: str = "a.B", field_name: str = "members", wire_key: str = "cs") -> dict[str, str]:
    return {
        "schemaKlass": klass,
        "fieldName": field_name,
        "wireKey": wire_key,
        "why": "evidence.json",
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[", "{path}: not valid JSON: Expecting value: line 1 column 2 (char 1)"),
        (
            "[" * 100_000 + "]" * 100_000,
            "{path}: JSON nested too deep to parse; this is not a list of corrections",
        ),
        ('{"a.B": "cs"}', "{path}: expected a JSON list of corrections, got an object"),
        (
            "[3]",
            "{path}: entry 0: expected an object with keys schemaKlass, fieldName, wireKey, why, "
            "got a number",
        ),
        (
            json.dumps([{"schemaKlass": "a.B", "fieldName": "members", "wirekey": "cs"}]),
            "{path}: entry 0: missing wireKey, why; unknown wirekey",
        ),
        (
            json.dumps([_entry(), _entry(wire_key=" ")]),
            "{path}: entry 1: 'wireKey' must be a non-empty string",
        ),
        (json.dumps([_entry(), _entry()]), "{path}: entry 1 (a.B members): duplicate of entry 0"),
        (
            json.dumps([_entry(klass="a.C"), _entry()]),
            "{path}: entry 1 (a.B members): entries must be sorted by schemaKlass, then fieldName",
        ),
    ],
)
def test_a_bad_corrections_file_is_reported(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "collection-key-corrections.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorrectionsError) as raised:
        load_corrections(path)
    assert str(raised.value) == message.format(path=path)


def test_a_missing_corrections_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    with pytest.raises(CorrectionsError) as raised:
        load_corrections(path)
    assert (
        str(raised.value) == f"{path}: cannot read the corrections file: No such file or directory"
    )


def test_corrections_load_as_a_read_only_mapping(tmp_path: Path) -> None:
    path = tmp_path / "ok.json"
    path.write_text(json.dumps([_entry(), _entry(klass="a.C")]), encoding="utf-8")
    assert dict(load_corrections(path)) == {("a.B", "members"): "cs", ("a.C", "members"): "cs"}
    assert dict(_corrections()) == {
        (OU, "ancestors"): "ancestors",
        ("org.hisp.dhis.visualization.Visualization", "optionalAxes"): "optionalAxes",
    }
    assert CORRECTIONS_PATH == CORRECTIONS_FILE
