"""Stage ``render``: the IR -> Python source text, through the Jinja templates in ``templates/``.

Templates only loop and print; the filters registered here only escape (``py`` spells a
value as a Python literal, ``doc`` makes text safe inside a docstring), so no string from a
schema reaches the generated source except as an escaped literal or a sanitised identifier.
Hands ``{relative path: text}`` to ``format``. Only the ``vNN`` packages are rendered: the
runtime and the package ``__init__`` are hand-written where they run (``generated/dhis2_sdk/``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import jinja2

from generator import jsonschema
from generator.ir import VersionIR

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PACKAGE = "dhis2_sdk"
LINE_LENGTH = 100


def py_literal(value: str | None) -> str:
    """A Python literal that evaluates to ``value`` (``repr`` is exact for ``str``/``None``)."""
    return repr(value)


def py_set(values: Iterable[str]) -> str:
    """A set literal of sorted strings; empty gives nothing (``frozenset()``)."""
    items = sorted(values)
    return "{" + ", ".join(repr(v) for v in items) + "}" if items else ""


def doc_text(text: str) -> str:
    """Text that cannot end or break a ``\"\"\"`` docstring: quotes, backslashes and
    non-printable characters are escaped."""
    out: list[str] = []
    for char in str(text):
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif not char.isprintable():
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return "".join(out)


@cache
def environment() -> jinja2.Environment:
    """The one Jinja environment: strict undefined, trimmed blocks, filters registered here."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["py"] = py_literal
    env.filters["py_set"] = py_set
    env.filters["doc"] = doc_text
    return env


def _render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)


def render_version(version: VersionIR) -> dict[str, str]:
    """Every file of ``dhis2_sdk/<version_key>/``, keyed by path relative to the tree root."""
    root = f"{PACKAGE}/{version.version_key}"
    files: dict[str, str] = {
        f"{root}/__init__.py": _render("version/__init__.py.jinja", version=version),
        f"{root}/enums.py": _render("version/enums.py.jinja", version=version),
        f"{root}/client.py": _render("version/client.py.jinja", version=version),
        f"{root}/resources.py": _render("version/resources.py.jinja", version=version),
        f"{root}/metadata.py": _render("version/metadata.py.jinja", version=version),
        f"{root}/models/__init__.py": _render("version/models_init.py.jinja", version=version),
        f"{root}/schema.json": jsonschema.dumps(jsonschema.build(version)),
    }
    for model in version.models:
        files[f"{root}/models/{model.module_name}.py"] = _render(
            "version/model.py.jinja", version=version, model=model
        )
    return files
