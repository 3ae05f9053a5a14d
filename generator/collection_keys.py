"""Helper of stage ``pull``: give every collection property the JSON key DHIS2 sends it under.

DHIS2 serialises a collection property under its ``collectionName``; ``name`` is the XML item name
and ``fieldName`` the Java field. A live ``GET /api/schemas`` carries ``collectionName``, but the
recorded dumps we generate from are trimmed and lack it, so it is derived here:

    A collection is sent under the plural of its ``name`` when that name names the item type
    (``name`` is the simple name of ``itemKlass`` or a trailing camel-case part of it, compared
    without case, singular or plural); otherwise it is sent under its ``fieldName``.

Why this works: DHIS2 gives collections a generic Java field (``members``, ``groups``,
``sources``, ``items``, ``levels``, ``optionCombos``, ``programAttributes``) and renames them on
the wire with ``@JsonProperty`` to the plural of the item type, which is also their XML item
name (``indicatorGroup.members`` -> ``indicators``, ``dataSet.sources`` -> ``organisationUnits``,
``programRuleAction.programRuleActionEvaluationEnvironments`` -> ``evaluationEnvironments``).
Where ``name`` is a role label instead (``userItem``, ``sortingItem``, ``likeByUser``, ``child``)
the Java field is the key (``users``, ``sorting``, ``likedBy``, ``children``). Collections the
evidence shows the rule gets wrong are listed, each with that evidence, in
``schemas/collection-key-corrections.json``; nothing here knows any particular schema.
``tests/generator/test_collection_keys.py`` checks the rule against the complete schema mocks,
the complete legacy 2.2x dump and the recorded payloads. Not covered by that evidence and wrong
by dhis2-core's source: ``visualization.optionalAxes`` (the rule says ``axis``).

Hands on: :func:`fill_collection_keys` returns the raw schema dicts with ``collectionName`` filled
in (``pull`` writes them to ``schemas/``; ``spec`` reads them) and a :class:`DerivedKey` for every
collection property, saying where its key came from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal, cast

from generator.errors import SnapshotError
from generator.spec import json_kind, too_deep

KeySource = Literal["collectionName", "rule", "correction"]
Corrections = Mapping[tuple[str, str], str]
"""``(schema klass, fieldName) -> wire key``, as :func:`load_corrections` returns it."""

CORRECTIONS_PATH = (
    Path(__file__).resolve().parents[1] / "schemas" / "collection-key-corrections.json"
)
_CORRECTION_KEYS = ("schemaKlass", "fieldName", "wireKey", "why")

# Acronyms stay one word ("SMSCode" -> "SMS", "Code"); digits stick to the word before them.
_CAMEL_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z][a-z0-9]*|[0-9]+")
_IRREGULAR_PLURALS = MappingProxyType({"child": "children", "person": "people"})


@dataclass(frozen=True, slots=True)
class DerivedKey:
    """The wire key of one collection property and where it came from."""

    schema_klass: str
    field_name: str
    name: str
    wire_key: str
    source: KeySource


class CorrectionsError(SnapshotError, ValueError):
    """The corrections file is unreadable or malformed; the message names the file and entry."""


def load_corrections(path: Path) -> Corrections:
    """Read the reviewed corrections: a sorted list of ``{schemaKlass, fieldName, wireKey, why}``.

    Raises :class:`CorrectionsError` naming the file and the entry at fault.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise CorrectionsError(f"{path}: cannot read the corrections file: {err.strerror}") from err
    try:
        raw: object = json.loads(text)
    except json.JSONDecodeError as err:
        raise CorrectionsError(f"{path}: not valid JSON: {err}") from err
    except RecursionError:
        raise CorrectionsError(too_deep(str(path), "a list of corrections")) from None
    entries = _as_list(raw)
    if entries is None:
        raise CorrectionsError(f"{path}: expected a JSON list of corrections, got {json_kind(raw)}")
    corrections: dict[tuple[str, str], str] = {}
    seen: dict[tuple[str, str], int] = {}
    previous: tuple[str, str] | None = None
    for index, item in enumerate(entries):
        schema_klass, field_name, wire_key = _parse_correction(path, index, item)
        key = (schema_klass, field_name)
        where = f"{path}: entry {index} ({schema_klass} {field_name})"
        if key in seen:
            raise CorrectionsError(f"{where}: duplicate of entry {seen[key]}")
        if previous is not None and key < previous:
            raise CorrectionsError(
                f"{where}: entries must be sorted by schemaKlass, then fieldName"
            )
        seen[key] = index
        previous = key
        corrections[key] = wire_key
    return MappingProxyType(corrections)


def derive_wire_key(
    schema_klass: str, prop: Mapping[str, object], corrections: Corrections
) -> DerivedKey:
    """The JSON key of one collection property of the schema whose ``klass`` is ``schema_klass``.

    A non-empty ``collectionName`` (a live pull has one) is kept as it is; otherwise a
    correction for ``(schema_klass, fieldName)`` wins over the rule in the module docstring.
    """
    name = _required_text(schema_klass, prop, "name")
    field_name = _required_text(schema_klass, prop, "fieldName")
    if prop.get("collection") is not True:
        raise ValueError(
            f"schema {schema_klass!r}: property {field_name!r} is not a collection property"
        )
    existing = prop.get("collectionName")
    if isinstance(existing, str) and existing:
        return DerivedKey(schema_klass, field_name, name, existing, "collectionName")
    corrected = corrections.get((schema_klass, field_name))
    if corrected is not None:
        return DerivedKey(schema_klass, field_name, name, corrected, "correction")
    item_klass = prop.get("itemKlass")
    wire_key = rule_wire_key(field_name, name, item_klass if isinstance(item_klass, str) else None)
    return DerivedKey(schema_klass, field_name, name, wire_key, "rule")


def fill_collection_keys(
    schemas: Sequence[Mapping[str, object]], corrections: Corrections
) -> tuple[list[dict[str, object]], list[DerivedKey]]:
    """Copies of ``schemas`` whose collection properties all carry ``collectionName``.

    Each element has the shape of one entry of ``/api/schemas``' ``"schemas"`` list. Also returns
    a :class:`DerivedKey` for every collection property, in input order, for ``pull``'s report.
    """
    filled: list[dict[str, object]] = []
    derived: list[DerivedKey] = []
    for index, schema in enumerate(schemas):
        copied = _copy_schema(schema)
        klass = copied.get("klass")
        if not isinstance(klass, str) or not klass:
            raise ValueError(f"schema #{index} lacks a 'klass'")
        properties = _as_list(copied.get("properties", []))
        if properties is None:
            raise ValueError(f"schema {klass!r}: 'properties' is not a list")
        for prop_index, item in enumerate(properties):
            prop = _as_dict(item)
            if prop is None:
                raise ValueError(f"schema {klass!r}: property #{prop_index} is not an object")
            if prop.get("collection") is True:
                key = derive_wire_key(klass, prop, corrections)
                prop["collectionName"] = key.wire_key
                derived.append(key)
        filled.append(copied)
    return filled, derived


def _copy_schema(schema: Mapping[str, object]) -> dict[str, object]:
    """A copy of one schema that shares nothing this module changes: the schema dict, its
    ``properties`` list and the property dicts in it (the values inside are only read, so a
    value nested too deep for a recursive copy does no harm)."""
    copied = dict(schema)
    properties = _as_list(copied.get("properties"))
    if properties is not None:
        copied["properties"] = [
            dict(prop) if (prop := _as_dict(item)) is not None else item for item in properties
        ]
    return copied


def rule_wire_key(field_name: str, name: str, item_klass: str | None) -> str:
    """The rule alone (no ``collectionName``, no corrections); see the module docstring."""
    if item_klass is not None and names_item_type(name, item_klass):
        return pluralise(name)
    return field_name


def names_item_type(name: str, item_klass: str) -> bool:
    """Whether ``name`` is ``item_klass``'s simple name, or a trailing part of it, or a plural."""
    simple = re.split(r"[.$]", item_klass)[-1]
    words = _CAMEL_WORD.findall(simple)
    wanted = name.lower()
    for start in range(len(words)):
        tail = "".join(words[start:])
        if wanted in (tail.lower(), pluralise(tail).lower()):
            return True
    return False


def pluralise(word: str) -> str:
    """English plural of a camel-case name, changing only its last word; plurals stay as they are.

    ``category`` -> ``categories``, ``userGroupAccess`` -> ``userGroupAccesses``,
    ``child`` -> ``children``, ``legendSets`` -> ``legendSets``.
    """
    words = _CAMEL_WORD.findall(word)
    last = words[-1] if words else word
    irregular = _IRREGULAR_PLURALS.get(last.lower())
    if irregular is not None:
        replacement = irregular.capitalize() if last[:1].isupper() else irregular
        return word[: len(word) - len(last)] + replacement
    if re.search(r"(ss|sh|ch|x|z)$", word):
        return word + "es"
    if word.endswith("s"):
        return word
    if re.search(r"[^aeiouAEIOU]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def _parse_correction(path: Path, index: int, item: object) -> tuple[str, str, str]:
    entry = _as_dict(item)
    if entry is None:
        raise CorrectionsError(
            f"{path}: entry {index}: expected an object with keys "
            f"{', '.join(_CORRECTION_KEYS)}, got {json_kind(item)}"
        )
    missing = [key for key in _CORRECTION_KEYS if key not in entry]
    unknown = sorted(key for key in entry if key not in _CORRECTION_KEYS)
    if missing or unknown:
        problems = [f"missing {', '.join(missing)}"] if missing else []
        problems += [f"unknown {', '.join(unknown)}"] if unknown else []
        raise CorrectionsError(f"{path}: entry {index}: {'; '.join(problems)}")
    values: list[str] = []
    for key in _CORRECTION_KEYS:
        value = entry[key]
        if not isinstance(value, str) or not value.strip():
            raise CorrectionsError(f"{path}: entry {index}: {key!r} must be a non-empty string")
        values.append(value)
    return values[0], values[1], values[2]


def _required_text(schema_klass: str, prop: Mapping[str, object], key: str) -> str:
    value = prop.get(key)
    if isinstance(value, str) and value:
        return value
    label = prop.get("fieldName") or prop.get("name") or "<unnamed>"
    raise ValueError(f"schema {schema_klass!r}: collection property {label!r} lacks {key!r}")


def _as_dict(value: object) -> dict[str, object] | None:
    # json.loads only makes str keys, so a dict here is a dict[str, object].
    return cast(dict[str, object], value) if isinstance(value, dict) else None


def _as_list(value: object) -> list[object] | None:
    return cast(list[object], value) if isinstance(value, list) else None
