"""Part of stage ``normalise``: the DHIS2 ``propertyType`` values the generator can type.

``field_types`` has a typing rule for each of these (see its docstring). A snapshot that uses any
other value, as ``propertyType`` or ``itemPropertyType``, is an error naming the schema, the
property and the value: a new kind of property deserves a decision, not a field quietly typed as
JSON. The set is every value the recorded dumps of DHIS2 2.2x-2.43 use
(``tests/generator/test_property_types.py`` checks it against them).
"""

from __future__ import annotations

from collections.abc import Iterable

from generator.errors import SchemaError
from generator.spec import RawSchema

KNOWN_PROPERTY_TYPES = frozenset(
    {
        "BOOLEAN",
        "COLLECTION",
        "COLOR",
        "COMPLEX",
        "CONSTANT",
        "DATE",
        "EMAIL",
        "GEOLOCATION",
        "IDENTIFIER",
        "INTEGER",
        "NUMBER",
        "PASSWORD",
        "PHONENUMBER",
        "REFERENCE",
        "TEXT",
        "URL",
    }
)


def check_property_types(schemas: Iterable[RawSchema], source: str) -> None:
    """Raise :class:`SchemaError` at the first property whose (item) type is not known."""
    for schema in schemas:
        for prop in schema.properties:
            for key, value in (
                ("propertyType", prop.property_type),
                ("itemPropertyType", prop.item_property_type),
            ):
                if value is not None and value not in KNOWN_PROPERTY_TYPES:
                    raise SchemaError(
                        f"unknown {key} {value!r} (known: {', '.join(sorted(KNOWN_PROPERTY_TYPES))}"
                        "); give it a typing rule in generator/field_types.py and list it in "
                        "generator/property_types.py",
                        source=source,
                        schema=schema.klass,
                        prop=prop.name,
                    )
