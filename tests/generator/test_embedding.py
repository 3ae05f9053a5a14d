"""The owned-child rule's corrections file is read strictly: a bad entry is an error naming the
file and entry (exit 2), never silently skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.embedding import EMBEDDING_CORRECTIONS, load_embedding_corrections
from generator.errors import SnapshotError
from tests.paths import SCHEMAS

GOOD = {"schemaKlass": "org.x.Thing", "wireKey": "parts", "embedded": True, "why": "exported"}


def _write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / EMBEDDING_CORRECTIONS
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def test_the_reviewed_corrections_load() -> None:
    corrections = load_embedding_corrections(SCHEMAS / EMBEDDING_CORRECTIONS)
    assert corrections.entries[("org.hisp.dhis.mapping.Map", "mapViews")] is True
    assert (
        corrections.entries[("org.hisp.dhis.organisationunit.OrganisationUnit", "image")] is False
    )


def test_a_missing_file_means_no_corrections(tmp_path: Path) -> None:
    assert load_embedding_corrections(tmp_path / "absent.json").entries == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"a": 1}, "expected a JSON list of corrections"),
        ([GOOD, GOOD], "entry 1 repeats org.x.Thing.parts"),
        ([{**GOOD, "extra": 1}], "entry 0: expected exactly the keys"),
        ([{**GOOD, "embedded": "yes"}], "entry 0: schemaKlass and wireKey must be strings"),
        ([{**GOOD, "why": " "}], "a non-empty reason"),
        ([3], "entry 0: expected an object"),
    ],
)
def test_a_bad_entry_is_an_error(tmp_path: Path, content: object, message: str) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(SnapshotError, match=message) as caught:
        load_embedding_corrections(path)
    assert str(caught.value).startswith(f"{path}: ")
