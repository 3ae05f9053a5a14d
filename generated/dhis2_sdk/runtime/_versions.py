"""The one dispatch point from the runtime to the generated ``vNN`` version packages.

Stage: runtime (hand-written). Nothing else in the runtime imports a generated version: the
client asks this module which versions exist (``available_versions``), which one serves a server
(``select_version``) and for that version's models (``load_version``).

Versions are discovered, not listed: every ``vNN`` subpackage beside ``runtime`` in the parent
package counts, so a package generated for more or fewer DHIS2 versions (or vendored under
another name) needs no change here.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import cast

from ._dhis2_version import DhisVersion, read_dhis2_version
from ._errors import UnsupportedVersionError
from ._model import Dhis2Model

__all__ = [
    "GeneratedVersion",
    "available_versions",
    "load_version",
    "parse_version",
    "select_version",
]

_KEY_RE = re.compile(r"\Av(\d+)\Z")


def parse_version(raw: str) -> DhisVersion:
    """Parse DHIS2's ``/api/system/info`` ``version`` string.

    Accepts ``2.42``, ``2.42.1``, ``2.41.8.1``, ``2.42.4-SNAPSHOT``, ``2.43-SNAPSHOT``,
    ``2.40.2.2-EMBARGOED`` and the like; raises ``UnsupportedVersionError`` otherwise.
    """
    version = read_dhis2_version(raw)
    if version is None:
        raise UnsupportedVersionError(
            f"Cannot read the DHIS2 version {raw!r} reported by /api/system/info (expected "
            "something like '2.42.1'). Pass version='v42' to Dhis2Client to choose the "
            "generated version yourself.",
            server_version=raw,
            available=available_versions(),
        )
    return version


def normalize_version_key(value: str) -> str:
    """``"v42"``, ``"42"``, ``"2.42"`` or ``"2.42.1"`` → ``"v42"``; ``ValueError`` otherwise."""
    text = value.strip()
    if _KEY_RE.match(text):
        return f"v{int(text[1:])}"
    if text.isdigit():
        return f"v{int(text)}"
    version = read_dhis2_version(text)
    if version is not None:
        return version.key
    raise ValueError(f"Not a DHIS2 version: {value!r} (write it as 'v42', '42' or '2.42')")


def _parent_package() -> str:
    """The package that holds ``runtime`` and the ``vNN`` packages (``dhis2_sdk`` normally)."""
    return (__package__ or __name__.rpartition(".")[0]).rpartition(".")[0]


def available_versions(package: str | None = None) -> tuple[str, ...]:
    """The generated version keys beside the runtime, sorted numerically (``("v41", "v42")``)."""
    name = package if package is not None else _parent_package()
    if not name:
        return ()
    parent = importlib.import_module(name)
    path = getattr(parent, "__path__", None)
    if path is None:
        return ()
    keys = {
        info.name
        for info in pkgutil.iter_modules(cast(list[str], path))
        if info.ispkg and _KEY_RE.match(info.name)
    }
    return tuple(sorted(keys, key=lambda key: int(key[1:])))


@dataclass(frozen=True, slots=True)
class GeneratedVersion:
    """One loaded ``vNN`` package: its key, the snapshot version and its model registry."""

    key: str
    raw_version: str
    models: Mapping[str, type[Dhis2Model]]
    module: ModuleType


def load_version(key: str, package: str | None = None) -> GeneratedVersion:
    """Import the generated package for ``key`` (``"v42"`` or ``"42"``)."""
    key = normalize_version_key(key)
    name = package if package is not None else _parent_package()
    available = available_versions(name)
    if key not in available:
        raise UnsupportedVersionError(
            f"This SDK has no generated {key} package; it has {_listing(available)}. "
            "Choose one of those, or regenerate the SDK with that DHIS2 version's schemas.",
            server_version=None,
            available=available,
        )
    module = importlib.import_module(f"{name}.{key}")
    models: object = getattr(module, "MODELS", None)
    raw_version: object = getattr(module, "RAW_VERSION", None)
    if not isinstance(models, Mapping) or not isinstance(raw_version, str):
        raise UnsupportedVersionError(
            f"{module.__name__} does not look like a generated version package (it needs "
            "MODELS and RAW_VERSION); regenerate the SDK.",
            server_version=None,
            available=available,
        )
    return GeneratedVersion(
        key=key,
        raw_version=raw_version,
        models=cast(Mapping[str, type[Dhis2Model]], models),
        module=module,
    )


def select_version(
    server: DhisVersion,
    available: tuple[str, ...],
    *,
    pinned: str | None = None,
    allow_fallback: bool = False,
) -> str:
    """Choose the generated version for a server, or raise ``UnsupportedVersionError``.

    * no pin: the exact ``vNN``; else, with ``allow_fallback``, the nearest lower one;
    * pinned: the pin itself if it matches the server, or (with ``allow_fallback``) if it is
      older than the server; never a pin newer than the server.
    """
    numbers = sorted(int(key[1:]) for key in available)
    wanted = server.line
    if pinned is not None:
        pin = int(normalize_version_key(pinned)[1:])
        if pin not in numbers:
            raise UnsupportedVersionError(
                f"The client is pinned to v{pin}, but this SDK has {_listing(available)}. "
                "Pin one of those, or regenerate the SDK for that version.",
                server_version=server.raw,
                available=available,
            )
        if pin == wanted or (allow_fallback and pin < wanted):
            return f"v{pin}"
        advice = (
            f"Use version='v{wanted}' ({_parent_package()}.v{wanted}.Dhis2Client)"
            if wanted in numbers
            else "Use a server of the pinned version"
        )
        fallback = (
            " or allow_version_fallback=True to use older models against a newer server"
            if pin < wanted
            else ""
        )
        raise UnsupportedVersionError(
            f"The client is pinned to v{pin}, but the server runs DHIS2 {server.raw}. "
            f"{advice}{fallback}.",
            server_version=server.raw,
            available=available,
        )
    if wanted in numbers:
        return f"v{wanted}"
    lower = [number for number in numbers if number < wanted]
    if allow_fallback and lower:
        return f"v{lower[-1]}"
    if lower:
        advice = (
            f"Pass allow_version_fallback=True to use the nearest lower version (v{lower[-1]}), "
            "which may lack fields and endpoints added since, or regenerate the SDK for "
            f"DHIS2 2.{wanted}."
        )
    else:
        advice = (
            f"The oldest version this SDK supports is v{numbers[0]}: use an older SDK release "
            f"or regenerate it for DHIS2 2.{wanted}."
            if numbers
            else "This SDK has no generated versions at all: regenerate it."
        )
    raise UnsupportedVersionError(
        f"The server runs DHIS2 {server.raw}, but this SDK has {_listing(available)}. {advice}",
        server_version=server.raw,
        available=available,
    )


def _listing(available: tuple[str, ...]) -> str:
    return "generated versions " + ", ".join(available) if available else "no generated versions"
