"""Which object-valued properties DHIS2 writes inline (owned child objects), and which are plain
references: a rule read off the snapshots, plus reviewed corrections.

Stage: helper of ``normalise``. The rule: a ``REFERENCE`` property (or list item) is an *owned
child* when the property is DHIS2's ``owner`` side and the target schema is not exported on its
own (``metadata: false``): ``ProgramStage.programStageDataElements``, ``LegendSet.legends``,
``Dashboard.dashboardItems``, ``DataSet.compulsoryDataElementOperands`` … DHIS2's metadata
export writes such objects whole, inside their parent. Every other ``REFERENCE`` is a reference
(``{"id": …}`` plus what ``fields=`` selected). The maintenance app's complete schema mocks
(``embeddedObject: true``) and the recorded payloads agree with the rule; where real exports do
not, ``schemas/embedding-corrections.json`` says so, each entry with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from pydantic import JsonValue

from generator.errors import SnapshotError
from generator.spec import RawProperty, RawSchema

EMBEDDING_CORRECTIONS = "embedding-corrections.json"
_ENTRY_KEYS = frozenset({"schemaKlass", "wireKey", "embedded", "why"})


@dataclass(frozen=True, slots=True)
class EmbeddingCorrections:
    """``(schema klass, wire key) -> embedded?`` where the rule is wrong, from a reviewed file."""

    entries: Mapping[tuple[str, str], bool] = field(default_factory=dict[tuple[str, str], bool])


def load_embedding_corrections(path: Path) -> EmbeddingCorrections:
    """Read ``[{schemaKlass, wireKey, embedded, why}, …]``; a missing file means none.

    Raises :class:`SnapshotError` naming the file and the entry at fault.
    """
    if not path.is_file():
        return EmbeddingCorrections()
    try:
        raw = cast(JsonValue, json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise SnapshotError(f"{path}: cannot read the embedding corrections: {exc}") from None
    if not isinstance(raw, list):
        raise SnapshotError(f"{path}: expected a JSON list of corrections")
    entries: dict[tuple[str, str], bool] = {}
    for index, item in enumerate(raw):
        entry = _entry(path, index, item)
        if entry[0] in entries:
            raise SnapshotError(f"{path}: entry {index} repeats {entry[0][0]}.{entry[0][1]}")
        entries[entry[0]] = entry[1]
    return EmbeddingCorrections(entries)


def _entry(path: Path, index: int, item: JsonValue) -> tuple[tuple[str, str], bool]:
    where = f"{path}: entry {index}"
    if not isinstance(item, dict):
        raise SnapshotError(f"{where}: expected an object with {sorted(_ENTRY_KEYS)}")
    if frozenset(item) != _ENTRY_KEYS:
        raise SnapshotError(
            f"{where}: expected exactly the keys {sorted(_ENTRY_KEYS)}, got {sorted(item)}"
        )
    klass, wire, embedded, why = (
        item[key] for key in ("schemaKlass", "wireKey", "embedded", "why")
    )
    if not (
        isinstance(klass, str)
        and isinstance(wire, str)
        and isinstance(embedded, bool)
        and isinstance(why, str)
        and why.strip()
    ):
        raise SnapshotError(
            f"{where}: schemaKlass and wireKey must be strings, embedded a boolean and why a "
            "non-empty reason"
        )
    return (klass, wire), embedded


def is_owned_child(
    schema: RawSchema,
    prop: RawProperty,
    wire_name: str,
    target: RawSchema | None,
    corrections: EmbeddingCorrections,
) -> bool:
    """True when DHIS2 writes the referenced object inline, owned by ``schema``."""
    corrected = corrections.entries.get((schema.klass, wire_name))
    if corrected is not None:
        return corrected
    return prop.owner and target is not None and not target.metadata
