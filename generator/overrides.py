"""Input of stage ``normalise``: the reviewed table of manual renames, read strictly.

``schemas/name-overrides.json`` (beside the first snapshot) holds::

    {"classes": {"org.hisp.dhis.x.Klass": "NewName"},
     "fields": {"org.hisp.dhis.x.Klass": {"wireName": "python_name"}}}

Both keys are optional and a missing file means no renames. Anything else is an
:class:`~generator.errors.OverridesError` naming the file and the entry: an unknown key, an entry of
the wrong shape, a key that is not a Java class name, or a rename to a name the generator would not
write itself (see :func:`generator.names.override_field_problem` and
:func:`~generator.names.override_class_problem`). Hands :class:`NameOverrides` to ``normalise``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal, NoReturn

from pydantic import JsonValue

from generator import names
from generator.errors import OverridesError
from generator.spec import json_kind, load_json_object

_JAVA_CLASS_RE = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$")
_TABLE_SHAPES = {
    "classes": "{Java klass: class name}",
    "fields": "{Java klass: {wire name: python name}}",
    "renames": "{wire name: python name}",
}
_SHAPE = (
    f"the file holds 'classes' ({_TABLE_SHAPES['classes']}) and "
    f"'fields' ({_TABLE_SHAPES['fields']})"
)


@dataclass(frozen=True, slots=True)
class NameOverrides:
    """Manual renames from one reviewed table.

    ``classes``: ``{schema klass: class name}``; ``fields``: ``{schema klass: {wire name: python
    name}}``.
    """

    fields: Mapping[str, Mapping[str, str]]
    classes: Mapping[str, str]

    @staticmethod
    def empty() -> NameOverrides:
        """No overrides."""
        return NameOverrides(fields={}, classes={})


def load_overrides(path: Path) -> NameOverrides:
    """Read and check the table at ``path``; raises :class:`OverridesError` naming the entry."""
    if not path.is_file():
        return NameOverrides.empty()
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise OverridesError(f"{path}: cannot read it ({exc.strerror})") from None
    raw = load_json_object(text, source=str(path), what="a name-overrides table")
    for key in raw:
        if key not in ("classes", "fields"):
            raise OverridesError(f"{path}: unknown key {key!r}; {_SHAPE}")
    classes = _renames(path, "classes", raw.get("classes", {}), kind="class")
    fields_raw = _object(path, "fields", raw.get("fields", {}), _TABLE_SHAPES["fields"])
    fields: dict[str, Mapping[str, str]] = {}
    for klass, renames in fields_raw.items():
        where = f"fields[{klass!r}]"
        _check_klass(path, where, klass)
        fields[klass] = _renames(path, where, renames, kind="field")
    return NameOverrides(fields=MappingProxyType(fields), classes=classes)


def _object(path: Path, where: str, value: JsonValue, shape: str) -> dict[str, JsonValue]:
    if not isinstance(value, dict):
        raise OverridesError(f"{path}: {where}: expected an object {shape}, got {json_kind(value)}")
    return value


def _renames(
    path: Path, where: str, value: JsonValue, *, kind: Literal["class", "field"]
) -> Mapping[str, str]:
    """``{key: new name}``, each rename checked; two keys renamed alike are an error."""
    table: dict[str, str] = {}
    taken: dict[str, str] = {}
    shape = _TABLE_SHAPES["classes" if kind == "class" else "renames"]
    for key, new in _object(path, where, value, shape).items():
        entry = f"{where}[{key!r}]"
        if not isinstance(new, str):
            what = "a class name" if kind == "class" else "a Python name"
            raise OverridesError(
                f"{path}: {entry}: expected {what} (a string), got {json_kind(new)}"
            )
        if kind == "class":
            same = _class_rename(path, entry, key, new)
            also = f" (module {same})"
        else:
            same = _field_rename(path, entry, key, new)
            also = ""
        if same in taken:
            raise OverridesError(
                f"{path}: {entry}: {new!r} is already the rename of {taken[same]!r}{also}"
            )
        taken[same] = key
        table[key] = new
    return MappingProxyType(table)


def _class_rename(path: Path, entry: str, klass: str, new: str) -> str:
    """Check one class rename; returns its module name (two classes may not share one)."""
    _check_klass(path, entry, klass)
    problem = names.override_class_problem(new)
    if problem is not None:
        _refuse(path, entry, new, "class", problem, names.class_name(new))
    return names.module_name(new)


def _field_rename(path: Path, entry: str, wire: str, new: str) -> str:
    if not wire:
        raise OverridesError(f"{path}: {entry}: a wire name cannot be empty")
    problem = names.override_field_problem(new)
    if problem is not None:
        _refuse(path, entry, new, "field", problem, names.field_name(new))
    return new


def _refuse(
    path: Path, entry: str, new: str, kind: str, problem: str, instead: str | None
) -> NoReturn:
    such_as = f", such as {instead!r}" if instead else ""
    raise OverridesError(
        f"{path}: {entry}: {new!r} cannot be a {kind} name: {problem}; choose another{such_as}"
    )


def _check_klass(path: Path, entry: str, klass: str) -> None:
    if not _JAVA_CLASS_RE.match(klass):
        raise OverridesError(
            f"{path}: {entry}: {klass!r} is not a Java class name such as "
            "'org.hisp.dhis.dataelement.DataElement'"
        )
