"""One line of ``benchmarks/RESULTS.md``: a comparison measured side by side in one run.

Not a benchmark itself. Every benchmark script takes ``--rows FILE`` and appends one JSON line
per comparison to it (``{"comparison", "ratio", "spread", "data", "note"}``, the format
``client_throughput.py`` writes too); ``results.py`` renders the lines as the table.
``ratio`` is this SDK divided by the baseline named in ``comparison`` (time, memory or size:
below 1 is better; throughput: above 1 is better, and the comparison says so).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import cast


@dataclass(frozen=True, slots=True)
class Row:
    """One comparison: what against what, the ratio, its spread, the data it used, a note."""

    comparison: str
    ratio: float
    spread: str
    data: str
    note: str = ""


def spread_of(ratios: Sequence[float], what: str = "runs") -> str:
    """``0.61-0.74 over 7 runs``: the range of the paired ratios the median was taken from."""
    return f"{min(ratios):.2f}-{max(ratios):.2f} over {len(ratios)} {what}"


def paired_ratios(ours: Sequence[float], theirs: Sequence[float]) -> list[float]:
    """``ours[i] / theirs[i]`` for samples taken in the same round (same load on both)."""
    return [a / b for a, b in zip(ours, theirs, strict=True) if b > 0]


def append_rows(path: Path | None, rows: Sequence[Row]) -> None:
    """Append ``rows`` to ``path`` as JSON lines (nothing when ``--rows`` was not given)."""
    if path is None:
        return
    with path.open("a", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps({**asdict(row), "ratio": round(row.ratio, 3)}) + "\n")


def read_rows(path: Path) -> list[Row]:
    """The rows of a ``--rows`` file, in the order they were written."""
    rows: list[Row] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        item: object = json.loads(line)
        if not isinstance(item, dict):
            raise ValueError(f"{path}:{number}: expected a JSON object per line, got {line[:80]}")
        fields = cast("dict[str, object]", item)
        ratio = fields.get("ratio")
        if isinstance(ratio, bool) or not isinstance(ratio, int | float):
            raise ValueError(f"{path}:{number}: 'ratio' must be a number, got {ratio!r}")
        rows.append(
            Row(
                comparison=str(fields.get("comparison", "")),
                ratio=float(ratio),
                spread=str(fields.get("spread", "")),
                data=str(fields.get("data", "")),
                note=str(fields.get("note", "")),
            )
        )
    return rows
