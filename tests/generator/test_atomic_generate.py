"""Generation is all or nothing: a ``generate`` killed at any moment leaves the old version
packages or the new ones, never a mix, and the next run clears up after it.

* ``python -m generator generate`` killed with SIGKILL at seeded random moments: the tree is
  wholly old or wholly new (right away when there is no journal, after recovery when there is);
* a commit stopped before each of its renames is finished by recovery;
* ``generate --check`` names every leftover and changes nothing; ``generate`` removes leftovers,
  finishes an unfinished commit before trusting the stamp, and refuses a journal it did not write.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator import write
from generator.cli import main
from generator.pipeline import OVERRIDES_NAME, generate, leftovers, recover
from generator.stamp import STAMP_NAME
from generator.write import JOURNAL_NAME, existing_files, write_packages
from tests.paths import REPO_ROOT, SCHEMAS, VERSIONS

# Renames a field every version has: each package's data_element.py and schema.json change.
RENAME = {"fields": {"org.hisp.dhis.dataelement.DataElement": {"zeroIsSignificant": "zero_ok"}}}
SEED = 414243
KILLS_ANYWHERE = 8  # at a random moment of the whole run (mostly before anything is written)
KILLS_WHILE_WRITING = 12  # at a random moment after the first staging dir appears
STAGED = re.compile(r"\.v\d+\.new-\w+")

Versions = dict[str, dict[str, bytes]]


class Killed(BaseException):
    """Stands in for SIGKILL inside the process: raised between two renames, caught by nothing."""


def _snapshots(directory: Path, versions: tuple[str, ...] = VERSIONS) -> list[Path]:
    directory.mkdir()
    for version in versions:
        shutil.copy(SCHEMAS / f"{version}.json", directory / f"{version}.json")
    return [directory / f"{version}.json" for version in versions]


def _versions(out: Path, versions: tuple[str, ...] = VERSIONS) -> Versions:
    return {version: existing_files(out / "dhis2_sdk" / version) for version in versions}


def _everything(out: Path) -> dict[str, bytes]:
    """Every entry under ``out``, dot entries included (a dir as empty bytes)."""
    return {
        path.relative_to(out).as_posix(): path.read_bytes() if path.is_file() else b""
        for path in sorted(out.rglob("*"))
    }


def _stop_renames_at(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    """Let a commit make ``count`` renames, then stop it as a kill would."""
    done: list[Path] = []

    def rename(source: Path, target: Path) -> None:
        if len(done) == count:
            raise Killed
        done.append(source)
        os.rename(source, target)  # what write._rename does

    monkeypatch.setattr(write, "_rename", rename)


# --- SIGKILL --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    """One ``python -m generator generate``: seconds from start to exit (or kill), and from the
    first staging dir to exit (``None`` when none appeared)."""

    seconds: float
    writing: float | None
    killed: bool


def _run_generate(
    snapshots: list[Path], out: Path, tmp: Path, kill: Callable[[float, float | None], bool]
) -> Run:
    """Run the generator as a user does; SIGKILL it (and its ruff) once ``kill(seconds since
    start, seconds since the first staging dir or None)`` says so."""
    args = [arg for snapshot in snapshots for arg in ("--snapshot", str(snapshot))]
    package = out / "dhis2_sdk"
    with (tmp / "stderr.txt").open("wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "generate", *args, "--out", str(out)],
            cwd=REPO_ROOT,
            env={**os.environ, "TMPDIR": str(tmp)},  # ruff's temp dirs, left by a kill
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
        staged_at: float | None = None
        while process.poll() is None:
            now = time.perf_counter()
            if staged_at is None and any(STAGED.fullmatch(n) for n in os.listdir(package)):
                staged_at = now
            if kill(now - started, None if staged_at is None else now - staged_at):
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return Run(now - started, None, killed=True)
            time.sleep(0.001)
    ended = time.perf_counter()
    assert process.returncode == 0, (tmp / "stderr.txt").read_text(encoding="utf-8")
    return Run(ended - started, None if staged_at is None else ended - staged_at, killed=False)


def _never(_seconds: float, _writing: float | None) -> bool:
    return False


def _kill_at(mode: str, delay: float) -> Callable[[float, float | None], bool]:
    """``delay`` seconds after the start (``anywhere``) or after the first staging dir."""

    def kill(seconds: float, writing: float | None) -> bool:
        if mode == "anywhere":
            return seconds >= delay
        return writing is not None and writing >= delay

    return kill


@dataclass(frozen=True, slots=True)
class KillExperiment:
    """Generating ``new`` over a copy of ``pristine`` (which holds ``old`` and its stamp)."""

    snapshots: list[Path]
    pristine: Path
    old: Versions
    new: Versions
    root: Path

    def kill_once(self, number: int, mode: str, delay: float) -> str:
        """Kill one run, check the tree before and after recovery; say how the run ended."""
        out, scratch = self.root / f"out-{number}", self.root / f"scratch-{number}"
        shutil.copytree(self.pristine, out)
        scratch.mkdir()
        run = _run_generate(self.snapshots, out, scratch, _kill_at(mode, delay))
        where = f"kill {number} ({mode}, {delay:.3f} s)"
        journal = (out / "dhis2_sdk" / JOURNAL_NAME).exists()
        seen = _versions(out)
        mixed = seen not in (self.old, self.new)
        if not journal:
            assert not mixed, f"{where}: {self.describe(seen)}"
        left = leftovers(out)
        recover(out)
        assert _versions(out) == (self.new if journal else seen), where
        assert leftovers(out) == [], where
        shutil.rmtree(out)
        state = "mixed" if mixed else "old" if seen == self.old else "new"
        kind = "journal" if journal else "leftovers" if left else "clean"
        return f"{'killed' if run.killed else 'finished'}, {state}, {kind}"

    def describe(self, seen: Versions) -> str:
        """Which packages are old, new or neither (a short message, not a diff of the trees)."""
        return ", ".join(
            f"{version} " + ("old" if files == self.old[version] else "new")
            if files in (self.old[version], self.new[version])
            else f"{version} neither"
            for version, files in seen.items()
        )


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and process groups are POSIX")
def test_a_killed_generate_leaves_the_old_tree_or_the_new_one(tmp_path: Path) -> None:
    snapshots = _snapshots(tmp_path / "schemas")
    pristine = tmp_path / "old"
    generate(snapshots, pristine)  # the old tree, and a stamp that matches it
    (tmp_path / "schemas" / OVERRIDES_NAME).write_text(json.dumps(RENAME), encoding="utf-8")
    out, scratch = tmp_path / "new", tmp_path / "scratch"
    scratch.mkdir()
    shutil.copytree(pristine, out)
    measured = _run_generate(snapshots, out, scratch, _never)
    old, new = _versions(pristine), _versions(out)
    assert all(new[version] != old[version] for version in VERSIONS)
    assert measured.writing is not None

    rng = random.Random(SEED)
    plans = [("anywhere", rng.random() * measured.seconds) for _ in range(KILLS_ANYWHERE)]
    plans += [("writing", rng.random() * measured.writing) for _ in range(KILLS_WHILE_WRITING)]
    experiment = KillExperiment(snapshots, pristine, old, new, tmp_path)
    with ThreadPoolExecutor(max_workers=2) as pool:  # two runs at a time, one per core
        ends = pool.map(experiment.kill_once, range(len(plans)), *zip(*plans, strict=True))
        outcomes = Counter(ends)
    assert outcomes.total() == KILLS_ANYWHERE + KILLS_WHILE_WRITING
    # some kills did land while the generator was writing, not only before or after it
    assert sum(n for end, n in outcomes.items() if not end.endswith("clean")) >= 1, outcomes


# --- a commit stopped between renames -------------------------------------------------------

OLD_PACKAGES = {
    name: {"__init__.py": b"old\n", "models/a.py": b"a\n", "models/gone.py": b"g\n"}
    for name in ("v1", "v2", "v3")
}
NEW_PACKAGES = {name: {"__init__.py": b"new\n", "models/a.py": b"a\n"} for name in OLD_PACKAGES}


def _packages(directory: Path) -> dict[str, dict[str, bytes]]:
    return {name: existing_files(directory / name) for name in OLD_PACKAGES}


@pytest.mark.parametrize("renames", range(2 * len(NEW_PACKAGES)))  # two renames per package
def test_a_commit_stopped_before_each_rename_is_finished_by_recovery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, renames: int
) -> None:
    write_packages(tmp_path, OLD_PACKAGES)
    _stop_renames_at(monkeypatch, renames)
    with pytest.raises(Killed):
        write_packages(tmp_path, NEW_PACKAGES)
    monkeypatch.undo()
    assert (tmp_path / JOURNAL_NAME).is_file()
    found = write.recover(tmp_path)
    assert [swap.package for swap in found.pending or ()] == ["v1", "v2", "v3"]
    assert _packages(tmp_path) == NEW_PACKAGES
    assert sorted(os.listdir(tmp_path)) == ["v1", "v2", "v3"]
    assert write.recover(tmp_path).empty


def test_a_write_after_an_unfinished_commit_finishes_it_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_packages(tmp_path, OLD_PACKAGES)
    _stop_renames_at(monkeypatch, 3)  # v1 swapped, v2 moved aside, v3 untouched
    with pytest.raises(Killed):
        write_packages(tmp_path, NEW_PACKAGES)
    monkeypatch.undo()
    report = write_packages(tmp_path, OLD_PACKAGES)
    assert [swap.package for entry in report.leftovers for swap in entry.pending or ()] == [
        "v1",
        "v2",
        "v3",
    ]
    assert _packages(tmp_path) == OLD_PACKAGES
    assert sorted(os.listdir(tmp_path)) == ["v1", "v2", "v3"]


# --- leftovers through the command line -----------------------------------------------------


def _args(snapshots: list[Path], out: Path, *extra: str) -> list[str]:
    pairs = [arg for snapshot in snapshots for arg in ("--snapshot", str(snapshot))]
    return ["generate", *extra, *pairs, "--out", str(out)]


def test_check_names_leftovers_and_the_next_generate_removes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshots = _snapshots(tmp_path / "schemas", ("v41",))
    out = tmp_path / "out"
    generate(snapshots, out)
    package = out / "dhis2_sdk"
    shutil.copytree(package / "v41", package / ".v41.new-a1b2c3d4")  # killed while staging
    shutil.copytree(package / "v41", package / ".v41.old-e5f6g7h8")  # killed after the commit
    (out / f".{STAMP_NAME}.new-i9j0k1l2").write_bytes(b"{")  # killed writing the stamp
    strays = [
        f"{package.as_posix()}/.v41.new-a1b2c3d4",
        f"{package.as_posix()}/.v41.old-e5f6g7h8",
        f"{out.as_posix()}/.{STAMP_NAME}.new-i9j0k1l2",
    ]
    before = _everything(out)
    capsys.readouterr()

    assert main(_args(snapshots, out, "--check")) == 1
    remove = "(from an interrupted generate; run generate to remove it)"
    assert capsys.readouterr().out.splitlines() == [
        *(f"leftover: {path} {remove}" for path in strays),
        "0 out of date, 1 up to date, 3 left by an interrupted generate",
    ]
    assert _everything(out) == before

    assert main(_args(snapshots, out)) == 0
    assert capsys.readouterr().out.splitlines()[:3] == [
        f"removed {path}, left by an interrupted generate" for path in strays
    ]
    assert sorted(os.listdir(package)) == ["v41"]
    assert main(_args(snapshots, out, "--check")) == 0


def test_an_unfinished_commit_is_reported_then_finished_before_the_stamp_is_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshots = _snapshots(tmp_path / "schemas", ("v41", "v42"))
    out = tmp_path / "out"
    generate(snapshots, out)  # the stamp now vouches for this (old) tree
    old = _versions(out, ("v41", "v42"))
    overrides = tmp_path / "schemas" / OVERRIDES_NAME
    overrides.write_text(json.dumps(RENAME), encoding="utf-8")
    _stop_renames_at(monkeypatch, 0)  # the journal is written, nothing is renamed yet
    with pytest.raises(Killed):
        generate(snapshots, out)
    monkeypatch.undo()
    journal = out / "dhis2_sdk" / JOURNAL_NAME
    assert journal.is_file()
    assert _versions(out, ("v41", "v42")) == old
    before = _everything(out)
    capsys.readouterr()

    assert main(_args(snapshots, out, "--check")) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"unfinished: {journal.as_posix()} (an interrupted generate was swapping in v41, v42; "
        "run generate to finish it)",
        f"out of date: {(out / 'dhis2_sdk' / 'v41').as_posix()}",
        f"out of date: {(out / 'dhis2_sdk' / 'v42').as_posix()}",
        "2 out of date, 0 up to date, 1 left by an interrupted generate",
    ]
    assert _everything(out) == before

    overrides.unlink()  # back to the inputs the stamp was written for
    assert main(_args(snapshots, out)) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        f"finished swapping in v41, v42, which an interrupted generate had begun "
        f"({journal.as_posix()})"
    )
    assert _versions(out, ("v41", "v42")) == old  # rendered again: the stamp no longer matched
    assert sorted(os.listdir(out / "dhis2_sdk")) == ["v41", "v42"]


@pytest.mark.parametrize(
    ("journal", "problem"),
    [
        ({"swaps": []}, "it lists no swaps"),
        (
            {"swaps": [{"package": "v41", "staged": "../../elsewhere", "retired": ".v41.old-x"}]},
            "it has a malformed swap {'package': 'v41', 'staged': '../../elsewhere', "
            "'retired': '.v41.old-x'}",
        ),
    ],
)
def test_a_journal_it_did_not_write_is_refused_with_what_to_do(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    journal: Mapping[str, object],
    problem: str,
) -> None:
    package = tmp_path / "out" / "dhis2_sdk"
    package.mkdir(parents=True)
    (package / JOURNAL_NAME).write_text(json.dumps(journal), encoding="utf-8")
    before = _everything(tmp_path)
    capsys.readouterr()
    assert main(_args([SCHEMAS / "v41.json"], tmp_path / "out")) == 2
    assert capsys.readouterr().err == (
        f"error: {package / JOURNAL_NAME}: {problem}, so the interrupted generate it belongs to "
        "cannot be finished. Delete it and every .NAME.new-* and .NAME.old-* entry beside it, "
        "then run generate again (it rewrites any package that is missing or stale)\n"
    )
    assert _everything(tmp_path) == before
