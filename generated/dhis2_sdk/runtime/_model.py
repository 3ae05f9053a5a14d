"""Base classes and value types that every generated model module imports.

Stage: runtime (hand-written, shared by every DHIS2 version). Imports pydantic only, never
httpx, so that importing a generated model stays cheap.

* :class:`Dhis2Model` — snake_case attributes, DHIS2's wire keys as aliases, unknown keys kept
  and sent back (a GET -> modify -> PUT round trip drops nothing), read-only fields left out of
  write payloads;
* :data:`Dhis2DateTime` — DHIS2's time-zone-less timestamps (``2013-04-09T14:59:52.123``) parse
  to ``datetime`` and serialise back in the same form;
* :class:`Dhis2Enum` — a ``StrEnum`` that keeps a constant a newer server sends instead of
  rejecting the whole object;
* :class:`Reference`, :class:`Translation`, :class:`AttributeValue`, :class:`Geometry` — shapes
  DHIS2 sends that ``/api/schemas`` does not describe.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar, cast

from pydantic import BaseModel, ConfigDict, Field, JsonValue, PlainSerializer

__all__ = [
    "AttributeValue",
    "Dhis2DateTime",
    "Dhis2Enum",
    "Dhis2Model",
    "Geometry",
    "Reference",
    "Translation",
]


def format_dhis2_datetime(value: datetime) -> str:
    """DHIS2's own timestamp form: milliseconds, no zone unless the value carries one."""
    timespec = "milliseconds" if value.microsecond % 1000 == 0 else "microseconds"
    return value.isoformat(timespec=timespec)


Dhis2DateTime = Annotated[
    datetime, PlainSerializer(format_dhis2_datetime, return_type=str, when_used="json")
]
"""A DHIS2 ``DATE`` property: a ``datetime`` in Python, DHIS2's string form on the wire."""


class Dhis2Enum(StrEnum):
    """A DHIS2 constant set. A value this version does not know is kept, not rejected.

    A server newer than the generated version may add constants; such a value becomes a
    pseudo-member (``member.name == member.value``) so that reading and writing back the object
    keeps it. ``type(x).__members__`` still lists exactly the constants of the version.
    """

    @classmethod
    def _missing_(cls, value: object) -> Dhis2Enum | None:
        if not isinstance(value, str):
            return None
        pseudo = str.__new__(cls, value)
        pseudo._name_ = value
        pseudo._value_ = value
        # Cached like Flag's pseudo-members: the same unknown value gives the same object.
        cls._value2member_map_.setdefault(value, pseudo)
        return cast("Dhis2Enum", cls._value2member_map_[value])


class Dhis2Model(BaseModel):
    """Base of every generated DHIS2 model.

    Construct with snake_case names (``DataElement(value_type=ValueType.TEXT)``), validate wire
    JSON with ``model_validate``/``model_validate_json``, and send with :meth:`to_wire` or
    :meth:`to_write_payload`.
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        defer_build=True,
    )

    dhis2_klass: ClassVar[str] = ""
    """The Java class of the DHIS2 schema this model was generated from."""
    dhis2_plural: ClassVar[str | None] = None
    """The collection key of the schema in ``/api/metadata`` and ``/api/{plural}``."""
    read_only_fields: ClassVar[frozenset[str]] = frozenset()
    """Python names of the properties DHIS2 marks not writable."""

    def to_wire(self) -> dict[str, JsonValue]:
        """The object as DHIS2 JSON: wire keys, DHIS2 timestamps, unknown keys kept, unset
        fields left out (so a validated payload dumps back to the same keys and values)."""
        return cast(
            "dict[str, JsonValue]", self.model_dump(mode="json", by_alias=True, exclude_unset=True)
        )

    def to_write_payload(self) -> dict[str, JsonValue]:
        """Like :meth:`to_wire`, without the read-only properties: a body for POST/PUT."""
        return cast(
            "dict[str, JsonValue]",
            self.model_dump(
                mode="json",
                by_alias=True,
                exclude_unset=True,
                exclude=set(self.read_only_fields),
            ),
        )


class Reference(Dhis2Model):
    """A reference to another DHIS2 object: ``{"id": "…"}`` plus what ``fields=`` selected.

    Nested selections (``categoryCombo[id,name,categories[id]]``) are kept as extra keys.
    """

    id: str | None = None
    code: str | None = None
    name: str | None = None
    display_name: str | None = Field(
        default=None, validation_alias="displayName", serialization_alias="displayName"
    )


class Translation(Dhis2Model):
    """One translated property value (``{"locale", "property", "value"}``)."""

    locale: str | None = None
    property: str | None = None
    value: str | None = None


class AttributeValue(Dhis2Model):
    """A custom attribute value: ``{"attribute": {"id": …}, "value": "…"}``."""

    attribute: Reference | None = None
    value: str | None = None


class Geometry(Dhis2Model):
    """A GeoJSON geometry as DHIS2 stores it (``{"type": "Point", "coordinates": [...]}``)."""

    type: str | None = None
    coordinates: JsonValue = None
