"""The recorded DHIS2 version a stand-in serves: ``system-info.json`` and ``schemas.json``.

Any directory of that shape works, including versions nobody generated code for. The schemas
(1.5 MB) are parsed on first use so that the server starts fast; everything else here is a
read-only view the store, importer and routes consult.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from dhis2_standin.jsontypes import JsonObject, JsonValue, parse_json, parse_object


class DataDirError(ValueError):
    """A data directory that lacks a file or holds one of the wrong shape."""


@dataclass(frozen=True, slots=True)
class PropertyShape:
    """What a writable, non-collection property takes: its ``propertyType`` and, for a
    ``CONSTANT``, the enum's constants (empty when the schema does not list them)."""

    property_type: str
    constants: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SchemaInfo:
    """What the stand-in needs to know about one schema of ``/api/schemas``."""

    name: str
    plural: str
    klass: str
    metadata: bool
    required_text: tuple[str, ...]
    """Writable TEXT properties DHIS2 requires (E4000 when missing)."""
    unique: tuple[str, ...]
    """``code``/``name``/``shortName`` when the schema marks them unique (E5003 on a clash)."""
    property_names: frozenset[str]
    not_owned: frozenset[str]
    """Properties marked ``owner: false`` (computed or inverse ones): ``:owner`` leaves them out."""
    writable: dict[str, PropertyShape]
    """Writable non-collection properties by wire key (a collection's key is not in trimmed
    dumps): what a write's values are checked against (see :mod:`dhis2_standin.binding`)."""
    raw: JsonObject

    @property
    def simple_klass(self) -> str:
        """``DataElement`` for ``org.hisp.dhis.dataelement.DataElement``."""
        return self.klass.rsplit(".", 1)[-1].replace("$", ".")


_UNIQUE_CHECKED = ("code", "name", "shortName")


def _schema_info(raw: JsonObject) -> SchemaInfo:
    properties = raw.get("properties")
    props = [p for p in properties if isinstance(p, dict)] if isinstance(properties, list) else []
    required = [
        str(p["name"])
        for p in props
        if p.get("required") is True
        and p.get("writable") is True
        and p.get("propertyType") == "TEXT"
    ]
    unique_names = {str(p.get("name")) for p in props if p.get("unique") is True}
    names = {str(p.get(key)) for p in props for key in ("name", "fieldName") if key in p}
    not_owned = {
        str(p.get(key))
        for p in props
        if p.get("owner") is False
        for key in ("name", "collectionName")
        if key in p
    }
    return SchemaInfo(
        name=str(raw.get("name", "")),
        plural=str(raw.get("plural", "")),
        klass=str(raw.get("klass", "")),
        metadata=raw.get("metadata") is True,
        required_text=tuple(sorted(set(required))),
        unique=tuple(name for name in _UNIQUE_CHECKED if name in unique_names),
        property_names=frozenset(names),
        not_owned=frozenset(not_owned),
        writable=_writable(props),
        raw=raw,
    )


def _writable(props: list[JsonObject]) -> dict[str, PropertyShape]:
    shapes: dict[str, PropertyShape] = {}
    for prop in props:
        name, kind = prop.get("name"), prop.get("propertyType")
        if prop.get("writable") is not True or prop.get("collection") is True:
            continue
        if isinstance(name, str) and isinstance(kind, str):
            constants = prop.get("constants")
            listed = constants if isinstance(constants, list) else []
            shapes[name] = PropertyShape(kind, frozenset(str(c) for c in listed))
    return shapes


class DataDir:
    """One recorded version: ``DIR/system-info.json`` and ``DIR/schemas.json``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        for name in ("system-info.json", "schemas.json"):
            if not (path / name).is_file():
                raise DataDirError(f"{path / name} is missing: a data dir needs {name}")
        self.system_info_bytes = (path / "system-info.json").read_bytes()
        self.system_info = parse_object(self.system_info_bytes)
        version = self.system_info.get("version")
        if not isinstance(version, str):
            raise DataDirError(f"{path / 'system-info.json'} has no string 'version'")
        self.version = version

    @property
    def api_version(self) -> int:
        """42 for ``2.42.4-SNAPSHOT``: the number DHIS2 accepts in ``/api/42/...``."""
        parts = self.version.split(".")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0

    @functools.cached_property
    def schemas_bytes(self) -> bytes:
        """The recorded ``GET /api/schemas`` body, byte for byte."""
        return (self.path / "schemas.json").read_bytes()

    @functools.cached_property
    def schemas(self) -> tuple[SchemaInfo, ...]:
        """Every schema, in recorded order."""
        body: JsonValue = parse_json(self.schemas_bytes)
        listed = body.get("schemas") if isinstance(body, dict) else None
        if not isinstance(listed, list):
            raise DataDirError(f"{self.path / 'schemas.json'} has no 'schemas' list")
        return tuple(_schema_info(raw) for raw in listed if isinstance(raw, dict))

    @functools.cached_property
    def by_plural(self) -> dict[str, SchemaInfo]:
        """Schemas keyed by plural (the collection name); metadata schemas win a clash."""
        index: dict[str, SchemaInfo] = {}
        for schema in self.schemas:
            if schema.plural and (schema.plural not in index or schema.metadata):
                index[schema.plural] = schema
        return index

    @functools.cached_property
    def metadata_plurals(self) -> frozenset[str]:
        """Plurals of schemas with ``metadata: true``: the ``/api/{plural}`` collections."""
        return frozenset(s.plural for s in self.schemas if s.metadata and s.plural)

    def schema_named(self, name: str) -> SchemaInfo | None:
        """A schema by singular name, plural, klass or simple klass, as ``/api/schemas/{x}``."""
        for schema in self.schemas:
            if name in (schema.name, schema.klass):
                return schema
        for schema in self.schemas:
            if name in (schema.plural, schema.simple_klass):
                return schema
        return None
