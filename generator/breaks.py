"""What an upgrade breaks: pyright on the user's code before and after the import rewrite, the
new errors explained from the version changelog.

Both versions of the files are laid out in a scratch directory (``before/`` and ``after/``,
same relative paths) and checked in one pyright run with one configuration, so an error counts
only if the rewrite brought it: the user's own configuration and old errors do not. Their
project root stays importable (``extraPaths``), so their other modules and a vendored SDK
resolve; an installed SDK comes from the interpreter pyright is pointed at. Each new error is
matched to the changelog entry it names (``Cannot access attribute "short_name" for class
"Dashboard"`` -> ``Dashboard.short_name: removed in v43``); one that matches nothing is
reported as pyright says it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from generator.changelog import Change, ChangeKind, Changelog
from generator.errors import GeneratorError

_TYPE_ERRORS: frozenset[ChangeKind] = frozenset(
    {"schema_removed", "property_removed", "type_changed", "enum_removed", "constant_removed"}
)
"""The changes pyright can see (a newly required or read-only property is not a type error)."""
_QUOTED = re.compile(r'"([^"]+)"')
_WORD = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One pyright error: file relative to the checked root, 1-based line, the source text it
    points at and the whole line, rule and message."""

    path: str
    line: int
    text: str
    line_text: str
    rule: str
    message: str


@dataclass(frozen=True, slots=True)
class Break:
    """One use the new version breaks, as ``upgrade`` prints it."""

    path: str
    line: int
    what: str  # ``Dashboard.short_name: removed in v43``, or pyright's message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def find_breaks(
    root: Path,
    before: Mapping[str, str],
    after: Mapping[str, str],
    changelog: Changelog,
    python: str = sys.executable,
) -> list[Break]:
    """The errors in ``after`` (source by path relative to ``root``) that ``before`` lacks."""
    old, new = changelog.old.key, changelog.new.key
    with tempfile.TemporaryDirectory(prefix="dhis2-upgrade-") as scratch:
        found = _pyright(Path(scratch), root, before, after, python)
    was = Counter(
        (d.path, d.line, d.rule, d.message.replace(f".{old}", f".{new}")) for d in found["before"]
    )
    breaks: list[Break] = []
    for diagnostic in found["after"]:
        key = (diagnostic.path, diagnostic.line, diagnostic.rule, diagnostic.message)
        if was[key] > 0:
            was[key] -= 1
            continue
        what = _explain(diagnostic, changelog, after[diagnostic.path])
        breaks.append(Break(diagnostic.path, diagnostic.line, what))
    return sorted(set(breaks), key=lambda b: (b.path, b.line, b.what))


def _pyright(
    scratch: Path,
    root: Path,
    before: Mapping[str, str],
    after: Mapping[str, str],
    python: str,
) -> dict[str, list[Diagnostic]]:
    sides = {"before": before, "after": after}
    for side, files in sides.items():
        for rel, text in files.items():
            target = scratch / side / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    config = {
        "include": list(sides),
        "typeCheckingMode": "standard",
        "pythonVersion": f"{sys.version_info.major}.{sys.version_info.minor}",
        "executionEnvironments": [
            {"root": side, "extraPaths": [str(root.resolve())]} for side in sides
        ],
    }
    (scratch / "pyrightconfig.json").write_text(json.dumps(config), encoding="utf-8")
    command = [sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", python]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=scratch)
    try:
        report = cast(dict[str, object], json.loads(done.stdout))
    except ValueError:
        raise GeneratorError(
            f"pyright did not run ({done.stderr.strip() or done.stdout.strip()}); "
            "install the dev dependencies (pip install -e .[dev])"
        ) from None
    found: dict[str, list[Diagnostic]] = {side: [] for side in sides}
    for raw in cast(list[dict[str, object]], report.get("generalDiagnostics", [])):
        if raw.get("severity") != "error":
            continue
        rel = Path(str(raw["file"])).resolve().relative_to(scratch.resolve())
        side, path = rel.parts[0], Path(*rel.parts[1:]).as_posix()
        start = cast(dict[str, dict[str, int]], raw["range"])["start"]
        end = cast(dict[str, dict[str, int]], raw["range"])["end"]
        lines = sides[side][path].splitlines()
        found[side].append(
            Diagnostic(
                path,
                start["line"] + 1,
                _span(lines, start, end),
                lines[start["line"]] if start["line"] < len(lines) else "",
                str(raw.get("rule", "")),
                str(raw["message"]).split("\n")[0],
            )
        )
    return found


def _span(lines: Sequence[str], start: Mapping[str, int], end: Mapping[str, int]) -> str:
    if start["line"] >= len(lines):
        return ""
    if start["line"] == end["line"]:
        return lines[start["line"]][start["character"] : end["character"]]
    return lines[start["line"]][start["character"] :]


def _explain(diagnostic: Diagnostic, changelog: Changelog, source: str) -> str:
    """The changelog entries the error names, best first; pyright's message otherwise.

    Looked for in what the error points at and the names it quotes, else anywhere on its line
    (``note.period.id`` fails on ``id``; ``period`` is what changed)."""
    quoted = _QUOTED.findall(diagnostic.message)
    breaking = [change for change in changelog.changes if change.kind in _TYPE_ERRORS]
    candidates: list[Change] = []
    for words in (
        set(quoted) | set(_WORD.findall(diagnostic.text)),
        _WORD.findall(diagnostic.line_text),
    ):
        candidates = [change for change in breaking if _named(change, set(words))]
        if candidates:
            break
    if not candidates:
        rule = f" ({diagnostic.rule})" if diagnostic.rule else ""
        return f"{diagnostic.message}{rule}"
    best = _best(candidates, (quoted, [diagnostic.line_text], [source]))
    new = changelog.new.key
    return "; ".join(f"{change.label}: {change.describe(new)}" for change in best)


def _named(change: Change, words: set[str]) -> bool:
    if change.member is not None:
        return change.member in words
    return change.subject in words or change.module in words


def _best(candidates: Sequence[Change], tiers: Sequence[Sequence[str]]) -> list[Change]:
    """Those whose class the message names (``for class "Dashboard"``, ``type[ValueType]``),
    else the line (``Dashboard(short_name=...)``), else the file (its imports), else all."""
    for texts in tiers:
        named = [
            change
            for change in candidates
            if any(re.search(rf"\b{re.escape(change.subject)}\b", text) for text in texts)
        ]
        if named:
            return named
    return list(candidates)
