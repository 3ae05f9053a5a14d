"""Every generated model of a version, keyed by ``dhis2_plural``, by importing them all."""

from __future__ import annotations

import functools
import importlib

from dhis2_sdk.runtime._model import Dhis2Model


@functools.cache
def models_by_plural(version: str) -> dict[str, type[Dhis2Model]]:
    """Import every model module of ``dhis2_sdk.<version>`` (this also proves they import)."""
    package = importlib.import_module(f"dhis2_sdk.{version}")
    result: dict[str, type[Dhis2Model]] = {}
    for name in package.__all__:
        value = getattr(package, name)
        if isinstance(value, type) and issubclass(value, Dhis2Model) and value.dhis2_plural:
            result[value.dhis2_plural] = value
    return result
