"""Stage ``pull``: read ``/api/system/info`` + ``/api/schemas`` and write a pinned snapshot.

The only module that talks to the network (httpx). It reads from a live DHIS2, or from a
directory of recorded responses (``DIR/system-info.json``, ``DIR/schemas.json``), and writes
one normalised snapshot: keys sorted, schemas sorted by ``klass``, properties by name, only the
keys the generator reads kept (so a live pull and a recorded dump of the same version compare
equal), ``collectionName`` filled in where the dump lacks it, and a sha256 digest of the
content. Hands the snapshot file to ``spec``/``normalise`` through ``schemas/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit, urlunsplit

from pydantic import JsonValue

from generator.collection_keys import DerivedKey, fill_collection_keys, load_corrections
from generator.dhis2_version import read_version_key
from generator.errors import PullError, SnapshotError
from generator.spec import SNAPSHOT_FORMAT, load_json_object, parse_schemas

if TYPE_CHECKING:  # httpx loads only when a live server is pulled: ``generate`` never needs it
    import httpx

SCHEMA_KEYS = frozenset(
    {"apiEndpoint", "displayName", "klass", "metadata", "name", "persisted", "plural", "singular"}
)
PROPERTY_KEYS = frozenset(
    {
        "collection",
        "collectionName",
        "collectionNameDerived",
        "constants",
        "fieldName",
        "itemKlass",
        "itemPropertyType",
        "klass",
        "max",
        "min",
        "name",
        "owner",
        "persisted",
        "propertyType",
        "readable",
        "required",
        "simple",
        "unique",
        "writable",
    }
)
CONNECT_TIMEOUT = 60.0
READ_TIMEOUT = 300.0
RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Credentials:
    """Basic credentials or a personal access token; never printed."""

    username: str | None = None
    password: str | None = None
    token: str | None = None

    def headers(self) -> dict[str, str]:
        """The ``Authorization`` header DHIS2 expects for a token; Basic goes through httpx."""
        return {"Authorization": f"ApiToken {self.token}"} if self.token else {}

    def basic(self) -> httpx.BasicAuth | None:
        """httpx Basic auth, when a username and password were given."""
        import httpx

        if self.username is not None and self.password is not None:
            return httpx.BasicAuth(self.username, self.password)
        return None

    def __repr__(self) -> str:
        kind = "token" if self.token else "basic" if self.username else "none"
        return f"Credentials(kind={kind!r})"


@dataclass(frozen=True, slots=True)
class Dump:
    """The two bodies a snapshot is made from, and where they came from."""

    system_info: dict[str, JsonValue]
    schemas: dict[str, JsonValue]
    source: str


@dataclass(frozen=True, slots=True)
class PulledSnapshot:
    """A snapshot ready to write, with the collection keys ``pull`` had to derive."""

    document: dict[str, JsonValue]
    derived: tuple[DerivedKey, ...]

    @property
    def version_key(self) -> str:
        """``v42``: the generated subpackage this snapshot becomes."""
        return str(self._dhis2().get("versionKey"))

    @property
    def raw_version(self) -> str:
        """The server's version string, e.g. ``2.42.4-SNAPSHOT``."""
        return str(self._dhis2().get("version"))

    def _dhis2(self) -> dict[str, JsonValue]:
        dhis2 = self.document.get("dhis2")
        return dhis2 if isinstance(dhis2, dict) else {}

    @property
    def text(self) -> str:
        """The file content: sorted keys, one-space indent, trailing newline."""
        return json.dumps(self.document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def version_key(raw_version: str) -> str:
    """``2.42.4-SNAPSHOT`` -> ``v42``; ``2.43`` -> ``v43``; ``42.1.0`` (new scheme) -> ``v42``."""
    key = read_version_key(raw_version)
    if key is None:
        raise PullError(
            f"cannot read a DHIS2 version from {raw_version!r}; expected something like '2.42.1'"
        )
    return key


def public_source(url: str) -> str:
    """The server URL as it goes into a snapshot: no credentials, no query, no trailing slash."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def read_dump_dir(directory: Path) -> Dump:
    """Read recorded ``system-info.json`` and ``schemas.json`` from one directory."""
    bodies: dict[str, dict[str, JsonValue]] = {}
    for name in ("system-info.json", "schemas.json"):
        path = directory / name
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise SnapshotError(
                f"{path}: cannot read it ({exc.strerror}); --from-dir wants a directory holding "
                "system-info.json and schemas.json"
            ) from None
        bodies[name] = load_json_object(text, source=str(path))
    return Dump(bodies["system-info.json"], bodies["schemas.json"], f"recorded:{directory.name}")


def fetch_dump(url: str, credentials: Credentials, *, attempts: int = 4) -> Dump:
    """GET ``/api/system/info`` and ``/api/schemas`` from a live DHIS2, retrying faults."""
    base = url.rstrip("/")
    with _client(credentials) as client:
        info = _get_json(client, f"{base}/api/system/info", attempts)
        schemas = _get_json(client, f"{base}/api/schemas", attempts)
    return Dump(info, schemas, public_source(url))


def fetch_system_info(
    url: str, credentials: Credentials, *, attempts: int = 4
) -> dict[str, JsonValue]:
    """GET ``/api/system/info`` alone (which version a server runs), as ``fetch_dump`` does:
    the same retries, and the same errors for bad credentials or an unreachable server."""
    with _client(credentials) as client:
        return _get_json(client, f"{url.rstrip('/')}/api/system/info", attempts)


def _client(credentials: Credentials) -> httpx.Client:
    import httpx

    return httpx.Client(
        timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
        transport=httpx.HTTPTransport(retries=2),  # connection-level retries
        auth=credentials.basic(),
        headers={"Accept": "application/json", **credentials.headers()},
        follow_redirects=True,
    )


def _get_json(client: httpx.Client, url: str, attempts: int) -> dict[str, JsonValue]:
    import httpx

    shown = public_source(url)
    for attempt in range(1, attempts + 1):
        try:
            response = client.get(url)
        except httpx.TransportError as exc:
            if attempt == attempts:
                raise PullError(
                    f"GET {shown} failed after {attempts} attempts: {type(exc).__name__}: {exc}. "
                    "Check the URL and that the server is up."
                ) from None
        else:
            if response.status_code not in RETRY_STATUSES or attempt == attempts:
                return _json_body(response, shown)
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.isdigit():
                time.sleep(min(float(retry_after), 30.0))
                continue
        time.sleep(min(0.5 * 2 ** (attempt - 1), 8.0))
    raise AssertionError("unreachable")  # pragma: no cover


def _json_body(response: httpx.Response, shown: str) -> dict[str, JsonValue]:
    if response.status_code == 401:
        raise PullError(f"GET {shown}: 401 Unauthorized; check --username/--password or --token")
    if response.status_code >= 400:
        raise PullError(
            f"GET {shown}: HTTP {response.status_code}; is this the base URL of a DHIS2 server?"
        )
    return load_json_object(response.content, source=f"GET {shown}")


def build_snapshot(dump: Dump, corrections_path: Path) -> PulledSnapshot:
    """Normalise a dump into snapshot form, deriving missing collection keys."""
    raw_version = dump.system_info.get("version")
    if not isinstance(raw_version, str):
        raise SnapshotError(f"{dump.source}: system info has no 'version' string")
    parse_schemas(dump.schemas, source=f"{dump.source} schemas")  # fail early, with names
    raw_schemas = dump.schemas["schemas"]
    assert isinstance(raw_schemas, list)
    schema_dicts = [s for s in raw_schemas if isinstance(s, dict)]
    filled, derived = fill_collection_keys(schema_dicts, load_corrections(corrections_path))
    derived_ids = {(d.schema_klass, d.field_name) for d in derived if d.source != "collectionName"}
    schemas = sorted(
        (_trim_schema(schema, derived_ids) for schema in filled), key=lambda s: str(s["klass"])
    )
    revision = dump.system_info.get("revision")
    dhis2: dict[str, JsonValue] = {
        "version": raw_version,
        "versionKey": version_key(raw_version),
        "revision": revision if isinstance(revision, str) else None,
    }
    content: dict[str, JsonValue] = {"dhis2": dhis2, "schemas": list[JsonValue](schemas)}
    document: dict[str, JsonValue] = {
        "snapshotFormat": SNAPSHOT_FORMAT,
        "source": dump.source,
        "digest": content_digest(content),
        **content,
    }
    return PulledSnapshot(document, tuple(d for d in derived if d.source != "collectionName"))


def content_digest(content: Mapping[str, JsonValue]) -> str:
    """sha256 over the canonical JSON of a snapshot's ``dhis2`` and ``schemas``."""
    canonical = json.dumps(
        {"dhis2": content["dhis2"], "schemas": content["schemas"]},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _trim_schema(
    schema: Mapping[str, object], derived_ids: set[tuple[str, str]]
) -> dict[str, JsonValue]:
    klass = str(schema.get("klass"))
    trimmed: dict[str, JsonValue] = {
        key: _json(value) for key, value in schema.items() if key in SCHEMA_KEYS
    }
    properties: list[dict[str, JsonValue]] = []
    for prop in _dicts(schema.get("properties")):
        kept = {k: _json(v) for k, v in prop.items() if k in PROPERTY_KEYS}
        if (klass, str(prop.get("fieldName"))) in derived_ids and prop.get("collection"):
            kept["collectionNameDerived"] = True
        properties.append(kept)
    properties.sort(key=lambda p: (str(p.get("name")), str(p.get("fieldName"))))
    trimmed["properties"] = list[JsonValue](properties)
    return trimmed


def _dicts(value: object) -> list[dict[str, object]]:
    """The dict items of a JSON list (anything else is skipped)."""
    if not isinstance(value, list):
        return []
    items = cast("list[object]", value)
    return [cast("dict[str, object]", item) for item in items if isinstance(item, dict)]


def _json(value: object) -> JsonValue:
    """Re-type a value that came out of ``json.loads`` (the collection-key helper returns
    ``object``-typed copies): it already is JSON."""
    return cast("JsonValue", value)


def write_snapshot(snapshot: PulledSnapshot, out: Path) -> None:
    """Write atomically: a temp file in the same directory, then ``os.replace``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(snapshot.text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a snapshot is a normal, shared file
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def update_pins(pins_path: Path, snapshot: PulledSnapshot, image: str | None) -> None:
    """Record, per version, the image tag the snapshot is pinned to, its version and digest."""
    pins: dict[str, JsonValue] = {}
    if pins_path.exists():
        pins = load_json_object(pins_path.read_bytes(), source=str(pins_path))
    key = snapshot.version_key
    previous = pins.get(key)
    previous_image = previous.get("image") if isinstance(previous, dict) else None
    pins[key] = {
        "image": image or previous_image,
        "version": snapshot.raw_version,
        "digest": snapshot.document["digest"],
        "source": snapshot.document["source"],
    }
    text = json.dumps(pins, indent=1, sort_keys=True) + "\n"
    pins_path.write_text(text, encoding="utf-8")


def derived_report(derived: Sequence[DerivedKey]) -> list[str]:
    """One line per derived collection key, for the user to review."""
    return [
        f"  {d.schema_klass}.{d.field_name}: {d.wire_key!r} ({d.source})"
        for d in sorted(derived, key=lambda d: (d.schema_klass, d.field_name))
    ]
