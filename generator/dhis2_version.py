"""DHIS2 version strings for the generator: the runtime's own parser, loaded by path.

Stage: helper of ``pull`` and ``spec``. The SDK runtime (``generated/dhis2_sdk/runtime``) owns the
one function that reads DHIS2 versions; it imports only the standard library, so this module
loads that single file without importing the SDK package (or pydantic and httpx through it).
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Protocol, cast

RUNTIME_DIR = Path(__file__).resolve().parent.parent / "generated" / "dhis2_sdk" / "runtime"
_MODULE = "_dhis2_sdk_generator_dhis2_version"


class ParsedVersion(Protocol):
    """What the generator reads of a parsed version (``DhisVersion`` in the runtime)."""

    @property
    def key(self) -> str: ...


@cache
def _runtime_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(_MODULE, RUNTIME_DIR / "_dhis2_version.py")
    if spec is None or spec.loader is None:  # pragma: no cover - the file is in the repository
        raise ImportError(f"cannot load {RUNTIME_DIR / '_dhis2_version.py'}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[_MODULE] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


def read_version_key(raw_version: str) -> str | None:
    """``2.42.4-SNAPSHOT`` -> ``v42``, ``42.1.0`` -> ``v42``; ``None`` if it is no DHIS2 version."""
    parsed = cast("ParsedVersion | None", _runtime_module().read_dhis2_version(raw_version))
    return None if parsed is None else parsed.key
