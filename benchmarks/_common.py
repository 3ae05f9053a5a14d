"""Helpers shared by the benchmark scripts: paths, timing, child processes, plain-text tables.

Not a benchmark itself (``nox -s bench`` skips files starting with ``_``). Timings are wall
clock (``time.perf_counter``); every figure a script prints is a median of several runs taken
in the same invocation, so only ratios between rows of one run compare across machines.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "generated"
SHARED = Path(os.environ.get("DHIS2_SHARED_DIR", ROOT.parent / "shared" / "dhis2"))


def median(values: Sequence[float]) -> float:
    """The median of a non-empty sequence."""
    return statistics.median(values)


def time_call(func: Callable[[], object], runs: int) -> list[float]:
    """Seconds taken by ``runs`` separate calls of ``func``."""
    samples: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        samples.append(time.perf_counter() - started)
    return samples


def per_call_seconds(
    func: Callable[[], object],
    samples: int = 7,
    batch: float = 0.05,
    clock: Callable[[], float] = time.perf_counter,
    statistic: Callable[[list[float]], float] = median,
) -> float:
    """Seconds per call of a fast ``func``, the median of ``samples`` timings: calls are batched
    so that each timing lasts at least ``batch`` seconds (as ``timeit.autorange`` does).
    ``clock=time.process_time`` counts this process's CPU time only, which other processes on
    a busy machine disturb far less than wall time. ``statistic=min`` takes the best sample
    instead, as ``timeit`` advises for CPU-bound code: interference only ever adds time."""
    loops = 1
    while True:
        started = clock()
        for _ in range(loops):
            func()
        if clock() - started >= batch or loops >= 1 << 20:
            break
        loops *= 2
    timings: list[float] = []
    for _ in range(samples):
        started = clock()
        for _ in range(loops):
            func()
        timings.append((clock() - started) / loops)
    return statistic(timings)


@dataclass(frozen=True, slots=True)
class Finished:
    """One child process that ran to the end: wall seconds and its output."""

    seconds: float
    returncode: int
    stdout: str
    stderr: str


def run_timed(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
    timeout: float = 600,
) -> Finished:
    """Run ``command`` to the end, timing it from spawn to exit (interpreter start-up included)."""
    started = time.perf_counter()
    done = subprocess.run(
        list(command),
        cwd=cwd,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    seconds = time.perf_counter() - started
    return Finished(seconds, done.returncode, done.stdout, done.stderr)


def run_checked(
    command: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path = ROOT
) -> Finished:
    """:func:`run_timed`, raising with the child's output when it fails."""
    done = run_timed(command, env=env, cwd=cwd)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
        )
    return done


@dataclass(slots=True)
class BytecodeCaches:
    """Child-process environments with a private bytecode cache, so timings neither depend on
    nor change ``__pycache__`` folders in the checkout or the virtualenv.

    ``warm()``: ``.pyc`` files are written to and read from a private ``PYTHONPYCACHEPREFIX``
    (run each command once before timing it) — what an installed package normally sees.
    ``cold()``: no ``.pyc`` is read or written, so every module that is not frozen into the
    interpreter is compiled from source on every start.
    """

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="dhis2-bench-pyc-")))

    def warm(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """Environment for a child that uses the private, persistent bytecode cache."""
        env = _base_env(extra)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(self.root / "warm")
        return env

    def cold(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """Environment for a child that finds no bytecode and writes none."""
        env = _base_env(extra)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPYCACHEPREFIX"] = str(self.root / "cold-always-empty")
        return env


def _base_env(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra or {})
    return env


def sdk_pythonpath() -> dict[str, str]:
    """``PYTHONPATH`` that makes ``import dhis2_sdk`` and ``import generator`` work."""
    return {"PYTHONPATH": os.pathsep.join([str(GENERATED), str(ROOT)])}


def cpu_model() -> str:
    """The CPU model name from ``/proc/cpuinfo`` (Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_lines() -> list[str]:
    """Where the numbers come from: CPUs, CPU model, Python, OS and the load when measured."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = (
        " ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else ""
    )
    return [
        f"machine: nproc {usable}, {cpu_model()}",
        f"python:  {platform.python_implementation()} {platform.python_version()} "
        f"({sys.executable})",
        f"os:      {platform.platform()}; load average {load or 'n/a'}",
    ]


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    widths = [len(cell) for cell in header]
    for row in rows:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        parts = [first.ljust(widths[0])]
        parts.extend(cell.rjust(width) for cell, width in zip(rest, widths[1:], strict=True))
        return "  ".join(parts).rstrip()

    print(f"\n{title}")
    print(line(header))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print(line(row))


def ms(seconds: float) -> str:
    """Seconds as milliseconds for a table cell."""
    return f"{seconds * 1000:.1f}"


def secs(seconds: float) -> str:
    """Seconds for a table cell."""
    return f"{seconds:.2f}"


def ratio(value: float, baseline: float) -> str:
    """``value / baseline`` for a table cell (``-`` when the baseline is zero)."""
    return f"{value / baseline:.2f}x" if baseline > 0 else "-"
