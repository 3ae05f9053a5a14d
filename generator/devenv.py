"""Is this Python the project's development environment? Asked before anything else is imported.

Standard library only: it runs exactly where the dependencies may be missing (a bare system
``python3`` in a fresh checkout), to say so in one line, with the command that makes the
environment, instead of a ``ModuleNotFoundError`` traceback. ``python -m generator``,
``python -m dhis2_standin`` and ``scripts/dhis2_standin.py`` call :func:`require` first.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence

SETUP_COMMAND = "python3 scripts/run.py -s dev"
EXIT_NO_ENVIRONMENT = 2

GENERATOR_MODULES = ("pydantic", "jinja2", "httpx", "ruff")
STANDIN_MODULES = ("starlette", "uvicorn", "httpx")


def missing_modules(modules: Sequence[str]) -> list[str]:
    """The top-level ``modules`` this Python cannot import."""
    return [name for name in modules if importlib.util.find_spec(name) is None]


def require(command: str, modules: Sequence[str]) -> None:
    """Exit with one line on stderr when ``modules`` are not importable here."""
    missing = missing_modules(modules)
    if missing:
        print(
            f"{command}: this Python ({sys.executable}) lacks {', '.join(missing)}: "
            f"run `{SETUP_COMMAND}` in the checkout, then `source .venv/bin/activate`",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_NO_ENVIRONMENT)
