"""Errors the generator reports to its user.

Every error carries a message that says what is wrong, where (file, schema, property) and
what to do. The command line prints the message and exits with status 2; no traceback.

    GeneratorError
    ├── SnapshotError   a snapshot or recorded dump cannot be read or is malformed
    ├── SchemaError     a schema or property in a snapshot cannot be turned into safe code
    ├── OverridesError  the name-overrides table is malformed or renames to an unusable name
    └── PullError       talking to a DHIS2 server failed
"""

from __future__ import annotations

EXIT_USAGE = 2


class GeneratorError(Exception):
    """Base class: the generator cannot go on; ``str(err)`` tells the user what to do."""


class SnapshotError(GeneratorError):
    """A snapshot or recorded dump is not valid JSON or lacks what the generator needs."""


class SchemaError(GeneratorError):
    """A schema or one of its properties cannot be turned into safe, valid code."""

    def __init__(self, message: str, *, source: str, schema: str, prop: str | None = None) -> None:
        where = f"{source}: schema {schema!r}"
        if prop is not None:
            where += f", property {prop!r}"
        super().__init__(f"{where}: {message}")
        self.source = source
        self.schema = schema
        self.prop = prop


class OverridesError(GeneratorError):
    """``schemas/name-overrides.json`` is malformed, or one of its renames cannot be used."""


class PullError(GeneratorError):
    """Reading ``/api/system/info`` or ``/api/schemas`` from a DHIS2 server failed."""
