"""The Python type of one DHIS2 property: a :class:`~generator.ir.TypeRef`, and its spelling.

Stage: helper of ``normalise`` (which makes every other decision). The DHIS2 ``propertyType``
→ Python:

* ``TEXT``/``IDENTIFIER``/``URL``/``EMAIL``/``COLOR``/``PASSWORD``/``PHONENUMBER`` → ``str``
  (``Dhis2Int`` where the Java class is a ``Long``/``Integer``); a number sent for a text is
  read as its text, as DHIS2 does (the base model's ``coerce_numbers_to_str``);
* ``BOOLEAN`` → ``bool``; ``INTEGER`` → ``Dhis2Int`` (``2.5`` truncates, as in Jackson);
  ``NUMBER`` → ``Dhis2Number`` (``int | float``: ``0`` stays ``0``); ``DATE`` → ``Dhis2DateTime``;
* ``CONSTANT`` → the ``StrEnum`` of its Java enum class;
* ``REFERENCE`` → the target's model when DHIS2 writes the object inline, owned by its parent
  (:mod:`generator.embedding`); else ``Reference["Target"]`` (a reference that says what it
  points at), ``DimensionalObject`` for analytical dimensions, plain ``Reference`` when the
  target has no schema;
* ``COMPLEX`` → the model of its class when the dump has a schema for it (an embedded object),
  else a known runtime type (``Translation``, ``AttributeValue``, ``Geometry``), else JSON;
* ``COLLECTION`` → ``list[...]`` of the item type by the same rules.

A ``propertyType`` DHIS2 does not have is an error (:mod:`generator.property_types`), not JSON.
"""

from __future__ import annotations

from collections.abc import Mapping

from generator.embedding import EmbeddingCorrections, is_owned_child
from generator.ir import TypeRef
from generator.spec import RawProperty, RawSchema

STRING_TYPES = frozenset(
    {"TEXT", "IDENTIFIER", "URL", "EMAIL", "COLOR", "PASSWORD", "PHONENUMBER", "GEOLOCATION"}
)
_SCALARS: Mapping[str, TypeRef] = {
    "BOOLEAN": TypeRef("bool"),
    "INTEGER": TypeRef("int"),
    "NUMBER": TypeRef("float"),
    "DATE": TypeRef("datetime"),
}
_INTEGER_KLASSES = frozenset({"java.lang.Long", "java.lang.Integer", "long", "int"})
JSON = TypeRef("json")
_JSON_OBJECT = TypeRef("json_object")
# Java classes DHIS2 serialises in a known shape but /api/schemas does not describe.
_KNOWN_COMPLEX: Mapping[str, TypeRef] = {
    "org.hisp.dhis.translation.Translation": TypeRef("runtime_model", "Translation"),
    "org.hisp.dhis.attribute.AttributeValue": TypeRef("runtime_model", "AttributeValue"),
    "org.hisp.dhis.attribute.AttributeValues": TypeRef(
        "list", item=TypeRef("runtime_model", "AttributeValue")
    ),
    "org.locationtech.jts.geom.Geometry": TypeRef("runtime_model", "Geometry"),
    "org.hisp.dhis.period.PeriodType": TypeRef("str"),
    "java.util.Map": _JSON_OBJECT,
}
_KNOWN_REFERENCES: Mapping[str, TypeRef] = {
    "org.hisp.dhis.common.DimensionalObject": TypeRef("runtime_model", "DimensionalObject"),
}
_NON_OBJECT_REFERENCES = frozenset({"java.util.List", "java.util.Map", "java.lang.Object"})
_PLAIN_REFERENCE = TypeRef("runtime_model", "Reference")


def is_list(prop: RawProperty) -> bool:
    """A list-valued property: ``COLLECTION``, or (CategoryDimension.items and the like) a
    ``REFERENCE`` that DHIS2 flags ``collection: true`` with the item in itemKlass."""
    return prop.property_type == "COLLECTION" or prop.collection


class Typer:
    """Maps one DHIS2 property to a :class:`TypeRef` and spells it as Python."""

    def __init__(
        self,
        schemas: Mapping[str, RawSchema],
        class_names: Mapping[str, str],
        enum_names: Mapping[str, str],
        corrections: EmbeddingCorrections,
    ) -> None:
        self._schemas = schemas
        self._class_names = class_names
        self._enum_names = enum_names
        self._corrections = corrections

    def property_type(self, schema: RawSchema, prop: RawProperty, wire_name: str) -> TypeRef:
        """The type of ``prop`` of ``schema`` (``wire_name`` keys the corrections)."""
        if is_list(prop):
            if prop.klass == "java.util.Map":
                return _JSON_OBJECT
            item_type = prop.item_property_type
            if item_type is None or item_type == "COLLECTION":
                return TypeRef("list", item=JSON)
            item = self._single(schema, prop, wire_name, item_type, prop.item_klass)
            return TypeRef("list", item=item)
        return self._single(schema, prop, wire_name, prop.property_type, prop.klass)

    def _single(
        self,
        schema: RawSchema,
        prop: RawProperty,
        wire_name: str,
        property_type: str,
        klass: str | None,
    ) -> TypeRef:
        if property_type in STRING_TYPES:
            return TypeRef("int") if klass in _INTEGER_KLASSES else TypeRef("str")
        if property_type in _SCALARS:
            return _SCALARS[property_type]
        if property_type == "CONSTANT":
            enum = self._enum_names.get(klass or "")
            return TypeRef("enum", enum) if enum else TypeRef("str")
        if property_type == "REFERENCE":
            return self._reference(schema, prop, wire_name, klass or "")
        if property_type == "COMPLEX":
            model = self._class_names.get(klass or "")
            if model is not None:
                return TypeRef("model", model)
            return _KNOWN_COMPLEX.get(klass or "", JSON)
        raise AssertionError(property_type)  # property_types.check_property_types ran first

    def _reference(
        self, schema: RawSchema, prop: RawProperty, wire_name: str, klass: str
    ) -> TypeRef:
        if klass in _NON_OBJECT_REFERENCES:
            return JSON
        target = self._schemas.get(klass)
        model = self._class_names.get(klass)
        if model is not None and is_owned_child(schema, prop, wire_name, target, self._corrections):
            return TypeRef("model", model)
        if model is not None:
            return TypeRef("reference", model)
        return _KNOWN_REFERENCES.get(klass, _PLAIN_REFERENCE)

    @staticmethod
    def spell(type_ref: TypeRef) -> str:
        """The annotation of a type (``list[Reference["CategoryCombo"]]``)."""
        match type_ref.kind:
            case "str" | "bool":
                return type_ref.kind
            case "int":
                return "Dhis2Int"
            case "float":
                return "Dhis2Number"
            case "datetime":
                return "Dhis2DateTime"
            case "json":
                return "JsonValue"
            case "json_object":
                return "dict[str, JsonValue]"
            case "list":
                assert type_ref.item is not None
                return f"list[{Typer.spell(type_ref.item)}]"
            case "reference":
                assert type_ref.name is not None
                return f"Reference[{type_ref.name!r}]".replace("'", '"')
            case "enum" | "model" | "runtime_model":
                assert type_ref.name is not None
                return type_ref.name
