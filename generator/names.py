"""Every naming decision the generator makes, in one module (used by ``normalise``).

DHIS2 names come from a server we do not control, so nothing here trusts them: each function
returns a safe ASCII identifier or ``None`` when nothing usable is left (the caller reports the
schema and property). Wire names are never changed; they stay as aliases in generated code.

Rules:

* camelCase -> snake_case, acronym- and digit-aware (``dataSetID`` -> ``data_set_id``,
  ``URLPattern`` -> ``url_pattern``, ``level1Name`` -> ``level1_name``);
* Python keywords, pydantic-reserved names (``model_*``, ``schema``, ``copy``, ``json``,
  ``dict``, ``fields`` …), the model's own attributes (``to_wire``, ``to_write_payload``,
  ``dhis2_klass``, ``read_only_fields`` …) and the builtins the generated modules themselves use
  in annotations (``bool``, ``int``, ``str`` …) get a ``_`` suffix. Other builtins (``id``,
  ``type``, ``filter``, ``map``) are kept: as model attributes they shadow nothing and
  ``element.id`` is what a DHIS2 user expects to write;
* class names are PascalCase from a schema's Java ``klass`` (``Outer$Inner`` -> ``OuterInner``);
  names the generated modules import are suffixed (``Model`` or ``Enum``);
* manual renames (``schemas/name-overrides.json``, read by :mod:`generator.overrides`) are not
  changed: :func:`override_field_problem` and :func:`override_class_problem` say why one cannot
  be used, by the same rules.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata

_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SNAKE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_PASCAL_RE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_BOUNDARY_RES = (
    re.compile(r"([a-z0-9])([A-Z])"),  # dataElement -> data_Element, level1Name -> level1_Name
    re.compile(r"([A-Z]+)([A-Z][a-z])"),  # URLPattern -> URL_Pattern
)

# Names pydantic's BaseModel defines or reserves (pydantic 2.x, v1-compatible methods included).
PYDANTIC_RESERVED = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "fields",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
    }
)
# Builtins the generated model modules use in annotations: a field of that name would shadow
# the builtin for every annotation after it in the class body.
ANNOTATION_BUILTINS = frozenset({"bool", "dict", "float", "int", "list", "object", "str"})
# Class-level names the generated models and the runtime base class define.
MODEL_CLASS_ATTRIBUTES = frozenset(
    {
        "dhis2_klass",
        "dhis2_plural",
        "dhis2_schema",
        "read_only_fields",
        "required_fields",
        "to_wire",
        "to_write_payload",
        "unique_fields",
    }
)
RESERVED_FIELD_NAMES = (
    frozenset(keyword.kwlist) | PYDANTIC_RESERVED | ANNOTATION_BUILTINS | MODEL_CLASS_ATTRIBUTES
)
# Names that generated modules import or define at module level.
RESERVED_CLASS_NAMES = frozenset(
    {
        "Any",
        "ClassVar",
        "Dhis2Client",
        "Dhis2DateTime",
        "Dhis2Enum",
        "Dhis2Int",
        "Dhis2Model",
        "Dhis2Number",
        "DimensionalObject",
        "Field",
        "Final",
        "JsonValue",
        "LazyModels",
        "Reference",
        "TYPE_CHECKING",
    }
    | {name for name in dir(builtins) if name[:1].isupper()}
    | {name for name in keyword.kwlist if name[:1].isupper()}
)
RESERVED_MODULE_NAMES = frozenset({"client", "enums", "models", "runtime"})


def reserved_field_reason(name: str) -> str | None:
    """Why ``name`` cannot be a model attribute as it is (``field_name`` suffixes it), or None."""
    if name not in RESERVED_FIELD_NAMES and not name.startswith("model_"):
        return None
    if keyword.iskeyword(name):
        return "it is a Python keyword"
    if name in MODEL_CLASS_ATTRIBUTES:
        return f"it would shadow the model's own {name!r}"
    if name.startswith("model_"):
        return "pydantic reserves names starting with 'model_'"
    if name in PYDANTIC_RESERVED:
        return f"it would shadow pydantic's BaseModel.{name}"
    return f"it would shadow the builtin {name!r} in the model's annotations"


def reserved_class_reason(name: str) -> str | None:
    """Why ``name`` cannot be a generated class as it is (``class_name`` suffixes it), or None."""
    if name not in RESERVED_CLASS_NAMES:
        return None
    if keyword.iskeyword(name):
        return "it is a Python keyword"
    if hasattr(builtins, name):
        return f"it would shadow the builtin {name!r}"
    return f"the generated modules use the name {name!r} themselves"


def override_field_problem(name: str) -> str | None:
    """Why a manual field rename cannot be used, or None.

    Stricter than what :func:`field_name` makes of a wire name, which never leaves a leading
    underscore (pydantic would make it a private attribute) or a capital (it could shadow a class
    the module imports): the rename must already be what the generator would write.
    """
    if not _SNAKE_RE.match(name):
        return (
            "a field name is snake_case ASCII: a lower-case letter, then lower-case letters, "
            "digits and underscores"
        )
    return reserved_field_reason(name)


def override_class_problem(name: str) -> str | None:
    """Why a manual class rename cannot be used, or None (the rules of :func:`class_name`)."""
    if not _PASCAL_RE.match(name):
        return "a class name is PascalCase ASCII: a capital letter, then letters and digits"
    return reserved_class_reason(name)


def is_identifier(text: str) -> bool:
    """True for a plain ASCII Python identifier (keywords included)."""
    return bool(_IDENT_RE.match(text))


def _ascii_words(text: str) -> str:
    """Fold to ASCII and turn every run of non-identifier characters into one underscore."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "_", folded)


def snake_case(text: str) -> str:
    """camelCase or PascalCase -> snake_case; non-identifier characters become ``_``."""
    words = _ascii_words(text)
    for boundary in _BOUNDARY_RES:
        words = boundary.sub(r"\1_\2", words)
    return re.sub(r"_+", "_", words).strip("_").lower()


def wire_key(python_name: str) -> str:
    """The base model's alias rule (``runtime._model.wire_key``, kept equal by a test): the
    camelCase of the attribute, a trailing ``_`` dropped. Where it does not give a property's
    wire key, the generated field spells its alias out."""
    head, *rest = python_name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def field_name(wire_name: str) -> str | None:
    """The Python attribute name for a DHIS2 property's wire name; ``None`` if nothing is left."""
    name = snake_case(wire_name)
    if not name:
        return None
    if name[0].isdigit():
        name = f"n_{name}"
    if reserved_field_reason(name) is not None:
        name = f"{name}_"
    return name


def class_name(klass: str, *, suffix: str = "Model") -> str | None:
    """PascalCase class name from a Java class name (``a.b.Outer$Inner`` -> ``OuterInner``)."""
    simple = klass.rsplit(".", 1)[-1]
    parts = [part for part in _ascii_words(simple.replace("$", "_")).split("_") if part]
    if not parts:
        return None
    name = "".join(part[0].upper() + part[1:] for part in parts)
    if name[0].isdigit():
        name = f"N{name}"
    if reserved_class_reason(name) is not None:
        name = f"{name}{suffix}"
    return name


def qualified_class_name(klass: str, *, suffix: str = "Model") -> str | None:
    """A longer class name for when two klasses share a simple name: the package joins in.

    ``org.hisp.dhis.dataexchange.aggregate.Source`` -> ``AggregateSource``.
    """
    package, _, simple = klass.rpartition(".")
    qualifier = package.rsplit(".", 1)[-1] if package else ""
    return class_name(f"{qualifier}_{simple}" if qualifier else simple, suffix=suffix)


def module_name(cls_name: str) -> str:
    """The module a generated class lives in: snake_case of its class name."""
    name = snake_case(cls_name) or "model"
    if keyword.iskeyword(name) or name in RESERVED_MODULE_NAMES:
        name = f"{name}_"
    return name


_ENUM_RESERVED = frozenset(
    {name for name in dir(str) if not name.startswith("_")} | {"mro", "name", "value"}
)


def enum_member_name(constant: str) -> str:
    """A safe member name for an enum constant; DHIS2's UPPER_SNAKE constants stay as they are."""
    if is_identifier(constant) and not constant.startswith("_") and not keyword.iskeyword(constant):
        name = constant
    else:
        name = re.sub(r"_+", "_", _ascii_words(constant)).strip("_")
        if not name:
            return "EMPTY" if constant == "" else "VALUE"
        if name[0].isdigit():
            name = f"V_{name}"
        if keyword.iskeyword(name):
            name = f"{name}_"
    if name in _ENUM_RESERVED:
        name = f"{name}_"
    return name
