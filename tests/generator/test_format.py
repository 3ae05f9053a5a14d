"""Stage ``format``: when ruff refuses the rendered code, the error shows what ruff said."""

from __future__ import annotations

import pytest

from generator.errors import GeneratorError
from generator.format import format_sources

_BUG = (
    "ruff format failed on the rendered code (a generator bug; please report it with the "
    "snapshot); ruff said:\n"
)


def test_formats_and_sorts_imports() -> None:
    formatted = format_sources({"pkg/a.py": "import sys\nimport os\nx=(1,\n2)\n", "a.txt": "x=1"})
    assert formatted == {"pkg/a.py": "import os\nimport sys\n\nx = (1, 2)\n", "a.txt": "x=1"}


def test_a_syntax_error_shows_ruffs_message() -> None:
    with pytest.raises(GeneratorError) as raised:
        format_sources({"pkg/broken.py": "def (:\n", "pkg/fine.py": "x = 1\n"})
    assert str(raised.value) == (
        _BUG + "  error: Failed to parse pkg/broken.py:1:5: Expected an identifier"
    )


def test_long_ruff_output_is_trimmed() -> None:
    broken = {f"pkg/broken{i:02}.py": "def (:\n" for i in range(25)}
    with pytest.raises(GeneratorError) as raised:
        format_sources(broken)
    lines = str(raised.value).removeprefix(_BUG).splitlines()
    assert len(lines) == 21
    assert all(line.startswith("  error: Failed to parse pkg/broken") for line in lines[:20])
    assert lines[20] == "  … and 5 more lines"
