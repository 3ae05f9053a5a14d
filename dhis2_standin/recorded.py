"""The metadata a stand-in starts with unless told otherwise: a real DHIS2's, as recorded.

The source is the ``GET /api/dataEntry/metadata`` body that dhis2/aggregate-data-entry-app
recorded against DHIS2's Sierra Leone demo database (``vNN/fixtures/recorded-network/
aggregate-data-entry-app/GET__dataEntry_metadata.json`` in the shared recordings): about 600
data elements (``fbfJHSPpUQD`` is "ANC 1st visit"), 26 data sets, their category combos,
categories, category options, indicators and option sets. It is read from the recordings at
start-up, never copied. A data dir without its own recording (2.42 has none) takes the nearest
recorded version's, the older one on a tie: an older server's objects are the likelier to fit
a newer server's schemas.

That endpoint writes two things differently from ``/api/{plural}``, so they are reshaped:

* references listed as bare UIDs (``"categories": ["GLevLNI9wkl"]``) become ``{"id": …}``;
* it was asked for ``displayName``/``displayShortName``/``displayDescription``, not always for
  ``name``/``shortName``/``description``; with no translations (the stand-in has none) the
  displayed value is the value itself, so a missing one is taken from it.
"""

from __future__ import annotations

import re
from pathlib import Path

from dhis2_standin.data import DataDir
from dhis2_standin.jsontypes import JsonObject, JsonValue, parse_object
from dhis2_standin.uids import is_uid

RECORDING = Path("fixtures/recorded-network/aggregate-data-entry-app/GET__dataEntry_metadata.json")
_VERSION_DIR = re.compile(r"^v(\d+)$")
_DISPLAYED = {"name": "displayName", "shortName": "displayShortName"}
_DISPLAYED["description"] = "displayDescription"


class RecordedMetadataError(ValueError):
    """No recorded metadata near a data dir, or a recording that cannot be read."""


def recorded_metadata_path(data: DataDir) -> Path:
    """The recording for ``data``'s version: its own, else the nearest sibling ``vNN``'s."""
    own = data.path / RECORDING
    if own.is_file():
        return own
    found: list[tuple[int, int, Path]] = []
    for sibling in data.path.parent.iterdir():
        match = _VERSION_DIR.match(sibling.name)
        if match is not None and (sibling / RECORDING).is_file():
            version = int(match.group(1))
            found.append((abs(version - data.api_version), version, sibling / RECORDING))
    if not found:
        raise RecordedMetadataError(
            f"no recorded metadata for {data.path} (looked for {RECORDING} there and in the "
            f"vNN folders beside it): start with --empty, or preload a file with --metadata"
        )
    return min(found)[2]


def _references(value: JsonValue) -> JsonValue:
    """Bare UIDs in lists as ``{"id": uid}``, at any depth."""
    if isinstance(value, dict):
        return {key: _references(item) for key, item in value.items()}
    if isinstance(value, list):
        return [{"id": item} if is_uid(item) else _references(item) for item in value]
    return value


def _undisplayed(obj: JsonObject) -> JsonObject:
    for key, displayed in _DISPLAYED.items():
        value = obj.get(displayed)
        if key not in obj and isinstance(value, str):
            obj[key] = value
    return obj


def recorded_metadata(path: Path) -> JsonObject:
    """The recording at ``path`` as an ``/api/metadata`` import payload."""
    try:
        body = parse_object(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise RecordedMetadataError(f"{path}: {exc}") from exc
    payload: JsonObject = {}
    for plural, objects in body.items():
        if isinstance(objects, list):
            payload[plural] = [
                _undisplayed(obj) for obj in map(_references, objects) if isinstance(obj, dict)
            ]
    return payload
