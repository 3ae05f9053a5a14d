"""Golden tests: tiny hand-written dumps reproduce the committed expected trees exactly.

A template or generator change shows up here as a reviewable diff: run ``nox -s golden-update``,
read ``git diff tests/golden/expected``, commit.
"""

from __future__ import annotations

import difflib

import pytest

from generator.write import existing_files
from tests.golden.update import EXPECTED, cases, render_case


@pytest.mark.parametrize("case", cases())
def test_golden_tree_is_reproduced(case: str) -> None:
    expected = existing_files(EXPECTED / case)
    actual = render_case(case)
    assert sorted(actual) == sorted(expected), "file set differs: run nox -s golden-update"
    for rel in sorted(expected):
        if actual[rel] != expected[rel]:
            diff = difflib.unified_diff(
                expected[rel].decode().splitlines(),
                actual[rel].decode().splitlines(),
                f"expected/{case}/{rel}",
                f"rendered/{case}/{rel}",
                lineterm="",
                n=2,
            )
            pytest.fail("\n".join(list(diff)[:60]) + "\n(run nox -s golden-update and review)")


def test_there_are_golden_cases() -> None:
    assert cases() == ["basic", "edge_names", "injection"]
