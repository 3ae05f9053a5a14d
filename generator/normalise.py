"""Stage ``normalise``: a parsed :class:`~generator.spec.Snapshot` -> a :class:`VersionIR`.

Every decision lives here: class, module, field and enum names (through :mod:`generator.names`),
the Python type of each DHIS2 property, the enums, the imports of each module and the order of
everything. Hands a frozen :class:`~generator.ir.VersionIR` to ``jsonschema`` and ``render``.

Typing rules (the DHIS2 ``propertyType`` → Python):

* ``TEXT``/``IDENTIFIER``/``URL``/``EMAIL``/``COLOR``/``PASSWORD``/``PHONENUMBER`` → ``str``
  (``int`` where the Java class is a ``Long``/``Integer``), ``BOOLEAN`` → ``bool``,
  ``INTEGER`` → ``int``, ``NUMBER`` → ``float``, ``DATE`` → ``Dhis2DateTime``;
* ``CONSTANT`` → the ``StrEnum`` of its Java enum class;
* ``REFERENCE`` → the runtime ``Reference`` (an id-bearing object; nested selections are kept);
* ``COMPLEX`` → the model of its class when the dump has a schema for it (an embedded object),
  else a known runtime type (``Translation``, ``AttributeValue``, ``Geometry``), else JSON;
* ``COLLECTION`` → ``list[...]`` of the item type by the same rules.

Every field is optional (``= None``): DHIS2 answers ``fields=`` selections with any subset.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence

from generator import names
from generator.errors import SchemaError
from generator.ir import (
    CollectionIR,
    EnumIR,
    EnumMemberIR,
    FieldIR,
    ImportIR,
    ModelIR,
    TypeRef,
    VersionIR,
)
from generator.overrides import NameOverrides
from generator.property_types import check_property_types
from generator.spec import RawProperty, RawSchema, Snapshot

_STRING_TYPES = frozenset(
    {"TEXT", "IDENTIFIER", "URL", "EMAIL", "COLOR", "PASSWORD", "PHONENUMBER", "GEOLOCATION"}
)
_SCALARS: Mapping[str, TypeRef] = {
    "BOOLEAN": TypeRef("bool"),
    "INTEGER": TypeRef("int"),
    "NUMBER": TypeRef("float"),
    "DATE": TypeRef("datetime"),
}
_INTEGER_KLASSES = frozenset({"java.lang.Long", "java.lang.Integer", "long", "int"})
_JSON = TypeRef("json")
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
_NON_OBJECT_REFERENCES = frozenset({"java.util.List", "java.util.Map", "java.lang.Object"})
RUNTIME_MODEL_MODULE = "...runtime._model"


def normalise(
    snapshot: Snapshot, *, source: str, overrides: NameOverrides | None = None
) -> VersionIR:
    """Build the IR of one DHIS2 version; ``source`` names the snapshot in error messages."""
    overrides = overrides or NameOverrides.empty()
    schemas = _index_schemas(snapshot.schemas, source)
    check_property_types(schemas.values(), source)
    class_names = _assign_class_names(schemas, source, overrides.classes)
    enums = _collect_enums(schemas, set(class_names.values()), source)
    enum_names = {enum.klass: enum.class_name for enum in enums}
    notes: list[str] = []
    typer = _Typer(class_names, enum_names)
    models = [
        _model(schema, class_names[klass], typer, overrides, source, notes)
        for klass, schema in schemas.items()
    ]
    models = _break_embedding_cycles(models, notes)
    by_class = {model.class_name: model for model in models}
    collections = tuple(
        sorted(
            (
                CollectionIR(model.plural, model.class_name, model.module_name)
                for model in by_class.values()
                if model.metadata and model.plural
            ),
            key=lambda c: c.plural,
        )
    )
    _check_unique([c.plural for c in collections], "collection key", source)
    return VersionIR(
        version_key=snapshot.dhis2.version_key,
        raw_version=snapshot.dhis2.version,
        snapshot_name=source.rsplit("/", 1)[-1],
        snapshot_digest=snapshot.digest,
        models=tuple(sorted(models, key=lambda m: m.class_name)),
        enums=tuple(sorted(enums, key=lambda e: e.class_name)),
        collections=collections,
        notes=tuple(notes),
    )


def _index_schemas(raw: Sequence[RawSchema], source: str) -> dict[str, RawSchema]:
    schemas: dict[str, RawSchema] = {}
    for schema in sorted(raw, key=lambda s: s.klass):
        if schema.klass in schemas:
            raise SchemaError(
                "two schemas share this Java klass; the dump is corrupt, pull it again",
                source=source,
                schema=schema.klass,
            )
        schemas[schema.klass] = schema
    return schemas


def _assign_class_names(
    schemas: Mapping[str, RawSchema], source: str, renames: Mapping[str, str]
) -> dict[str, str]:
    simple: dict[str, str] = {}
    for klass in schemas:
        name = renames.get(klass) or names.class_name(klass)
        if name is None:
            raise SchemaError(
                "its Java klass leaves no usable class name", source=source, schema=klass
            )
        simple[klass] = name
    return _disambiguate(simple, "Model", source, keep=renames)


def _disambiguate(
    simple: Mapping[str, str], suffix: str, source: str, keep: Collection[str] = ()
) -> dict[str, str]:
    """Qualify clashing simple names with their package (``keep``: manual renames, never
    qualified); still clashing is an error."""
    counts: defaultdict[str, int] = defaultdict(int)
    for name in simple.values():
        counts[name.lower()] += 1
    result: dict[str, str] = {}
    for klass, name in simple.items():
        if counts[name.lower()] > 1 and klass not in keep:
            qualified = names.qualified_class_name(klass, suffix=suffix)
            result[klass] = qualified or name
        else:
            result[klass] = name
    seen: dict[str, str] = {}
    for klass in sorted(result):
        key = names.module_name(result[klass])
        if key in seen:
            raise SchemaError(
                f"its class name {result[klass]!r} clashes with that of {seen[key]!r}; "
                "add a rename to schemas/name-overrides.json",
                source=source,
                schema=klass,
            )
        seen[key] = klass
    return result


def _collect_enums(
    schemas: Mapping[str, RawSchema], model_names: set[str], source: str
) -> list[EnumIR]:
    constants: defaultdict[str, set[str]] = defaultdict(set)
    for schema in schemas.values():
        for prop in schema.properties:
            enum_klass = _enum_klass(prop)
            if enum_klass is not None and prop.constants:
                constants[enum_klass].update(prop.constants)
    simple: dict[str, str] = {}
    for klass in sorted(constants):
        name = names.class_name(klass, suffix="Enum")
        if name is None:
            raise SchemaError(
                "its enum class leaves no usable class name", source=source, schema=klass
            )
        simple[klass] = f"{name}Enum" if name in model_names else name
    enum_names = _disambiguate(simple, "Enum", source)
    clashes = {name for name in enum_names.values() if name in model_names}
    return [
        EnumIR(
            class_name=f"{name}Enum" if name in clashes else name,
            klass=klass,
            members=_enum_members(sorted(constants[klass])),
        )
        for klass, name in enum_names.items()
    ]


def is_list(prop: RawProperty) -> bool:
    """A list-valued property: ``COLLECTION``, or (CategoryDimension.items and the like) a
    ``REFERENCE`` that DHIS2 flags ``collection: true`` with the item in itemKlass."""
    return prop.property_type == "COLLECTION" or prop.collection


def _enum_klass(prop: RawProperty) -> str | None:
    if is_list(prop):
        return prop.item_klass if prop.item_property_type == "CONSTANT" else None
    return prop.klass if prop.property_type == "CONSTANT" else None


def _enum_members(values: Sequence[str]) -> tuple[EnumMemberIR, ...]:
    members: list[EnumMemberIR] = []
    taken: set[str] = set()
    for value in values:
        base = names.enum_member_name(value)
        name, n = base, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name)
        members.append(EnumMemberIR(name, value))
    return tuple(members)


class _Typer:
    """Maps one DHIS2 property to a :class:`TypeRef` and spells it as Python."""

    def __init__(self, class_names: Mapping[str, str], enum_names: Mapping[str, str]) -> None:
        self._class_names = class_names
        self._enum_names = enum_names

    def property_type(self, prop: RawProperty) -> TypeRef:
        if is_list(prop):
            if prop.klass == "java.util.Map":
                return _JSON_OBJECT
            item_type = prop.item_property_type
            if item_type is None or item_type == "COLLECTION":
                return TypeRef("list", item=_JSON)
            return TypeRef("list", item=self._single(item_type, prop.item_klass))
        return self._single(prop.property_type, prop.klass)

    def _single(self, property_type: str, klass: str | None) -> TypeRef:
        if property_type in _STRING_TYPES:
            return TypeRef("int") if klass in _INTEGER_KLASSES else TypeRef("str")
        if property_type in _SCALARS:
            return _SCALARS[property_type]
        if property_type == "CONSTANT":
            enum = self._enum_names.get(klass or "")
            return TypeRef("enum", enum) if enum else TypeRef("str")
        if property_type == "REFERENCE":
            if klass in _NON_OBJECT_REFERENCES:
                return _JSON
            return TypeRef("runtime_model", "Reference")
        if property_type == "COMPLEX":
            model = self._class_names.get(klass or "")
            if model is not None:
                return TypeRef("model", model)
            return _KNOWN_COMPLEX.get(klass or "", _JSON)
        raise AssertionError(f"no typing rule for {property_type!r}")  # see property_types

    @staticmethod
    def spell(type_ref: TypeRef) -> str:
        match type_ref.kind:
            case "str" | "int" | "float" | "bool":
                return type_ref.kind
            case "datetime":
                return "Dhis2DateTime"
            case "json":
                return "JsonValue"
            case "json_object":
                return "dict[str, JsonValue]"
            case "list":
                assert type_ref.item is not None
                return f"list[{_Typer.spell(type_ref.item)}]"
            case "enum" | "model" | "runtime_model":
                assert type_ref.name is not None
                return type_ref.name


def _model(
    schema: RawSchema,
    class_name: str,
    typer: _Typer,
    overrides: NameOverrides,
    source: str,
    notes: list[str],
) -> ModelIR:
    fields = _fields(schema, typer, overrides, source, notes)
    return ModelIR(
        class_name=class_name,
        module_name=names.module_name(class_name),
        klass=schema.klass,
        schema_name=schema.name,
        plural=schema.plural,
        api_endpoint=schema.api_endpoint,
        metadata=schema.metadata,
        description=_model_description(schema),
        fields=fields,
        imports=_imports(fields, own_class=class_name),
    )


def _model_description(schema: RawSchema) -> str:
    words = f"DHIS2 schema ``{schema.name}`` (``{schema.klass}``)"
    if schema.api_endpoint:
        words += f", served at ``{schema.api_endpoint}``"
    return words + "."


def _wire_name(schema: RawSchema, prop: RawProperty, source: str) -> str:
    if not is_list(prop):
        return prop.name
    if prop.collection_name:
        return prop.collection_name
    raise SchemaError(
        "collection property without 'collectionName'; snapshots written by "
        "'python -m generator pull' always carry one: pull the snapshot again",
        source=source,
        schema=schema.klass,
        prop=prop.name,
    )


def _fields(
    schema: RawSchema,
    typer: _Typer,
    overrides: NameOverrides,
    source: str,
    notes: list[str],
) -> tuple[FieldIR, ...]:
    by_wire: dict[str, RawProperty] = {}
    ordered = sorted(schema.properties, key=lambda p: (p.collection, p.field_name or "", p.name))
    for prop in ordered:
        if prop.name == "":
            raise SchemaError(
                "a property has an empty name", source=source, schema=schema.klass, prop=""
            )
        wire = _wire_name(schema, prop, source)
        if wire in by_wire:
            notes.append(
                f"{schema.klass}: properties {by_wire[wire].field_name!r} and "
                f"{prop.field_name!r} share the JSON key {wire!r}; kept the first"
            )
            continue
        by_wire[wire] = prop
    renames = overrides.fields.get(schema.klass, {})
    fields: list[FieldIR] = []
    taken: dict[str, str] = {}
    for wire, prop in sorted(by_wire.items()):
        python_name = renames.get(wire) or names.field_name(wire)
        if python_name is None or not names.is_identifier(python_name):
            raise SchemaError(
                "its name leaves no usable Python identifier; add a rename to "
                "schemas/name-overrides.json",
                source=source,
                schema=schema.klass,
                prop=wire,
            )
        if python_name in taken:
            raise SchemaError(
                f"its Python name {python_name!r} clashes with that of property "
                f"{taken[python_name]!r}; add a rename to schemas/name-overrides.json",
                source=source,
                schema=schema.klass,
                prop=wire,
            )
        taken[python_name] = wire
        type_ref = typer.property_type(prop)
        fields.append(
            FieldIR(
                python_name=python_name,
                wire_name=wire,
                type_ref=type_ref,
                type_expr=_Typer.spell(type_ref),
                property_type=prop.property_type,
                read_only=not prop.writable,
                required=prop.required,
                unique=prop.unique,
                description=_field_description(prop),
            )
        )
    return tuple(sorted(fields, key=lambda f: f.python_name))


def _field_description(prop: RawProperty) -> str | None:
    listed = is_list(prop)
    klass = prop.item_klass if listed else prop.klass
    kind = prop.item_property_type if listed else prop.property_type
    if kind in ("REFERENCE", "COMPLEX") and klass:
        what = "References to" if listed else "Reference to"
        if kind == "COMPLEX":
            what = "Embedded"
        return f"{what} ``{klass.rsplit('.', 1)[-1]}``."
    return None


def _type_names(type_ref: TypeRef) -> list[tuple[str, str]]:
    """(kind, name) pairs of the classes a type needs imported."""
    if type_ref.kind == "list" and type_ref.item is not None:
        return _type_names(type_ref.item)
    if type_ref.kind in ("json", "json_object"):
        return [("runtime_model", "JsonValue")]
    if type_ref.kind == "datetime":
        return [("runtime_model", "Dhis2DateTime")]
    if type_ref.name is not None:
        return [(type_ref.kind, type_ref.name)]
    return []


def _imports(fields: Sequence[FieldIR], *, own_class: str) -> tuple[ImportIR, ...]:
    runtime: set[str] = {"Dhis2Model"}
    enums: set[str] = set()
    models: set[str] = set()
    for field in fields:
        for kind, name in _type_names(field.type_ref):
            if kind == "runtime_model":
                runtime.add(name)
            elif kind == "enum":
                enums.add(name)
            elif kind == "model" and name != own_class:
                models.add(name)
    imports = [ImportIR("typing", ("ClassVar",))]
    if any(field.needs_alias or field.schema_flags for field in fields):
        imports.append(ImportIR("pydantic", ("Field",)))
    imports.append(ImportIR(RUNTIME_MODEL_MODULE, tuple(sorted(runtime))))
    if enums:
        imports.append(ImportIR("..enums", tuple(sorted(enums))))
    imports.extend(ImportIR(f".{names.module_name(m)}", (m,)) for m in sorted(models))
    return tuple(imports)


def _break_embedding_cycles(models: list[ModelIR], notes: list[str]) -> list[ModelIR]:
    """Embedded models import each other's modules; a cycle would fail at import time.

    DHIS2 2.41-2.43 have none, but an unseen dump might: the field that closes a cycle is typed
    as plain JSON instead, and the notes say so.
    """
    by_name = {model.class_name: model for model in models}
    broken: set[tuple[str, str]] = set()

    def embedded(model: ModelIR) -> list[tuple[str, str]]:
        return [
            (field.python_name, name)
            for field in model.fields
            for kind, name in _type_names(field.type_ref)
            if kind == "model" and (model.class_name, field.python_name) not in broken
        ]

    state: dict[str, int] = {}

    def visit(name: str) -> None:
        state[name] = 1
        for field_name, target in embedded(by_name[name]):
            if state.get(target) == 1:
                broken.add((name, field_name))
                notes.append(f"{name}.{field_name}: embeds {target} in a cycle; typed as JSON")
            elif target not in state:
                visit(target)
        state[name] = 2

    for name in sorted(by_name):
        if name not in state:
            visit(name)
    if not broken:
        return models
    result: list[ModelIR] = []
    for model in models:
        fields = tuple(
            _as_json(field) if (model.class_name, field.python_name) in broken else field
            for field in model.fields
        )
        imports = _imports(fields, own_class=model.class_name)
        result.append(dataclasses.replace(model, fields=fields, imports=imports))
    return result


def _as_json(field: FieldIR) -> FieldIR:
    type_ref = TypeRef("list", item=_JSON) if field.type_ref.kind == "list" else _JSON
    return dataclasses.replace(field, type_ref=type_ref, type_expr=_Typer.spell(type_ref))


def _check_unique(values: Sequence[str], what: str, source: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise SchemaError(
                f"two schemas share the {what} {value!r}", source=source, schema=value
            )
        seen.add(value)
