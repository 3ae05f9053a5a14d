"""Cross-check against datamodel-code-generator (DCG, 0.89.0): rendered from the committed
``generated/dhis2_sdk/vNN/schema.json``, DCG's pydantic v2 models accept exactly the recorded
objects our generated models accept (all of them), and both dump each back to the input JSON.

The objects are those of ``test_recorded_payloads.py``: every recorded metadata GET object of the
version, plus dhis2-core's ``/api/metadata`` import payloads. Each version is rendered once per
session into a temp dir and imported from the file.

Measured on the 2-core dev machine (CPU time, quick script, not asserted):

* rendering one version takes DCG 3.4-3.6 s in a fresh process (about 0.8 s of it DCG's lazy
  imports on first use) and 2.7 s for each further version, so this module spends ~10 s on setup;
* DCG's module (unformatted, ``formatters=[]``) has 4,908 / 4,806 / 4,760 lines (v41 / v42 / v43,
  ~275 KiB) for 201 classes; our v42 has 120 model files plus ``enums.py``, ~21,000 lines (one
  ``Field(...)`` argument per line, docstrings);
* import + first ``DataElement.model_validate`` (v42, pydantic already imported): DCG's module
  ~395 ms, all of it import (all 201 classes are built then), first validation <1 ms; ours ~92 ms
  (68 ms to import the package and ``data_element`` with its dependencies, 24 ms to build the
  deferred validator on first use); after that both take ~7 µs per validation.

What DCG keeps of the schema, with the options below:

* aliases: kept — properties are keyed by wire names and ``snake_case_field`` turns each into
  ``Field(alias=wire)``; DCG ignores ``x-python-name`` but its own snake_case gives the same
  Python name for every property of every version (``test_dcg_names_match_ours``). Without
  ``allow_population_by_field_name``, though, ``DataElement(value_type="TEXT")`` leaves
  ``value_type`` None and keeps the keyword as an extra key.
* ``readOnly``: lost — no trace in DCG's models by default (``field_include_all_keys`` would copy
  it into ``json_schema_extra``, ``read_only_write_only_model_type`` would add ``…Request``
  models without those fields), so a DCG dump sends read-only fields back.
* extras: kept — ``additionalProperties: true`` with ``extra_fields="allow"`` gives
  ``extra="allow"`` and unknown keys dump back; the ``x-dhis2-*`` keywords are dropped unless
  ``field_extra_keys``/``model_extra_keys`` name them.
* timestamps: accepted as naive ``datetime`` (``output_datetime_class``), but dumped in pydantic's
  ISO form, not DHIS2's; unknown enum constants are rejected, where ours keeps them
  (``test_where_dcg_differs``).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import cast

import pytest
from datamodel_code_generator import DatetimeClassType, InputFileType, PythonVersion, generate
from datamodel_code_generator.enums import DataModelType
from pydantic import BaseModel, ValidationError

from dhis2_sdk.runtime._model import Dhis2Model
from tests.paths import GENERATED, VERSIONS
from tests.sdk.models_index import models_by_plural
from tests.sdk.recorded_objects import import_payload_objects, recorded_get_objects

pytestmark = pytest.mark.slow

# A timestamp as DHIS2 sends it: no zone, milliseconds (or none).
DHIS2_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?")


def render_with_dcg(version: str, out: Path) -> None:
    """Render ``version``'s ``schema.json`` into one module at ``out``."""
    generate(
        GENERATED / "dhis2_sdk" / version / "schema.json",
        input_file_type=InputFileType.JsonSchema,
        output_model_type=DataModelType.PydanticV2BaseModel,
        output=out,
        target_python_version=PythonVersion.PY_311,
        # DHIS2's timestamps carry no zone: the default AwareDatetime rejects every one.
        output_datetime_class=DatetimeClassType.Datetime,
        # Every object schema allows additional properties; keep them, as our models do.
        extra_fields="allow",
        snake_case_field=True,
        disable_timestamp=True,
        # Unformatted: black and isort add seconds and change nothing that is checked here.
        formatters=[],
    )


@pytest.fixture(scope="module", params=VERSIONS)
def dcg_module(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, ModuleType]]:
    """``(version, DCG's module for it)``; pydantic resolves the module's postponed
    annotations through ``sys.modules``, so it is registered while in use."""
    version = cast(str, request.param)
    out = tmp_path_factory.mktemp("dcg") / f"dcg_{version}.py"
    render_with_dcg(version, out)
    name = f"dcg_crosscheck_{version}"
    spec = importlib.util.spec_from_file_location(name, out)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        yield version, module
    finally:
        del sys.modules[name]


def dcg_model(module: ModuleType, model: type[Dhis2Model]) -> type[BaseModel]:
    """DCG's class for ``model`` (DCG names each class after its ``$defs`` key, as we do)."""
    found: object = getattr(module, model.__name__, None)
    assert isinstance(found, type), f"DCG rendered no class {model.__name__}"
    assert issubclass(found, BaseModel)
    return found


def with_input_timestamps(dumped: object, original: object) -> object:
    """``dumped`` with each timestamp string spelled as in ``original`` where both name the same
    instant: DCG's plain ``datetime`` dumps pydantic's ISO form (``…:52.123000``, ``…:00`` for
    ``…:00.000``) where DHIS2 sent milliseconds. Nothing else is changed."""
    if isinstance(dumped, dict) and isinstance(original, dict):
        dumped_map = cast(dict[str, object], dumped)
        original_map = cast(dict[str, object], original)
        return {
            key: with_input_timestamps(value, original_map.get(key))
            for key, value in dumped_map.items()
        }
    if isinstance(dumped, list) and isinstance(original, list):
        dumped_items = cast(list[object], dumped)
        original_items = cast(list[object], original)
        if len(dumped_items) != len(original_items):
            return dumped_items
        return [
            with_input_timestamps(value, before)
            for value, before in zip(dumped_items, original_items, strict=True)
        ]
    if (
        isinstance(dumped, str)
        and isinstance(original, str)
        and DHIS2_TIMESTAMP.fullmatch(dumped)
        and DHIS2_TIMESTAMP.fullmatch(original)
        and datetime.fromisoformat(dumped) == datetime.fromisoformat(original)
    ):
        return original
    return cast(object, dumped)


def validates(model: type[BaseModel], obj: dict[str, object]) -> BaseModel | None:
    try:
        return model.model_validate(obj)
    except ValidationError:
        return None


def test_dcg_accepts_and_dumps_what_ours_does(dcg_module: tuple[str, ModuleType]) -> None:
    version, module = dcg_module
    objects = recorded_get_objects(version) + import_payload_objects(version)
    assert len(objects) > 600
    failures: list[str] = []
    for label, model, obj in objects:
        ours = validates(model, obj)
        theirs = validates(dcg_model(module, model), obj)
        if (ours is None) != (theirs is None):
            failures.append(
                f"{label}: ours validates: {ours is not None}, DCG: {theirs is not None}"
            )
            continue
        if ours is None or theirs is None:
            continue
        if ours.model_dump(mode="json", by_alias=True, exclude_unset=True) != obj:
            failures.append(f"{label}: our {model.__name__} does not dump back to the input")
        dumped = theirs.model_dump(mode="json", by_alias=True, exclude_unset=True)
        if with_input_timestamps(dumped, obj) != obj:
            failures.append(f"{label}: DCG's {model.__name__} does not dump back to the input")
    assert failures == []


def test_dcg_names_match_ours(dcg_module: tuple[str, ModuleType]) -> None:
    """DCG's snake_case of each wire name is the Python name our naming module chose."""
    version, module = dcg_module
    package = importlib.import_module(f"dhis2_sdk.{version}")
    compared = 0
    for name in package.__all__:
        model: object = getattr(package, name)
        if not (isinstance(model, type) and issubclass(model, Dhis2Model)) or name == "Metadata":
            continue  # Metadata is the /api/metadata document, not a schema of schema.json
        model.model_rebuild()  # resolves forward references (v41's tracker cycle) and aliases
        ours = {(f.serialization_alias or f.alias or n): n for n, f in model.model_fields.items()}
        fields = dcg_model(module, model).model_fields
        theirs = {(f.alias or n): n for n, f in fields.items()}
        assert theirs == ours, model.__name__
        compared += len(ours)
    assert compared > 3000


def test_where_dcg_differs(dcg_module: tuple[str, ModuleType]) -> None:
    """The differences the cross-check allows for, as a user meets them."""
    version, module = dcg_module
    ours = models_by_plural(version)["dataElements"]
    theirs = dcg_model(module, ours)

    def dcg_dump(obj: Mapping[str, object]) -> dict[str, object]:
        return theirs.model_validate(obj).model_dump(mode="json", by_alias=True, exclude_unset=True)

    timestamps = {"created": "2024-01-19T14:47:31.788", "lastUpdated": "2024-01-19T14:47:31.000"}
    assert ours.model_validate(timestamps).to_wire() == timestamps
    assert dcg_dump(timestamps) == {
        "created": "2024-01-19T14:47:31.788000",
        "lastUpdated": "2024-01-19T14:47:31",
    }

    read_only = {"name": "ANC 1st visit", "displayName": "ANC 1st visit"}
    assert ours.model_validate(read_only).to_write_payload() == {"name": "ANC 1st visit"}
    assert dcg_dump(read_only) == read_only  # DCG has no write payload without read-only keys

    newer_constant = {"valueType": "NOT_IN_THIS_VERSION"}
    assert ours.model_validate(newer_constant).to_wire() == newer_constant
    with pytest.raises(ValidationError, match="valueType"):
        theirs.model_validate(newer_constant)
