"""``LazyModels``: the ``MODELS`` mapping of a generated version, importing a model on first use.

Stage: runtime. Imports nothing heavy, so that ``import dhis2_sdk.v42`` stays next to free;
pydantic loads with the first model.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from ._model import Dhis2Model

__all__ = ["LazyModels"]


class LazyModels(Mapping[str, "type[Dhis2Model]"]):
    """``MODELS`` of one version: collection key -> model class, imported on first access."""

    def __init__(self, package: str, entries: Mapping[str, tuple[str, str]]) -> None:
        self._package = package
        self._entries = dict(entries)
        self._loaded: dict[str, type[Dhis2Model]] = {}

    def __getitem__(self, key: str) -> type[Dhis2Model]:
        loaded = self._loaded.get(key)
        if loaded is not None:
            return loaded
        module_name, class_name = self._entries[key]
        module = importlib.import_module(module_name, self._package)
        model = cast("type[Dhis2Model]", getattr(module, class_name))
        self._loaded[key] = model
        return model

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __repr__(self) -> str:
        return f"LazyModels({self._package!r}, {len(self._entries)} collections)"
