"""``drift`` says what changed: each changed attribute old -> new, properties told apart."""

from __future__ import annotations

import json
from collections.abc import Callable

from pydantic import JsonValue

from generator.collection_keys import CORRECTIONS_PATH
from generator.drift import describe_drift
from generator.pull import Dump, PulledSnapshot, build_snapshot
from generator.spec import Snapshot, parse_snapshot
from tests.paths import SCHEMAS, SHARED_DHIS2

DATA_ELEMENT = "org.hisp.dhis.dataelement.DataElement"
Edit = Callable[[dict[str, JsonValue]], None]


def _pinned() -> Snapshot:
    path = SCHEMAS / "v42.json"
    return parse_snapshot(path.read_bytes(), source=path.as_posix())


def _pull(edit: Edit | None = None) -> PulledSnapshot:
    """The snapshot a pull of the recorded v42 server makes, after ``edit`` of DataElement."""
    info = json.loads((SHARED_DHIS2 / "v42" / "system-info.json").read_text(encoding="utf-8"))
    body = json.loads((SHARED_DHIS2 / "v42" / "schemas.json").read_text(encoding="utf-8"))
    for schema in body["schemas"]:
        if schema["klass"] == DATA_ELEMENT and edit is not None:
            edit(schema)
    return build_snapshot(Dump(info, body, "recorded:v42"), CORRECTIONS_PATH)


def _props(schema: dict[str, JsonValue]) -> dict[tuple[str, str], dict[str, JsonValue]]:
    listed = schema["properties"]
    assert isinstance(listed, list)
    found: dict[tuple[str, str], dict[str, JsonValue]] = {}
    for prop in listed:
        assert isinstance(prop, dict)
        found[(str(prop["name"]), str(prop["fieldName"]))] = prop
    return found


def test_no_drift_for_the_same_content() -> None:
    assert describe_drift(_pinned(), _pull()) == []


def test_each_changed_attribute_old_to_new() -> None:
    def edit(schema: dict[str, JsonValue]) -> None:
        schema["displayName"] = "Data element"
        props = _props(schema)
        code = props[("code", "code")]
        code.update(propertyType="TEXT", required=True, max=230.0)
        constants = props[("aggregationType", "aggregationType")]["constants"]
        assert isinstance(constants, list)
        constants.remove("DEFAULT")
        constants.append("MEDIAN")
        props[("favorite", "favorite")]["writable"] = True
        props[("favorite", "favorites")].update(
            itemPropertyType="REFERENCE",
            itemKlass="org.hisp.dhis.user.User",
            collectionName="favouriteUsers",
        )
        hologram = {**code, "name": "hologram", "fieldName": "hologram"}
        schema["properties"] = [
            *(p for key, p in props.items() if key != ("zeroIsSignificant", "zeroIsSignificant")),
            hologram,
        ]

    at = f"  ~ {DATA_ELEMENT}:"
    favorites = f"{at} property favorite (fieldName favorites):"
    assert describe_drift(_pinned(), _pull(edit)) == [
        f"{at} displayName Data Element -> Data element",
        f"{at} property aggregationType: constants added: MEDIAN",
        f"{at} property aggregationType: constants removed: DEFAULT",
        f"{at} property code: max 50.0 -> 230.0",
        f"{at} property code: propertyType IDENTIFIER -> TEXT",
        f"{at} property code: required false -> true",
        f"{at} property favorite (fieldName favorite): writable false -> true",
        f"{favorites} collectionName favorites -> favouriteUsers",
        f"{favorites} collectionNameDerived true -> false",
        f"{favorites} itemKlass java.lang.String -> org.hisp.dhis.user.User",
        f"{favorites} itemPropertyType TEXT -> REFERENCE",
        f"  + {DATA_ELEMENT}: property hologram",
        f"  - {DATA_ELEMENT}: property zeroIsSignificant",
    ]


def test_a_removed_property_that_shares_its_name() -> None:
    def edit(schema: dict[str, JsonValue]) -> None:
        props = _props(schema)
        schema["properties"] = [p for k, p in props.items() if k != ("favorite", "favorites")]

    assert describe_drift(_pinned(), _pull(edit)) == [
        f"  - {DATA_ELEMENT}: property favorite (fieldName favorites)"
    ]
