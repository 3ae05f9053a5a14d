"""Part of stage ``write``: recognise a regeneration that would change nothing, cheaply.

A stamp beside the output (``.dhis2-sdk-generator-stamp.json``, not committed) records, per set
of snapshots, a fingerprint of every input (the snapshots, the name overrides, the generator's
source, the templates and runtime, the pinned ruff) and of every output unit written. When both
still match, ``generate`` skips parse, normalise, render and ruff. A hand-edited output changes
the output fingerprint, so it is always regenerated.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import cast

from generator.write import existing_files, write_file

STAMP_NAME = ".dhis2-sdk-generator-stamp.json"
GENERATOR_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = GENERATOR_DIR.parent / "templates"


@dataclass(frozen=True, slots=True)
class StampRecord:
    """What one run over a set of snapshots wrote, and from what."""

    inputs: str
    outputs: str
    units: tuple[str, ...]
    summaries: tuple[str, ...]


def stamp_key(snapshot_paths: Sequence[Path]) -> str:
    """The set of snapshots a record is for (order does not matter)."""
    return ",".join(sorted(path.resolve().as_posix() for path in snapshot_paths))


def _source_files(extra: Iterable[Path]) -> list[Path]:
    sources = [p for p in GENERATOR_DIR.rglob("*.py") if "__pycache__" not in p.parts]
    sources += [p for p in TEMPLATES_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted(sources) + [p for p in extra if p.is_file()]


def input_fingerprint(snapshot_paths: Sequence[Path], *side_files: Path) -> str:
    """sha256 over every input of a generation (snapshots, overrides and corrections files,
    generator and templates), each labelled by its path."""
    digest = hashlib.sha256(f"ruff {version('ruff')}\0".encode())
    for path in _source_files([*snapshot_paths, *side_files]):
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def output_fingerprint(out: Path, units: Iterable[str]) -> str:
    """sha256 over the output units (package dirs or single files) as they are on disk."""
    digest = hashlib.sha256()
    for unit in sorted(units):
        path = out / unit
        files = existing_files(path) if path.is_dir() else None
        if files is None:
            files = {"": path.read_bytes()} if path.is_file() else {"": b"\0missing"}
        for rel, content in sorted(files.items()):
            digest.update(f"{unit}/{rel}\0".encode() + content + b"\0")
    return digest.hexdigest()


def _read(out: Path) -> dict[str, object]:
    try:
        raw: object = json.loads((out / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return cast("dict[str, object]", raw) if isinstance(raw, dict) else {}


def load_record(out: Path, key: str) -> StampRecord | None:
    """The record for ``key``, or ``None`` when there is none or it is unreadable."""
    raw = _read(out).get(key)
    if not isinstance(raw, dict):
        return None
    record = cast("dict[str, object]", raw)
    inputs, outputs = record.get("inputs"), record.get("outputs")
    units, summaries = record.get("units"), record.get("summaries")
    if not (isinstance(inputs, str) and isinstance(outputs, str)):
        return None
    if not (isinstance(units, list) and isinstance(summaries, list)):
        return None
    unit_list, summary_list = cast("list[object]", units), cast("list[object]", summaries)
    return StampRecord(inputs, outputs, tuple(map(str, unit_list)), tuple(map(str, summary_list)))


def save_record(out: Path, key: str, record: StampRecord) -> None:
    """Store ``record`` under ``key``, keeping the records of other snapshot sets."""
    stamps = _read(out)
    stamps[key] = {
        "inputs": record.inputs,
        "outputs": record.outputs,
        "units": list(record.units),
        "summaries": list(record.summaries),
    }
    text = json.dumps(stamps, indent=1, sort_keys=True) + "\n"
    write_file(out / STAMP_NAME, text.encode("utf-8"))
