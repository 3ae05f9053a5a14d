"""Stage ``normalise``: a parsed :class:`~generator.spec.Snapshot` -> a :class:`VersionIR`.

Every decision lives here: class, module, field and enum names (through :mod:`generator.names`),
the Python type of each DHIS2 property, the enums, the imports of each module and the order of
everything. Hands a frozen :class:`~generator.ir.VersionIR` to ``jsonschema`` and ``render``.

The Python type of each property is :mod:`generator.field_types`' decision (owned child
objects as their models, references that say what they point at, lenient DHIS2 scalars), the
field docstrings :mod:`generator.field_docs`'. Aliases are spelled out only where the base
model's rule (:func:`generator.names.wire_key`, camelCase of the attribute) does not give the wire
key.

Every field is optional (``= None``): DHIS2 answers ``fields=`` selections with any subset.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

from generator import names
from generator.embedding import EmbeddingCorrections
from generator.errors import SchemaError
from generator.field_docs import field_description
from generator.field_types import Typer, is_list
from generator.ir import (
    CollectionIR,
    EnumIR,
    EnumMemberIR,
    FieldIR,
    ImportIR,
    MetadataFieldIR,
    ModelIR,
    ResourceIR,
    TypeRef,
    VersionIR,
)
from generator.overrides import NameOverrides
from generator.property_types import check_property_types
from generator.spec import RawProperty, RawSchema, Snapshot

RUNTIME_MODEL_MODULE = "...runtime._model"


def normalise(
    snapshot: Snapshot,
    *,
    source: str,
    overrides: NameOverrides | None = None,
    embedding: EmbeddingCorrections | None = None,
) -> VersionIR:
    """Build the IR of one DHIS2 version; ``source`` names the snapshot in error messages."""
    overrides = overrides or NameOverrides.empty()
    schemas = _index_schemas(snapshot.schemas, source)
    check_property_types(schemas.values(), source)
    class_names = _assign_class_names(schemas, source, overrides.classes)
    enums = _collect_enums(schemas, set(class_names.values()), source)
    enum_names = {enum.klass: enum.class_name for enum in enums}
    notes: list[str] = []
    typer = Typer(schemas, class_names, enum_names, embedding or EmbeddingCorrections())
    models = [
        _model(schema, class_names[klass], typer, schemas, overrides, source, notes)
        for klass, schema in schemas.items()
    ]
    models = _break_embedding_cycles(models, notes)
    by_class = {model.class_name: model for model in models}
    collections = _collections(by_class.values())
    _check_unique([c.plural for c in collections], "collection key", source)
    taken = {*by_class, *(enum.class_name for enum in enums)}
    resources = _resources(by_class.values(), taken, source)
    if "Metadata" in taken:
        raise SchemaError(
            "a schema's class is named 'Metadata', the name of the generated /api/metadata "
            "model; add a class rename to schemas/name-overrides.json",
            source=source,
            schema=next(m.klass for m in by_class.values() if m.class_name == "Metadata"),
        )
    me = next((m for m in by_class.values() if m.klass == _USER_KLASS), None)
    return VersionIR(
        version_key=snapshot.dhis2.version_key,
        raw_version=snapshot.dhis2.version,
        snapshot_name=source.rsplit("/", 1)[-1],
        snapshot_digest=snapshot.digest,
        models=tuple(sorted(models, key=lambda m: m.class_name)),
        enums=tuple(sorted(enums, key=lambda e: e.class_name)),
        collections=collections,
        resources=resources,
        metadata_fields=_metadata_fields(by_class.values(), source),
        me_class=None if me is None else me.class_name,
        me_module=None if me is None else me.module_name,
        exports=tuple(
            sorted(
                [
                    "Dhis2Client",
                    "Metadata",
                    "Resources",
                    *by_class,
                    *(enum.class_name for enum in enums),
                    *(resource.names_alias for resource in resources),
                ]
            )
        ),
        notes=tuple(notes),
    )


# Collection keys DHIS2 answers with besides a schema's plural: the tracker payload keys
# (``/api/tracker`` imports and exports) of the schemas whose plural is a legacy name
# (v41's Enrollment is ``programInstances``, Event ``programStageInstances``).
_PAYLOAD_KEYS: Mapping[str, str] = {
    "org.hisp.dhis.program.Enrollment": "enrollments",
    "org.hisp.dhis.program.Event": "events",
    "org.hisp.dhis.trackedentity.TrackedEntity": "trackedEntities",
}


def _collections(models: Iterable[ModelIR]) -> tuple[CollectionIR, ...]:
    """``MODELS``: every schema's plural, plus the payload keys of :data:`_PAYLOAD_KEYS` where
    no plural already takes them."""
    entries = {m.plural: m for m in models if m.plural}
    for model in list(entries.values()):
        key = _PAYLOAD_KEYS.get(model.klass)
        if key is not None and key not in entries:
            entries[key] = model
    return tuple(
        CollectionIR(key, model.class_name, model.module_name)
        for key, model in sorted(entries.items())
    )


_USER_KLASS = "org.hisp.dhis.user.User"
# Names the generated Resources class (and its runtime base) defines itself.
_RESOURCES_ATTRIBUTES = frozenset({"me", "resource", "VERSION_KEY"})


def _resources(models: Iterable[ModelIR], taken: set[str], source: str) -> tuple[ResourceIR, ...]:
    """One accessor per schema with an API endpoint, named after its collection key."""
    resources: list[ResourceIR] = []
    for model in sorted(models, key=lambda m: m.plural or ""):
        if not model.api_endpoint or not model.plural:
            continue
        attribute = names.field_name(model.plural)
        if attribute is None or attribute in _RESOURCES_ATTRIBUTES:
            raise SchemaError(
                f"its collection key {model.plural!r} leaves no usable accessor name; "
                "add a rename to schemas/name-overrides.json",
                source=source,
                schema=model.klass,
            )
        alias = f"{model.class_name}Field"
        if alias in taken:
            raise SchemaError(
                f"the name {alias!r} of its field-name Literal clashes with a class; add a "
                "class rename to schemas/name-overrides.json",
                source=source,
                schema=model.klass,
            )
        resources.append(
            ResourceIR(
                attribute=attribute,
                key=model.plural,
                path=model.api_endpoint,
                class_name=model.class_name,
                module_name=model.module_name,
                names_alias=alias,
                wire_names=tuple(sorted(field.wire_name for field in model.fields)),
            )
        )
    _check_unique([r.attribute for r in resources], "accessor name", source)
    return tuple(resources)


def _metadata_fields(models: Iterable[ModelIR], source: str) -> tuple[MetadataFieldIR, ...]:
    """The ``/api/metadata`` collections: every ``metadata: true`` schema's plural."""
    fields: list[MetadataFieldIR] = []
    for model in sorted(models, key=lambda m: m.plural or ""):
        if not model.metadata or not model.plural:
            continue
        python_name = names.field_name(model.plural)
        if python_name is None:
            raise SchemaError(
                f"its collection key {model.plural!r} leaves no usable field name",
                source=source,
                schema=model.klass,
            )
        alias = None if names.wire_key(python_name) == model.plural else model.plural
        fields.append(
            MetadataFieldIR(python_name, model.plural, alias, model.class_name, model.module_name)
        )
    _check_unique([f.python_name for f in fields], "Metadata field name", source)
    return tuple(fields)


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


def _model(
    schema: RawSchema,
    class_name: str,
    typer: Typer,
    schemas: Mapping[str, RawSchema],
    overrides: NameOverrides,
    source: str,
    notes: list[str],
) -> ModelIR:
    fields = _fields(schema, typer, schemas, overrides, source, notes)
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
    typer: Typer,
    schemas: Mapping[str, RawSchema],
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
        type_ref = typer.property_type(schema, prop, wire)
        target = schemas.get((prop.item_klass if is_list(prop) else prop.klass) or "")
        fields.append(
            FieldIR(
                python_name=python_name,
                wire_name=wire,
                alias=None if names.wire_key(python_name) == wire else wire,
                type_ref=type_ref,
                type_expr=Typer.spell(type_ref),
                property_type=prop.property_type,
                read_only=not prop.writable,
                required=prop.required,
                unique=prop.unique,
                description=field_description(prop, type_ref, target),
            )
        )
    return tuple(sorted(fields, key=lambda f: f.python_name))


def _type_names(type_ref: TypeRef) -> list[tuple[str, str]]:
    """(kind, name) pairs of the classes a type needs imported."""
    if type_ref.kind == "list" and type_ref.item is not None:
        return _type_names(type_ref.item)
    if type_ref.kind in ("json", "json_object"):
        return [("runtime_model", "JsonValue")]
    if type_ref.kind == "datetime":
        return [("runtime_model", "Dhis2DateTime")]
    if type_ref.kind == "int":
        return [("runtime_model", "Dhis2Int")]
    if type_ref.kind == "float":
        return [("runtime_model", "Dhis2Number")]
    if type_ref.kind == "reference":
        assert type_ref.name is not None
        return [("runtime_model", "Reference"), ("reference", type_ref.name)]
    if type_ref.name is not None:
        return [(type_ref.kind, type_ref.name)]
    return []


def _imports(
    fields: Sequence[FieldIR], *, own_class: str, deferred: frozenset[str] | set[str] = frozenset()
) -> tuple[ImportIR, ...]:
    runtime: set[str] = {"Dhis2Model"}
    enums: set[str] = set()
    models: set[str] = set()
    targets: set[str] = set()
    for field in fields:
        for kind, name in _type_names(field.type_ref):
            if kind == "runtime_model":
                runtime.add(name)
            elif kind == "enum":
                enums.add(name)
            elif kind == "model" and name != own_class:
                models.add(name)
            elif kind == "reference" and name != own_class:
                targets.add(name)
    targets -= models
    typing_names = ("TYPE_CHECKING", "ClassVar") if targets else ("ClassVar",)
    imports = [ImportIR("typing", typing_names)]
    if any(field.needs_alias for field in fields):
        imports.append(ImportIR("pydantic", ("Field",)))
    imports.append(ImportIR(RUNTIME_MODEL_MODULE, tuple(sorted(runtime))))
    if enums:
        imports.append(ImportIR("..enums", tuple(sorted(enums))))
    imports.extend(
        ImportIR(f".{names.module_name(m)}", (m,), deferred=m in deferred) for m in sorted(models)
    )
    imports.extend(
        ImportIR(f".{names.module_name(t)}", (t,), type_checking=True) for t in sorted(targets)
    )
    return tuple(imports)


def _break_embedding_cycles(models: list[ModelIR], notes: list[str]) -> list[ModelIR]:
    """Owned and embedded models import each other's modules; a cycle would fail at import time.

    Where models embed each other in a cycle (v41's tracker ``Event`` -> ``RelationshipItem`` ->
    ``Enrollment`` -> ``Event``), or a model embeds itself, the field is annotated as a string
    (a forward reference pydantic resolves on first use, the models being ``defer_build``) and
    the cycle's modules import each other at their end, after their class is defined. The notes
    list each such edge.
    """
    by_name = {model.class_name: model for model in models}
    edges = {
        model.class_name: {
            name
            for field in model.fields
            for kind, name in _type_names(field.type_ref)
            if kind == "model"
        }
        for model in models
    }

    def reaches(start: str, goal: str) -> bool:
        seen: set[str] = set()
        stack = [start]
        while stack:
            name = stack.pop()
            if name == goal:
                return True
            if name not in seen:
                seen.add(name)
                stack.extend(edges.get(name, ()))
        return False

    cyclic = {
        (name, target)
        for name in sorted(edges)
        for target in sorted(edges[name])
        if target in by_name and reaches(target, name)
    }
    notes.extend(
        f"{name} embeds {target} in a cycle: forward reference, imported at the module's end"
        for name, target in sorted(cyclic)
        if name != target
    )
    result: list[ModelIR] = []
    for model in models:
        deferred = {target for name, target in cyclic if name == model.class_name}
        if not deferred:
            result.append(model)
            continue
        fields = tuple(
            dataclasses.replace(field, forward_ref=True) if _embeds_any(field, deferred) else field
            for field in model.fields
        )
        imports = _imports(fields, own_class=model.class_name, deferred=deferred)
        result.append(dataclasses.replace(model, fields=fields, imports=imports))
    return result


def _embeds_any(field: FieldIR, models: set[str]) -> bool:
    return any(kind == "model" and name in models for kind, name in _type_names(field.type_ref))


def _check_unique(values: Sequence[str], what: str, source: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise SchemaError(
                f"two schemas share the {what} {value!r}", source=source, schema=value
            )
        seen.add(value)
