"""Stage ``ir``: the intermediate representation ``normalise`` builds and templates print.

Frozen, slotted dataclasses holding sorted tuples: every decision is already made here
(``python_name``, ``wire_name``, ``type_expr``, imports, docs), so templates only loop and print
and ``jsonschema`` only translates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TypeKind = Literal[
    "str",
    "int",
    "float",
    "bool",
    "datetime",
    "json",
    "json_object",
    "enum",
    "model",
    "runtime_model",
    "reference",
    "list",
]


@dataclass(frozen=True, slots=True)
class TypeRef:
    """The type of a field, before it is spelled as Python or JSON Schema.

    ``name`` is the class for ``enum``/``model``/``runtime_model`` and the target class of a
    ``reference`` (spelled ``Reference["Target"]``); ``item`` the element type of a ``list``.
    """

    kind: TypeKind
    name: str | None = None
    item: TypeRef | None = None

    def is_untyped(self) -> bool:
        """True where DHIS2 gives no type: plain JSON, at the top level or as list items."""
        if self.kind in ("json", "json_object"):
            return True
        return self.kind == "list" and self.item is not None and self.item.is_untyped()


@dataclass(frozen=True, slots=True)
class FieldIR:
    """One model field: a DHIS2 property as the generated code spells it."""

    python_name: str
    wire_name: str
    alias: str | None
    """The wire key spelled out, where the base model's alias rule does not give it."""
    type_ref: TypeRef
    type_expr: str
    property_type: str
    read_only: bool
    required: bool
    unique: bool
    description: str | None
    """What DHIS2 says of the property, for the field's docstring (an editor's hover)."""
    forward_ref: bool = False
    """Annotated as a string: its model embeds this one back (see ``deferred`` imports)."""

    @property
    def needs_alias(self) -> bool:
        """The alias rule does not give the wire key, so the field carries it."""
        return self.alias is not None

    @property
    def schema_flags(self) -> tuple[str, ...]:
        """JSON Schema keywords kept as field metadata (only the ones that are set)."""
        flags = (
            ("readOnly", self.read_only),
            ("x-dhis2-required", self.required),
            ("x-dhis2-unique", self.unique),
        )
        return tuple(name for name, is_set in flags if is_set)


@dataclass(frozen=True, slots=True)
class ImportIR:
    """``from {module} import {names}`` (module relative to the importing module); under
    ``if TYPE_CHECKING:`` where ``type_checking`` (reference targets: never imported at run
    time)."""

    module: str
    names: tuple[str, ...]
    type_checking: bool = False
    deferred: bool = False
    """Imported at the end of the module: the two modules embed each other (a cycle)."""


@dataclass(frozen=True, slots=True)
class ModelIR:
    """One pydantic model: a DHIS2 schema keyed by its Java ``klass``."""

    class_name: str
    module_name: str
    klass: str
    schema_name: str
    plural: str | None
    api_endpoint: str | None
    metadata: bool
    description: str
    fields: tuple[FieldIR, ...]
    imports: tuple[ImportIR, ...]

    @property
    def read_only_fields(self) -> tuple[str, ...]:
        """Python names of the fields a write payload leaves out."""
        return tuple(field.python_name for field in self.fields if field.read_only)

    @property
    def required_fields(self) -> tuple[str, ...]:
        """Python names of the properties DHIS2 requires on create."""
        return tuple(field.python_name for field in self.fields if field.required)

    @property
    def unique_fields(self) -> tuple[str, ...]:
        """Python names of the properties DHIS2 keeps unique."""
        return tuple(field.python_name for field in self.fields if field.unique)


@dataclass(frozen=True, slots=True)
class EnumMemberIR:
    """One enum constant: its Python member name and DHIS2's exact value."""

    python_name: str
    value: str


@dataclass(frozen=True, slots=True)
class EnumIR:
    """A ``StrEnum`` of DHIS2 constants, keyed by the Java enum class."""

    class_name: str
    klass: str
    members: tuple[EnumMemberIR, ...]


@dataclass(frozen=True, slots=True)
class CollectionIR:
    """An ``/api/metadata`` collection key and the model it holds (``MODELS``)."""

    plural: str
    class_name: str
    module_name: str


@dataclass(frozen=True, slots=True)
class ResourceIR:
    """A typed accessor ``client.resources.<attribute>`` of a schema with an API endpoint."""

    attribute: str
    key: str
    path: str
    class_name: str
    module_name: str
    names_alias: str
    """The ``Literal`` of the schema's wire property names (``DataElementField``)."""
    wire_names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MetadataFieldIR:
    """One collection of the ``/api/metadata`` document: ``data_elements: list[DataElement]``."""

    python_name: str
    key: str
    alias: str | None
    """The key spelled out, where the alias rule does not give it."""
    class_name: str
    module_name: str


@dataclass(frozen=True, slots=True)
class VersionIR:
    """Everything generated for one DHIS2 version."""

    version_key: str
    raw_version: str
    snapshot_name: str
    snapshot_digest: str
    models: tuple[ModelIR, ...]
    enums: tuple[EnumIR, ...]
    collections: tuple[CollectionIR, ...]
    resources: tuple[ResourceIR, ...]
    metadata_fields: tuple[MetadataFieldIR, ...]
    """The typed lists of the version's ``Metadata`` model (``metadata: true`` schemas)."""
    me_class: str | None
    """The model ``/api/me`` answers with (``User``), and its module."""
    me_module: str | None
    exports: tuple[str, ...]
    """The names the version package exports besides its constants, sorted."""
    notes: tuple[str, ...]

    @property
    def field_count(self) -> int:
        """How many model fields the version has."""
        return sum(len(model.fields) for model in self.models)

    @property
    def untyped_count(self) -> int:
        """Fields typed only as JSON: ``JsonValue``, or a list or dict of it."""
        return sum(f.type_ref.is_untyped() for model in self.models for f in model.fields)

    @property
    def major_minor(self) -> str:
        """``2.42`` for ``v42``: how DHIS2 names the release line."""
        return f"2.{self.version_key.removeprefix('v')}"
