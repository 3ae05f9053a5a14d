"""Reading the recorded DHIS2 responses in ``../shared/dhis2`` for tests (never copied here).

``recorded_metadata_gets(version)`` lists every recorded 200 GET of a metadata path
(``/api/{plural}``, ``/api/NN/{plural}``, ``/api/{plural}/{uid}``) with its body file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast
from urllib.parse import parse_qs, urlsplit

from tests.paths import SHARED_DHIS2

API_PATH = re.compile(
    r"/api/(?:\d+/)?(?P<plural>[A-Za-z0-9]+)(?:/(?P<uid>[A-Za-z][A-Za-z0-9]{10}))?"
)
IMPORT_PAYLOADS = SHARED_DHIS2 / "unversioned" / "dhis2-core-test-payloads"


def read_json(path: Path) -> object:
    """Parse one recorded file."""
    return json.loads(path.read_text(encoding="utf-8"))


def as_object(value: object, what: object) -> dict[str, object]:
    """``value`` as a JSON object, or an assertion naming ``what``."""
    assert isinstance(value, dict), f"{what}: expected a JSON object"
    return cast(dict[str, object], value)


def as_objects(value: object, what: object) -> list[dict[str, object]]:
    """``value`` as a list of JSON objects, or an assertion naming ``what``."""
    assert isinstance(value, list), f"{what}: expected a JSON list"
    return [as_object(item, what) for item in cast(list[object], value)]


def text_of(mapping: dict[str, object], key: str, what: object) -> str:
    """``mapping[key]`` as a string, or an assertion naming ``what``."""
    value = mapping.get(key)
    assert isinstance(value, str), f"{what}: {key!r} is not a string"
    return value


@dataclass(frozen=True, slots=True)
class RecordedGet:
    """One recorded 200 GET of a metadata path."""

    body_file: Path
    plural: str
    uid: str | None
    query: str

    @property
    def transformed_fields(self) -> frozenset[str]:
        """Names selected with a DHIS2 field transformer (``children::size``): the server sends
        a different shape (a count, a boolean) under the property's key."""
        fields = " ".join(parse_qs(self.query).get("fields", []))
        return frozenset(re.findall(r"([A-Za-z0-9]+)::(?:size|isEmpty|isNotEmpty)", fields))

    @property
    def label(self) -> str:
        """``v42/user-app/GET__….json`` for messages."""
        parts = self.body_file.parts
        return "/".join(parts[-5:-3] + parts[-2:])


def recorded_metadata_gets(version: str) -> Iterator[RecordedGet]:
    """Every recorded 200 GET whose path looks like a metadata collection or object."""
    folders = SHARED_DHIS2 / version / "fixtures" / "recorded-network"
    for index_file in sorted(folders.glob("*/_index.json")):
        index = as_object(read_json(index_file), index_file)
        for entry in as_objects(index["entries"], index_file):
            if entry.get("method") != "GET" or entry.get("statusCode") != 200:
                continue
            url = urlsplit(text_of(entry, "path", index_file))
            match = API_PATH.fullmatch(url.path)
            if match is not None:
                body_file = index_file.parent / text_of(entry, "file", index_file)
                yield RecordedGet(body_file, match["plural"], match["uid"], url.query)
