"""``DataValue``: one aggregate value of ``/api/dataValueSets``, and the checks made before sending.

Stage: runtime (hand-written). Not in ``/api/schemas``: typed by hand from DHIS2's data value
set format (``{"dataValues": [{"dataElement", "period", "orgUnit", "categoryOptionCombo",
"attributeOptionCombo", "value", "storedBy", "created", "lastUpdated", "comment", "followup",
"deleted"}]}``). Values are strings on the wire whatever the value type; a number given in
Python is sent as its text. ``ValueChecker`` rejects what the SDK can judge alone (a missing
key, a UID that is not a UID, a malformed period) before a request leaves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final, cast

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, TypeAdapter
from pydantic.alias_generators import to_camel

from ._errors import Dhis2ClientError
from ._model import Dhis2DateTime
from ._periods import PERIOD_FORMATS_HINT, is_valid_period
from ._uids import is_valid_uid

__all__ = ["DataValue", "DataValueError"]


def _as_text(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


class DataValue(BaseModel):
    """One aggregate data value; snake_case in Python, DHIS2's keys on the wire."""

    model_config: ClassVar[ConfigDict] = ConfigDict(
        frozen=True,
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        coerce_numbers_to_str=True,
        alias_generator=to_camel,
    )

    data_element: str
    period: str
    org_unit: str
    category_option_combo: str | None = None
    attribute_option_combo: str | None = None
    value: str | None = None
    """The value as text, whatever the value type (a number given here is stored as text)."""
    stored_by: str | None = None
    created: Dhis2DateTime | None = None
    """When DHIS2 stored the value; sent back in DHIS2's form (``2024-01-05T10:11:12.000``)."""
    last_updated: Dhis2DateTime | None = None
    comment: str | None = None
    follow_up: bool | None = Field(
        default=None,
        validation_alias=AliasChoices("followup", "follow_up"),
        serialization_alias="followup",
    )
    """DHIS2's ``followup`` flag (one word on the wire)."""
    deleted: bool | None = None

    def to_wire(self) -> dict[str, Any]:
        """The value as DHIS2 reads it (camelCase keys, unset fields left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


DATA_VALUES: Final = TypeAdapter(list[DataValue])
"""Validates a batch of wire dicts in one call (faster than one ``model_validate`` each)."""

WIRE_KEYS: Final[Mapping[str, str]] = {
    name: field.serialization_alias or field.alias or name
    for name, field in DataValue.model_fields.items()
}
"""Python name → wire key (``org_unit`` → ``orgUnit``); a dict may use either."""

_UID_KEYS = ("dataElement", "orgUnit", "categoryOptionCombo", "attributeOptionCombo")
_REQUIRED = ("dataElement", "period", "orgUnit")


class DataValueError(Dhis2ClientError, ValueError):
    """A data value the SDK refused before sending it (``.index`` is its position)."""

    def __init__(self, message: str, *, index: int) -> None:
        super().__init__(message)
        self.index = index


_WIRE_NAMES = frozenset(WIRE_KEYS.values())
_KNOWN_LIMIT = 100_000


class ValueChecker:
    """Turns the values of one import into checked wire dicts.

    Identifiers and periods repeat across an import, so each distinct one is checked once (up
    to ``_KNOWN_LIMIT`` of them); a dict already in wire form with a text value is sent as it is.
    ``uids`` says the identifiers are UIDs (``id_scheme`` UID, the default) and checks them.
    """

    def __init__(self, *, uids: bool) -> None:
        self._uids = uids
        self._good_periods: set[object] = set()
        self._good_uids: set[object] = set()

    def wire(self, item: object, index: int) -> dict[str, object]:
        """``item`` (a ``DataValue`` or a dict with wire or Python keys) as a checked wire dict;
        ``DataValueError`` naming its position and what to fix when the SDK can tell it is
        wrong."""
        wire: dict[str, object]
        if isinstance(item, DataValue):
            wire = item.to_wire()
        elif isinstance(item, dict):
            given = cast(dict[str, object], item)
            value = given.get("value")
            if given.keys() <= _WIRE_NAMES and (value is None or type(value) is str):
                wire = given
            else:
                wire = {
                    WIRE_KEYS.get(key, key): _as_text(value) if key == "value" else value
                    for key, value in given.items()
                }
        elif isinstance(item, Mapping):
            return self.wire(dict(cast(Mapping[str, object], item)), index)
        else:
            raise DataValueError(
                f"Data value {index} is a {type(item).__name__}; pass DataValue objects or dicts "
                "with DHIS2's keys (dataElement, period, orgUnit, value…).",
                index=index,
            )
        self.check(wire, index)
        return wire

    def check(self, wire: Mapping[str, object], index: int) -> None:
        """Raise ``DataValueError`` for what the SDK can tell is wrong with one wire dict."""
        period = wire.get("period")
        if period not in self._good_periods:
            _check_required(wire, index)
            _check_period(period, index)
            self._remember(self._good_periods, period)
        for key in _REQUIRED:
            if not wire.get(key):
                _check_required(wire, index)
        if self._uids:
            good = self._good_uids
            for key in _UID_KEYS:
                ref = wire.get(key)
                if ref and ref not in good:
                    _check_uid(key, ref, index)
                    self._remember(good, ref)

    @staticmethod
    def _remember(known: set[object], item: object) -> None:
        if len(known) >= _KNOWN_LIMIT:
            known.clear()
        known.add(item)


def _check_required(wire: Mapping[str, object], index: int) -> None:
    missing = [key for key in _REQUIRED if not wire.get(key)]
    if missing:
        raise DataValueError(
            f"Data value {index} has no {', '.join(missing)}: every data value needs "
            f"dataElement, period and orgUnit ({dict(wire)!r}).",
            index=index,
        )


def _check_period(period: object, index: int) -> None:
    if not is_valid_period(period):
        raise DataValueError(
            f"Data value {index} has period {period!r}, which is no DHIS2 period. "
            f"{PERIOD_FORMATS_HINT}.",
            index=index,
        )


def _check_uid(key: str, ref: object, index: int) -> None:
    if not is_valid_uid(ref):
        raise DataValueError(
            f"Data value {index} has {key} {ref!r}, which is not a DHIS2 UID (11 "
            "letters and digits, the first a letter). Pass id_scheme='CODE' (or "
            "'NAME') if you identify objects another way.",
            index=index,
        )


def wire_value(item: object, index: int, *, uids: bool) -> dict[str, object]:
    """One value as a checked wire dict (``ValueChecker.wire`` for a single value)."""
    return ValueChecker(uids=uids).wire(item, index)
