"""Version changelogs: what a user moving from one DHIS2 version's package to the next must know.

Compares the IR of two snapshots (what the generated code says, not the raw ``/api/schemas``:
class and attribute names as Python spells them, type expressions as annotated) and hands on a
:class:`Changelog`: schemas and properties added and removed, changed types, properties that
became required or read-only, enum constants added and removed, changed collection keys. Used by
``python -m generator diff`` (Markdown or ``--json``), by ``upgrade`` to explain what pyright
finds, and for ``docs/changelogs/``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from pydantic import JsonValue

from generator import pipeline
from generator.errors import GeneratorError
from generator.ir import EnumIR, FieldIR, ModelIR, VersionIR

ChangeKind = Literal[
    "schema_removed",
    "schema_added",
    "property_removed",
    "property_added",
    "type_changed",
    "became_required",
    "no_longer_required",
    "became_read_only",
    "became_writable",
    "collection_key_changed",
    "enum_removed",
    "enum_added",
    "constant_removed",
    "constant_added",
]

BREAKING: frozenset[ChangeKind] = frozenset(
    {
        "schema_removed",
        "property_removed",
        "type_changed",
        "became_required",
        "became_read_only",
        "collection_key_changed",
        "enum_removed",
        "constant_removed",
    }
)


@dataclass(frozen=True, slots=True)
class Change:
    """One difference. ``subject`` is the model or enum class (``Dashboard``, ``ValueType``);
    ``member`` its attribute or enum member (``short_name``, ``FILE_RESOURCE``), ``wire`` the
    DHIS2 key or constant (a schema's Java class); ``before``/``after`` the old and new value
    where one changed; ``module`` a whole schema's module (``push_analysis``)."""

    kind: ChangeKind
    subject: str
    member: str | None = None
    wire: str | None = None
    before: str | None = None
    after: str | None = None
    module: str | None = None

    @property
    def label(self) -> str:
        """``Dashboard.short_name``, or ``Dashboard`` for a whole schema."""
        return self.subject if self.member is None else f"{self.subject}.{self.member}"

    @property
    def breaking(self) -> bool:
        """Code written against the old version may stop working."""
        return self.kind in BREAKING

    def describe(self, new_key: str) -> str:
        """What happened, as ``upgrade`` and the changelog say it: ``removed in v43``."""
        wire = f" (`{self.wire}`)" if self.wire and self.wire != self.member else ""
        match self.kind:
            case "schema_removed" | "property_removed" | "enum_removed" | "constant_removed":
                return f"removed in {new_key}{wire}"
            case "schema_added" | "property_added" | "enum_added" | "constant_added":
                return f"added in {new_key}{wire}"
            case "type_changed":
                return f"retyped in {new_key}: `{self.before}` -> `{self.after}`"
            case "became_required":
                return f"required in {new_key} (DHIS2 refuses a create without it)"
            case "no_longer_required":
                return f"no longer required in {new_key}"
            case "became_read_only":
                return f"read-only in {new_key} (left out of write payloads)"
            case "became_writable":
                return f"writable in {new_key}"
            case "collection_key_changed":
                return f"collection key `{self.before}` -> `{self.after}` in {new_key}"

    def to_json(self) -> dict[str, JsonValue]:
        """The change as data (``diff --json``)."""
        return {
            "kind": self.kind,
            "subject": self.subject,
            "member": self.member,
            "wire": self.wire,
            "before": self.before,
            "after": self.after,
            "module": self.module,
            "breaking": self.breaking,
        }


@dataclass(frozen=True, slots=True)
class VersionSide:
    """One end of a changelog: the version key, DHIS2's version string, the snapshot."""

    key: str
    raw_version: str
    snapshot: str
    digest: str


@dataclass(frozen=True, slots=True)
class Changelog:
    """Every change from ``old`` to ``new``, sorted by subject, then kind order, then member."""

    old: VersionSide
    new: VersionSide
    changes: tuple[Change, ...]

    def for_subject(self, subject: str) -> tuple[Change, ...]:
        """The changes of one model or enum class."""
        return tuple(change for change in self.changes if change.subject == subject)

    def to_json(self) -> dict[str, JsonValue]:
        """The changelog as data (``diff --json``)."""

        def side(end: VersionSide) -> dict[str, JsonValue]:
            return {
                "key": end.key,
                "version": end.raw_version,
                "snapshot": end.snapshot,
                "digest": end.digest,
            }

        return {
            "from": side(self.old),
            "to": side(self.new),
            "changes": [change.to_json() for change in self.changes],
        }


def diff_versions(
    old: VersionIR, new: VersionIR, old_snapshot: str, new_snapshot: str
) -> Changelog:
    """The changelog from ``old`` to ``new`` (snapshots named as the user gave them)."""
    changes: list[Change] = []
    old_models = {model.class_name: model for model in old.models}
    new_models = {model.class_name: model for model in new.models}
    for name in sorted(old_models.keys() | new_models.keys()):
        before, after = old_models.get(name), new_models.get(name)
        if before is not None and after is None:
            changes.append(
                Change("schema_removed", name, wire=before.klass, module=before.module_name)
            )
        elif after is not None and before is None:
            changes.append(Change("schema_added", name, wire=after.klass, module=after.module_name))
        elif before is not None and after is not None:
            changes.extend(_model_changes(before, after))
    old_enums = {enum.class_name: enum for enum in old.enums}
    new_enums = {enum.class_name: enum for enum in new.enums}
    for name in sorted(old_enums.keys() | new_enums.keys()):
        was, now = old_enums.get(name), new_enums.get(name)
        if now is None:
            changes.append(Change("enum_removed", name))
        elif was is None:
            changes.append(Change("enum_added", name))
        else:
            changes.extend(_enum_changes(was, now))
    return Changelog(
        _side(old, old_snapshot),
        _side(new, new_snapshot),
        tuple(sorted(changes, key=_order)),
    )


def load_changelog(old: str, new: str, schemas: Path) -> Changelog:
    """``diff``'s arguments (version keys, looked up in ``schemas``, or snapshot paths)."""
    old_path, new_path = snapshot_path(old, schemas), snapshot_path(new, schemas)
    overrides, embedding = pipeline.side_files([old_path])
    return diff_versions(
        pipeline.load_version(old_path, overrides, embedding),
        pipeline.load_version(new_path, overrides, embedding),
        _display(old, old_path),
        _display(new, new_path),
    )


def snapshot_path(arg: str, schemas: Path) -> Path:
    """``v42`` -> ``schemas/v42.json``; anything else is a path to a snapshot."""
    if _is_key(arg):
        path = schemas / f"{arg}.json"
        if not path.is_file():
            known = sorted(p.stem for p in schemas.glob("v*.json") if _is_key(p.stem))
            raise GeneratorError(
                f"no snapshot for {arg} in {schemas} (there are {', '.join(known) or 'none'}); "
                "give a version key that exists or a snapshot path"
            )
        return path
    path = Path(arg)
    if not path.is_file():
        raise GeneratorError(f"{arg}: no such snapshot file; give a version key (v42) or a path")
    return path


def _is_key(text: str) -> bool:
    return len(text) > 1 and text[0] == "v" and text[1:].isdigit()


def _display(arg: str, path: Path) -> str:
    return f"schemas/{arg}.json" if _is_key(arg) else path.as_posix()


def _side(version: VersionIR, snapshot: str) -> VersionSide:
    return VersionSide(version.version_key, version.raw_version, snapshot, version.snapshot_digest)


def _model_changes(before: ModelIR, after: ModelIR) -> list[Change]:
    name = before.class_name
    changes: list[Change] = []
    if before.plural != after.plural:
        changes.append(
            Change(
                "collection_key_changed",
                name,
                before=_none(before.plural),
                after=_none(after.plural),
            )
        )
    old_fields = {field.python_name: field for field in before.fields}
    new_fields = {field.python_name: field for field in after.fields}
    for attribute in sorted(old_fields.keys() | new_fields.keys()):
        was, now = old_fields.get(attribute), new_fields.get(attribute)
        if now is None:
            changes.append(Change("property_removed", name, attribute, _wire(was)))
        elif was is None:
            changes.append(Change("property_added", name, attribute, now.wire_name))
        else:
            changes.extend(_field_changes(name, was, now))
    return changes


def _field_changes(subject: str, was: FieldIR, now: FieldIR) -> Iterable[Change]:
    member, wire = now.python_name, now.wire_name
    if was.type_expr != now.type_expr:
        yield Change("type_changed", subject, member, wire, was.type_expr, now.type_expr)
    if was.required != now.required:
        yield Change(
            "became_required" if now.required else "no_longer_required", subject, member, wire
        )
    if was.read_only != now.read_only:
        yield Change(
            "became_read_only" if now.read_only else "became_writable", subject, member, wire
        )


def _enum_changes(was: EnumIR, now: EnumIR) -> Iterable[Change]:
    before = {member.python_name: member.value for member in was.members}
    after = {member.python_name: member.value for member in now.members}
    for name in sorted(before.keys() - after.keys()):
        yield Change("constant_removed", was.class_name, name, before[name])
    for name in sorted(after.keys() - before.keys()):
        yield Change("constant_added", was.class_name, name, after[name])


def _wire(field: FieldIR | None) -> str | None:
    return None if field is None else field.wire_name


def _none(value: str | None) -> str:
    return "(none)" if value is None else value


_KIND_ORDER: Mapping[str, int] = {kind: index for index, kind in enumerate(get_args(ChangeKind))}


def _order(change: Change) -> tuple[str, int, str]:
    return (change.subject, _KIND_ORDER[change.kind], change.member or "")


_SECTIONS: tuple[tuple[str, frozenset[ChangeKind]], ...] = (
    ("Schemas removed", frozenset({"schema_removed"})),
    ("Schemas added", frozenset({"schema_added"})),
    ("Enums removed", frozenset({"enum_removed"})),
    ("Enums added", frozenset({"enum_added"})),
)
_WHOLE = frozenset(kind for _, kinds in _SECTIONS for kind in kinds)


def to_markdown(changelog: Changelog, command: str) -> str:
    """The changelog as a Markdown page; ``command`` is what regenerates it."""
    old, new = changelog.old, changelog.new
    breaking = sum(change.breaking for change in changelog.changes)
    lines = [
        f"# Upgrading from {old.key} to {new.key}",
        "",
        f"DHIS2 {old.raw_version} (`{old.snapshot}`, `{old.digest}`) to DHIS2 {new.raw_version} "
        f"(`{new.snapshot}`, `{new.digest}`). Generated by `{command}`; do not edit by hand.",
        "",
        f"{len(changelog.changes)} changes, {breaking} of them breaking (marked **breaking**). "
        f"`python -m generator upgrade --from {old.key} --to {new.key} PATH` rewrites your "
        "imports and lists the uses these changes break.",
    ]
    for title, kinds in _SECTIONS:
        listed = [change for change in changelog.changes if change.kind in kinds]
        if listed:
            lines += ["", f"## {title}", ""]
            lines += [f"- `{c.subject}`" + (f" (`{c.wire}`)" if c.wire else "") for c in listed]
    subjects = sorted({c.subject for c in changelog.changes if c.kind not in _WHOLE})
    if subjects:
        lines += ["", "## Changed models and enums"]
    for subject in subjects:
        lines += ["", f"### `{subject}`", ""]
        lines += [_markdown_line(change, new.key) for change in changelog.for_subject(subject)]
    return "\n".join(lines) + "\n"


def _markdown_line(change: Change, new_key: str) -> str:
    target = f"`{change.member}`: " if change.member is not None else ""
    mark = " — **breaking**" if change.breaking else ""
    return f"- {target}{change.describe(new_key)}{mark}"
