"""The README's data side example runs as written against the stand-in (URL swapped)."""

from __future__ import annotations

import contextlib
import io
import re
import textwrap
from collections.abc import Awaitable, Callable
from typing import cast

import pytest

from dhis2_standin.launcher import RunningStandin
from tests.paths import REPO_ROOT

SECTION = "## Data values, analytics and tracker"


def readme_example() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None, "the section has no python example"
    return match.group(1)


@pytest.mark.anyio
async def test_the_readme_example_runs_against_the_stand_in(aggregate: RunningStandin) -> None:
    code = readme_example().replace("https://dhis2.example.org", aggregate.base_url)
    code = code.replace(
        'BasicAuth("admin", "district")',
        f"BasicAuth({aggregate.username!r}, {aggregate.password!r})",
    )
    source = "async def example():\n" + textwrap.indent(code, "    ")
    namespace: dict[str, object] = {}
    exec(compile(source, "README.md", "exec"), namespace)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        await cast(Callable[[], Awaitable[None]], namespace["example"])()
    assert out.getvalue().splitlines() == [
        "WARNING 1 [\"E7619 x: Value must match data element's `tpz77FcntKx` type constraints: "
        'INTEGER_ZERO_OR_POSITIVE (values 1)"]',
        "tpz77FcntKx 2024 ImspTQPwCqd 12",
        "[{'dx': 'tpz77FcntKx', 'pe': '2024', 'ou': 'ImspTQPwCqd', 'value': 12}]",
    ]
