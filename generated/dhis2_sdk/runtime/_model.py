"""Base classes and value types that every generated model module imports.

Stage: runtime (hand-written, shared by every DHIS2 version). Imports pydantic only, never
httpx, so that importing a generated model stays cheap.

* :class:`Dhis2Model` — snake_case attributes, DHIS2's wire keys as aliases (the camelCase of
  the attribute, :func:`wire_key`; generated fields spell out only the aliases that rule does not
  give), unknown keys kept and sent back (a GET -> modify -> PUT round trip drops nothing),
  read-only fields left out of write payloads;
* values read the way DHIS2's JSON parser (Jackson) reads them: a number in a text property
  becomes its text (:data:`Dhis2Text` also takes ``true``/``false``), a fractional number in an
  integer property is truncated (:data:`Dhis2Int`), an integral number in a ``NUMBER`` property
  stays an ``int`` so that ``0`` is sent back as ``0`` (:data:`Dhis2Number`), ``"true"`` is a
  boolean; a value DHIS2 would refuse (an object for a text, ``"abc"`` for a number) is still a
  validation error that names the field;
* :data:`Dhis2DateTime` — DHIS2's time-zone-less timestamps (``2013-04-09T14:59:52.123``) parse
  to ``datetime`` and serialise back in the same form;
* :class:`Dhis2Enum` — a ``StrEnum`` that keeps a constant a newer server sends instead of
  rejecting the whole object;
* :class:`Reference` — ``Reference[CategoryCombo]`` says what a reference points at (for readers
  and type checkers; at run time it is the one ``Reference`` class, so no target is imported);
* :class:`Translation`, :class:`AttributeValue`, :class:`Geometry`,
  :class:`DimensionalObject` — shapes DHIS2 sends that ``/api/schemas`` does not describe.
"""

# No ``from __future__ import annotations`` here: pydantic evaluates the annotations of every
# base class again for each model, and Dhis2Model's would be strings, compiled anew (five
# compile() calls per generated model). The few forward references below are quoted instead.
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Annotated, ClassVar, Generic, cast

from pydantic import BaseModel, ConfigDict, GetPydanticSchema, JsonValue
from pydantic_core import core_schema
from typing_extensions import TypeVar

__all__ = [
    "AttributeValue",
    "Dhis2DateTime",
    "Dhis2Enum",
    "Dhis2Int",
    "Dhis2Model",
    "Dhis2Number",
    "Dhis2Text",
    "DimensionalObject",
    "Geometry",
    "Reference",
    "Translation",
    "wire_key",
]


@cache
def wire_key(python_name: str) -> str:
    """The wire key of an attribute by the alias rule: camelCase (``display_name`` ->
    ``displayName``); a trailing ``_`` (``from_``) is dropped. The generator checks every
    property against this rule and spells out an alias only where it does not hold."""
    head, *rest = python_name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _truncate(value: float) -> int:
    return int(value)


def _boolean_text(value: bool) -> str:
    return "true" if value else "false"


Dhis2Int = Annotated[
    int,
    GetPydanticSchema(
        lambda _source, _handler: core_schema.union_schema(
            [
                core_schema.int_schema(),
                core_schema.no_info_after_validator_function(
                    _truncate, core_schema.float_schema(allow_inf_nan=False)
                ),
            ],
            mode="left_to_right",
        )
    ),
]
"""A DHIS2 ``INTEGER`` property: like Jackson, ``2.5`` is read as ``2`` (and ``"7"`` as 7)."""

Dhis2Number = int | float
"""A DHIS2 ``NUMBER`` property: an integral value stays an ``int`` (``0`` is sent back as
``0``, not ``0.0``), a fractional one is a ``float``."""

Dhis2Text = Annotated[
    str,
    GetPydanticSchema(
        lambda _source, _handler: core_schema.union_schema(
            [
                core_schema.str_schema(coerce_numbers_to_str=True),
                core_schema.no_info_after_validator_function(
                    _boolean_text, core_schema.bool_schema(strict=True)
                ),
            ],
            mode="left_to_right",
        )
    ),
]
"""A free-text value DHIS2 stores as a string whatever JSON scalar it was sent as: ``true`` ->
``"true"``, ``-1`` -> ``"-1"`` (attribute values, indicator expressions)."""


def format_dhis2_datetime(value: datetime) -> str:
    """DHIS2's own timestamp form: milliseconds, no zone unless the value carries one."""
    timespec = "milliseconds" if value.microsecond % 1000 == 0 else "microseconds"
    return value.isoformat(timespec=timespec)


Dhis2DateTime = Annotated[
    datetime,
    # The serializer as a core schema: a PlainSerializer would have pydantic inspect
    # format_dhis2_datetime's signature again for every timestamp field of every model.
    GetPydanticSchema(
        lambda _source, _handler: core_schema.datetime_schema(
            serialization=core_schema.plain_serializer_function_ser_schema(
                format_dhis2_datetime, return_schema=core_schema.str_schema(), when_used="json"
            )
        )
    ),
]
"""A DHIS2 ``DATE`` property: a ``datetime`` in Python, DHIS2's string form on the wire."""


class Dhis2Enum(StrEnum):
    """A DHIS2 constant set. A value this version does not know is kept, not rejected.

    A server newer than the generated version may add constants; such a value becomes a
    pseudo-member (``member.name == member.value``) so that reading and writing back the object
    keeps it. ``type(x).__members__`` still lists exactly the constants of the version.
    """

    @classmethod
    def _missing_(cls, value: object) -> "Dhis2Enum | None":
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
        alias_generator=wire_key,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        # Jackson reads a number sent for a text property as its text (numerator: -1).
        coerce_numbers_to_str=True,
        defer_build=True,
        # The generator already renames fields that would shadow BaseModel's methods; pydantic's
        # own check of every field name against "model_" costs import time and finds nothing.
        protected_namespaces=(),
    )

    dhis2_klass: ClassVar[str] = ""
    """The Java class of the DHIS2 schema this model was generated from."""
    dhis2_plural: ClassVar[str | None] = None
    """The collection key of the schema in ``/api/metadata`` and ``/api/{plural}``."""
    read_only_fields: ClassVar[frozenset[str]] = frozenset()
    """Python names of the properties DHIS2 marks not writable."""
    required_fields: ClassVar[frozenset[str]] = frozenset()
    """Python names of the properties DHIS2 requires on create."""
    unique_fields: ClassVar[frozenset[str]] = frozenset()
    """Python names of the properties DHIS2 keeps unique."""

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


TargetT = TypeVar("TargetT", bound=Dhis2Model, default=Dhis2Model, covariant=True)
"""What a :class:`Reference` points at (a generated model class)."""


class Reference(Dhis2Model, Generic[TargetT]):
    """A reference to another DHIS2 object: ``{"id": "…"}`` plus what ``fields=`` selected.

    Generated fields say what they point at, ``Reference[CategoryCombo]``; a type checker sees
    the target, while at run time every ``Reference[...]`` is this one class, so the target's
    module is never imported. Nested selections (``categoryCombo[id,name,categories[id]]``)
    are kept as extra keys.
    """

    id: str | None = None
    code: str | None = None
    name: str | None = None
    display_name: str | None = None

    if not TYPE_CHECKING:

        def __class_getitem__(cls, target: object) -> "type[Reference]":
            # Reference["CategoryCombo"] is documentation for readers and type checkers.
            return cls


class Translation(Dhis2Model):
    """One translated property value (``{"locale", "property", "value"}``)."""

    locale: str | None = None
    property: str | None = None
    value: str | None = None


class AttributeValue(Dhis2Model):
    """A custom attribute value: ``{"attribute": {"id": …}, "value": "…"}``; DHIS2 stores the
    value as text whatever JSON scalar it was sent as (``true`` -> ``"true"``)."""

    attribute: Reference | None = None
    value: Dhis2Text | None = None


class Geometry(Dhis2Model):
    """A GeoJSON geometry as DHIS2 stores it (``{"type": "Point", "coordinates": [...]}``)."""

    type: str | None = None
    coordinates: JsonValue = None


class DimensionalObject(Dhis2Model):
    """One dimension of an analytical object's ``columns``/``rows``/``filters``: the dimension
    (``dx``, ``pe``, ``ou`` or a UID) and the items chosen in it (``{"id": "dx", "items": [...]}``).
    """

    id: str | None = None
    dimension: str | None = None
    dimension_type: str | None = None
    display_name: str | None = None
    name: str | None = None
    items: list[Reference] | None = None
    filter: str | None = None
    legend_set: Reference | None = None
    program_stage: Reference | None = None
    option_set: Reference | None = None
    repetition: JsonValue = None
