"""benchmarks/RESULTS.md: the rows the scripts append, the page ``results.py`` renders, and a
smoke run of every benchmark script on tiny data (once each, no timing asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import GENERATED, REPO_ROOT

BENCH = REPO_ROOT / "benchmarks"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(GENERATED), str(REPO_ROOT)])}


def run_script(*args: str | Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, *(str(arg) for arg in args)]
    return subprocess.run(
        command, capture_output=True, text=True, cwd=REPO_ROOT, env=ENV, timeout=timeout
    )


def read_rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_results_renders_machine_python_date_and_one_row_per_comparison(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    lines = [
        {"comparison": "a | b", "ratio": 0.5, "spread": "0.4-0.6 over 3 rounds", "data": "x"},
        {"comparison": "c", "ratio": 2, "spread": "exact", "data": "y", "note": "peer ahead"},
    ]
    rows.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / "RESULTS.md"

    done = run_script(BENCH / "results.py", rows, "--out", out)

    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "machine: nproc" in page
    assert "python:  CPython" in page
    assert "Measured 20" in page
    table = [line for line in page.splitlines() if line.startswith("| ")]
    assert table[2:] == [
        "| a \\| b | 0.50x | 0.4-0.6 over 3 rounds | x |  |",
        "| c | 2.00x | exact | y | peer ahead |",
    ]


def test_a_row_without_a_numeric_ratio_is_rejected_with_its_line(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"comparison": "a", "ratio": 1}\n{"comparison": "b", "ratio": "fast"}\n')

    done = run_script(BENCH / "results.py", rows)

    assert done.returncode != 0
    assert f"{rows}:2: 'ratio' must be a number, got 'fast'" in done.stderr


# --- smoke runs: every row once on tiny data ---------------------------------------------


@pytest.mark.slow
def test_generator_bench_writes_the_generation_rows(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    done = run_script(
        BENCH / "generator_bench.py", "--runs", "1", "--generation-only", "--rows", rows
    )
    assert done.returncode == 0, done.stderr[-2000:]
    comparisons = [row["comparison"] for row in read_rows(rows)]
    assert comparisons == [
        "generation of every version, into a fresh dir, vs datamodel-code-generator",
        "generation of every version, no-op (already up to date), vs datamodel-code-generator",
    ]


@pytest.mark.slow
def test_resources_bench_writes_the_memory_row(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    done = run_script(
        BENCH / "resources_bench.py",
        *("--objects", "300", "--page-size", "100", "--rounds", "1", "--import-runs", "1"),
        *("--rows", rows),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (row,) = read_rows(rows)
    assert row["comparison"] == "iterate() peak memory vs one unpaged (paging=false) response"
    assert "300 v42 data elements" in str(row["data"])


@pytest.mark.slow
def test_peer_bench_writes_every_dhis2w_row_or_says_why_not(tmp_path: Path) -> None:
    """Needs a Python >= 3.13 and the package index for dhis2w-client; without them the
    script says so and writes nothing, and so does this test's check."""
    rows = tmp_path / "rows.jsonl"
    done = run_script(BENCH / "peer_bench.py", "--smoke", "--rows", rows)
    assert done.returncode == 0, done.stderr[-2000:]
    if not rows.exists():
        assert "no Python >= 3.13" in done.stdout or "dhis2w-client:" in done.stdout
        pytest.skip(done.stdout.strip().splitlines()[-1])
    written = read_rows(rows)
    comparisons = {str(row["comparison"]) for row in written}
    expected = {
        "import one version: `import dhis2_sdk.v42` vs `import dhis2w_client.generated.v42`",
        "every model of v42 usable: import all + build vs the dhis2w-client package",
        "every model of v42 usable vs the bare-pydantic floor",
        "typed validation (client path, collector paused) vs json.loads of the same bytes",
        "typed validation vs dhis2w-client models (collector on for both)",
        "pyright strict time over the v42 package vs dhis2w-client's",
        "installed size vs dhis2w-client",
        "type precision: reveal_type results that are Any in the same user script vs dhis2w-client",
    }
    assert expected <= comparisons
    precision = next(row for row in written if str(row["comparison"]).startswith("type prec"))
    assert '"element" is "DataElement"' in str(precision["note"])
    assert all(isinstance(row["ratio"], float | int) for row in written)


@pytest.mark.slow
def test_client_throughput_writes_its_rows(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    done = run_script(
        BENCH / "client_throughput.py",
        *("--requests", "40", "--concurrency", "4", "--rounds", "1", "--rows", rows),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert read_rows(rows)
