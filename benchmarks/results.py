"""Render ``benchmarks/RESULTS.md`` from the rows the benchmark scripts appended.

Run: ``python benchmarks/results.py ROWS_FILE [--out benchmarks/RESULTS.md]`` (``nox -s bench``
runs every benchmark with ``--rows ROWS_FILE`` and then this). The page names the machine, the
Python and the date, and has one table row per comparison: the ratio (median of paired runs,
this SDK over the baseline), its spread, the data used and a note saying where a peer is ahead.
Without ``--out`` the Markdown is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from _common import machine_lines
from _rows import Row, read_rows

BENCH = Path(__file__).resolve().parent

HEADER = """# Benchmark results

Written by `nox -s bench` (`benchmarks/results.py`); do not edit by hand. Every ratio is this SDK
divided by the baseline named in the row, measured side by side in the same run (the median of
paired runs; the spread is the range of those runs). For times, memory and sizes below 1 is
better; for throughput the row says "throughput" and above 1 is better. Absolute times depend on
the machine and its load; only the ratios compare across runs.
"""


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def render(rows: Sequence[Row], machine: Sequence[str], when: dt.datetime, note: str = "") -> str:
    """The whole page; ``note`` (how this run differs from ``nox -s bench``) after the date."""
    measured = f"Measured {when:%Y-%m-%d %H:%M} UTC." + (f" {note}" if note else "")
    lines = [HEADER, measured, "", "```", *machine, "```", ""]
    if not rows:
        lines.append("No rows: no benchmark wrote any (run `nox -s bench`).")
        return "\n".join(lines) + "\n"
    lines.append("| comparison | ratio | spread | data | note |")
    lines.append("| --- | ---: | --- | --- | --- |")
    for row in rows:
        lines.append(
            f"| {cell(row.comparison)} | {row.ratio:.2f}x | {cell(row.spread)} | "
            f"{cell(row.data)} | {cell(row.note)} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Read the rows file and write (or print) the page."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("rows", type=Path, help="the JSON-lines file the benchmarks appended to")
    parser.add_argument("--out", type=Path, help="write here instead of printing")
    parser.add_argument("--note", default="", help="how this run differs from nox -s bench")
    args = parser.parse_args(argv)
    page = render(read_rows(args.rows), machine_lines(), dt.datetime.now(dt.UTC), args.note)
    if args.out is None:
        sys.stdout.write(page)
    else:
        args.out.write_text(page, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
