"""Child process of ``generator_bench.py``: typed validation of recorded DHIS2 payloads.

Run in a fresh interpreter per measurement so that one-off costs (importing model modules,
building pydantic schemas, which ``defer_build`` postpones to first use) are really paid once:

    python benchmarks/_validate_payload.py pick core|recorded VERSION   warm timings
    python benchmarks/_validate_payload.py build VERSION FILE           one-off cost for FILE
    python benchmarks/_validate_payload.py full VERSION                 a model of every collection
    python benchmarks/_validate_payload.py compare VERSION ROUNDS [MAX]  every payload, side by side

``compare`` times, for every ``core`` and ``recorded`` payload of ``VERSION`` that validates (the
``MAX`` smallest when given, for a smoke run), in ``ROUNDS`` interleaved rounds: ``json.loads``,
``validate_json`` with the collector on, the same inside ``gc_paused()`` (what the client does),
and dhis2w-client's models of the same classes when that package is importable here: by
``validate_json`` like ours, and by its client's own path (``json.loads``, then
``model_validate`` per item, as its generated list methods do). CPU time
of this process (``time.process_time``), the best of 3 samples per round: a busy machine
distorts it far less than wall time, and only ever upwards.

``pick`` takes the largest candidate that validates: for ``core`` the ``/api/metadata`` import
payloads in ``unversioned/dhis2-core-test-payloads``, for ``recorded`` the recorded responses
of ``VERSION`` shaped ``{plural: [objects], "pager"?: ...}`` for plurals the version models.
Larger files that do not validate (other endpoints' shapes, ``children::size`` transformers) are
listed with the first error. Prints one JSON object on stdout.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import GenericAlias
from typing import TypeVar, cast

from _common import SHARED, per_call_seconds
from pydantic import BaseModel, Field, TypeAdapter, ValidationError, create_model

from dhis2_sdk.runtime._gc import gc_paused
from dhis2_sdk.runtime._model import Dhis2Model

Models = Mapping[str, type[Dhis2Model]]
M = TypeVar("M", bound=Dhis2Model)
LIST_ENVELOPE_KEYS = frozenset({"pager"})

# Typed loosely on purpose: pyright checks ``**fields`` against create_model's own keyword
# parameters (``__config__``, ``__base__`` ...), which the field names ``c0, c1 ...`` never hit.
make_model: Callable[..., type[BaseModel]] = create_model


def list_of(model: type[M]) -> type[list[M]]:
    """``list[model]`` for a model class known only at run time."""
    return cast("type[list[M]]", GenericAlias(list, (model,)))


def version_models(version: str) -> Models:
    """``MODELS`` of ``dhis2_sdk.<version>``: collection key -> model (imported lazily)."""
    package = importlib.import_module(f"dhis2_sdk.{version}")
    return cast("Models", package.MODELS)


def payload_model(models: Models, plurals: list[str]) -> type[BaseModel]:
    """A model of ``{plural: [Model, ...]}`` for the given collection keys."""
    fields = {
        # default=[] (copied per instance), not default_factory=list: pydantic inspects the
        # signature of every default factory, a cost of this payload model, not of the SDK.
        f"c{index}": (list_of(models[plural]), Field(default=[], alias=plural))
        for index, plural in enumerate(plurals)
    }
    return make_model("Payload", **fields)


def collection_keys(body: object, models: Models, *, envelope: frozenset[str]) -> list[str]:
    """The plurals of a ``{plural: [...]}`` body, or ``[]`` when it has another shape."""
    if not isinstance(body, dict):
        return []
    typed = cast("dict[str, object]", body)
    plurals = [key for key, value in typed.items() if key in models and isinstance(value, list)]
    others = set(typed) - set(plurals)
    return plurals if plurals and others <= envelope else []


def candidates(source: str, version: str, models: Models) -> list[tuple[Path, list[str]]]:
    """Files of ``source`` with a ``{plural: [...]}`` body, largest first."""
    if source == "core":
        files = sorted((SHARED / "unversioned" / "dhis2-core-test-payloads").glob("*.json"))
        envelope: frozenset[str] = frozenset()
    else:
        folders = SHARED / version / "fixtures" / "recorded-network"
        files = [p for p in sorted(folders.glob("*/*.json")) if p.name != "_index.json"]
        envelope = LIST_ENVELOPE_KEYS
    found: list[tuple[Path, list[str]]] = []
    for path in files:
        try:
            body: object = json.loads(path.read_bytes())
        except ValueError:
            continue
        plurals = collection_keys(body, models, envelope=envelope)
        if plurals:
            found.append((path, plurals))
    found.sort(key=lambda item: item[0].stat().st_size, reverse=True)
    return found


def first_error(error: ValidationError) -> str:
    """``N errors, first at a.b.0: message`` for a skipped file."""
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    return f"{error.error_count()} errors, first at {location}: {first['msg']}"


def pick(source: str, version: str) -> dict[str, object]:
    """Warm timings for the largest ``source`` payload that validates against ``version``."""
    models = version_models(version)
    skipped: list[str] = []
    for path, plurals in candidates(source, version, models):
        raw = path.read_bytes()
        model = payload_model(models, plurals)
        try:
            model.model_validate_json(raw)
        except ValidationError as error:
            skipped.append(
                f"{path.relative_to(SHARED)} ({path.stat().st_size // 1024} KB): "
                f"{first_error(error)}"
            )
            continue
        return {**warm_timings(models, path, plurals, model), "skipped": skipped}
    return {"file": None, "skipped": skipped}


def warm_timings(
    models: Models, path: Path, plurals: list[str], model: type[BaseModel]
) -> dict[str, object]:
    """Median seconds per call: json.loads, validate_json, json.loads + validate_python."""
    raw = path.read_bytes()
    adapters: dict[str, TypeAdapter[list[Dhis2Model]]] = {
        plural: TypeAdapter(list_of(models[plural])) for plural in plurals
    }

    def loads_then_validate() -> None:
        body = cast("dict[str, object]", json.loads(raw))
        for plural, adapter in adapters.items():
            adapter.validate_python(body[plural])

    loads_then_validate()
    body = cast("dict[str, list[object]]", json.loads(raw))
    return {
        "file": str(path.relative_to(SHARED)),
        "bytes": len(raw),
        "objects": sum(len(body[plural]) for plural in plurals),
        "collections": len(plurals),
        "json_loads": per_call_seconds(lambda: json.loads(raw)),
        "validate_json": per_call_seconds(lambda: model.model_validate_json(raw)),
        "loads_validate_python": per_call_seconds(loads_then_validate),
    }


def build(version: str, path: Path) -> dict[str, object]:
    """One-off costs in this fresh process: import the models, build, validate once."""
    raw = path.read_bytes()
    started = time.perf_counter()
    models = version_models(version)
    plurals = collection_keys(json.loads(raw), models, envelope=LIST_ENVELOPE_KEYS)
    classes = [models[plural] for plural in plurals]
    imported = time.perf_counter()
    model = payload_model(models, plurals)
    model.model_validate_json(raw)
    first = time.perf_counter()
    steady = per_call_seconds(lambda: model.model_validate_json(raw), samples=3)
    return {
        "import": imported - started,
        "first_validation": first - imported,
        "steady_validation": steady,
        "models": len(classes),
    }


def full(version: str) -> dict[str, object]:
    """One-off costs of a model with every collection of ``version`` (a whole metadata export)."""
    started = time.perf_counter()
    models = version_models(version)
    plurals = sorted(models)
    classes = [models[plural] for plural in plurals]
    imported = time.perf_counter()
    model = payload_model(models, plurals)
    model.model_validate_json(b"{}")
    built = time.perf_counter()
    return {"collections": len(classes), "import": imported - started, "build": built - imported}


def peer_models(version: str, models: Models) -> Mapping[str, type[BaseModel]]:
    """dhis2w-client's model of each collection (matched by class name), or ``{}``."""
    try:
        schemas = importlib.import_module(f"dhis2w_client.generated.{version}.schemas")
    except ImportError:
        return {}
    return {
        plural: cast("type[BaseModel]", getattr(schemas, model.__name__))
        for plural, model in models.items()
        if hasattr(schemas, model.__name__)
    }


def compare(version: str, rounds: int, limit: int | None) -> list[dict[str, object]]:
    """Per payload: seconds per call of each way to read it, one list entry per round."""
    models = version_models(version)
    peers = peer_models(version, models)
    found: list[dict[str, object]] = []
    picked = [c for source in ("core", "recorded") for c in candidates(source, version, models)]
    picked.sort(key=lambda item: item[0].stat().st_size)
    for path, plurals in picked:
        raw = path.read_bytes()
        ours = payload_model(models, plurals)
        try:
            ours.model_validate_json(raw)
        except ValidationError:
            continue
        peer: type[BaseModel] | None = None
        peer_items: dict[str, type[BaseModel]] = {}
        if all(plural in peers for plural in plurals):
            peer_items = {plural: peers[plural] for plural in plurals}
            peer = make_model(
                "PeerPayload",
                **{
                    f"c{index}": (list_of_any(peers[plural]), Field(default=[], alias=plural))
                    for index, plural in enumerate(plurals)
                },
            )
            try:
                peer.model_validate_json(raw)
            except ValidationError:
                peer, peer_items = None, {}
        found.append(time_rounds(path, raw, ours, (peer, peer_items), rounds))
        if limit is not None and len(found) >= limit:
            break
    return found


def list_of_any(model: type[BaseModel]) -> type[list[BaseModel]]:
    """``list[model]`` for a peer model class known only at run time."""
    return cast("type[list[BaseModel]]", GenericAlias(list, (model,)))


def peer_client_path(raw: bytes, items: Mapping[str, type[BaseModel]]) -> None:
    """What dhis2w-client's generated list methods do with a response (``list_raw`` returns
    ``response.json()``, then ``[Model.model_validate(item) for item in items]``)."""
    body = cast("dict[str, list[object]]", json.loads(raw))
    for plural, model in items.items():
        for item in body[plural]:
            model.model_validate(item)


def time_rounds(
    path: Path,
    raw: bytes,
    ours: type[BaseModel],
    peer: tuple[type[BaseModel] | None, Mapping[str, type[BaseModel]]],
    rounds: int,
) -> dict[str, object]:
    """Interleaved rounds of per-call times (the best of 3 samples each: on a shared machine
    interference only adds time), so that load drifts hit every column alike.
    ``peer`` is dhis2w-client's payload model (``validate_json``, as ours) and its models per
    collection (for its client's own path), when that package is importable here."""
    body = cast("dict[str, object]", json.loads(raw))
    peer_model, peer_items = peer

    def paused() -> None:
        with gc_paused():
            ours.model_validate_json(raw)

    ways: dict[str, Callable[[], object]] = {
        "json_loads": lambda: json.loads(raw),
        "ours_gc_on": lambda: ours.model_validate_json(raw),
        "ours_gc_paused": paused,
    }
    if peer_model is not None:
        ways["peer_gc_on"] = lambda: peer_model.model_validate_json(raw)
        ways["peer_client_path"] = lambda: peer_client_path(raw, peer_items)
    samples: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(rounds):
        for name, way in ways.items():
            samples[name].append(
                per_call_seconds(way, samples=3, clock=time.process_time, statistic=min)
            )
    objects = sum(len(cast("list[object]", v)) for v in body.values() if isinstance(v, list))
    return {
        "file": str(path.relative_to(SHARED)),
        "bytes": len(raw),
        "objects": objects,
        **samples,
    }


def main(argv: list[str]) -> int:
    """Dispatch on the first argument; print the result as JSON."""
    match argv:
        case ["pick", source, version] if source in ("core", "recorded"):
            result = pick(source, version)
        case ["build", version, file]:
            result = build(version, Path(file))
        case ["full", version]:
            result = full(version)
        case ["compare", version, rounds, *limit] if len(limit) <= 1:
            print(json.dumps(compare(version, int(rounds), int(limit[0]) if limit else None)))
            return 0
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
