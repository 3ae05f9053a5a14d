"""The hand-written runtime every generated ``dhis2_sdk`` package carries.

Stage: runtime (not generated). The generator copies this folder verbatim into
``dhis2_sdk/runtime/``; it is checked by ruff and pyright where it stands.

Importing this package is cheap on purpose: generated model modules import
``runtime.model`` and must not pay for httpx. Public names load on first access
(PEP 562); ``_EXPORTS`` maps each public name to the module that defines it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Dhis2DateTime as Dhis2DateTime
    from .model import Dhis2Enum as Dhis2Enum
    from .model import Dhis2Model as Dhis2Model
    from .model import LazyModels as LazyModels
    from .model import Reference as Reference

_EXPORTS: dict[str, str] = {
    "Dhis2DateTime": "model",
    "Dhis2Enum": "model",
    "Dhis2Model": "model",
    "LazyModels": "model",
    "Reference": "model",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
