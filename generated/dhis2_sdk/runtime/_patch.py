"""Typed JSON Patch operations (RFC 6902) for ``Resource.patch``: what DHIS2's PATCH takes.

Stage: runtime (hand-written). ``{"op": "replace", "path": "/name", "value": "ANC 1"}``;
``move``/``copy`` name a ``"from"`` path, ``remove`` has no value.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict

from pydantic import JsonValue

__all__ = ["PatchOperation"]

PatchOp: TypeAlias = Literal["add", "remove", "replace", "move", "copy", "test"]

PatchOperation = TypedDict(
    "PatchOperation",
    {"op": PatchOp, "path": str, "value": NotRequired[JsonValue], "from": NotRequired[str]},
)
"""One JSON Patch operation; ``path`` is a JSON pointer into the object (``/name``)."""
