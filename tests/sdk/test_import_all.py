"""Every model of every version imports, builds its validator and validates an empty object;
importing a version package alone loads no model and not even pydantic."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from dhis2_sdk.runtime._model import Dhis2Enum, Dhis2Model
from tests.paths import GENERATED, VERSIONS


@pytest.mark.parametrize("version", VERSIONS)
def test_every_model_and_enum_loads(version: str) -> None:
    package = importlib.import_module(f"dhis2_sdk.{version}")
    models = enums = 0
    for name in package.__all__:
        value: object = getattr(package, name)
        if isinstance(value, type) and issubclass(value, Dhis2Model):
            instance = value.model_validate({})
            assert instance.to_wire() == {}
            schema = value.model_json_schema()
            # A model in an embedding cycle (v41's tracker Event) is a $ref into its own $defs.
            assert schema.get("type") == "object" or "$ref" in schema
            models += 1
        elif isinstance(value, type) and issubclass(value, Dhis2Enum):
            assert len(value.__members__) > 0
            enums += 1
    assert models > 100
    assert enums > 70
    assert len(package.MODELS) > 70
    assert all(issubclass(package.MODELS[key], Dhis2Model) for key in package.MODELS)


def test_importing_a_version_loads_neither_models_nor_pydantic() -> None:
    probe = (
        "import sys; import dhis2_sdk.v42 as v; "
        "print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'httpx', "
        "'dhis2_sdk.v42.models.', 'dhis2_sdk.v42.enums')))); "
        "v.DataElement; print('pydantic' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(GENERATED)},
    )
    assert done.stdout.splitlines() == ["[]", "True"]
