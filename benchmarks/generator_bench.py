"""Generator benchmark: generation, no-op regeneration, pyright, import cost, typed validation.

Run: ``python benchmarks/generator_bench.py [--runs 5] [--import-runs 7] [--no-pyright]
[--compare-python PYTHON] [--rows FILE] [--generation-only]`` (or ``nox -s bench``). Prints
plain-text tables of absolute times (medians of several runs in this invocation) with ratio
columns against baselines measured in the same run, and a summary of the targets:

* no-op regeneration (``generated`` already up to date), end to end, under 1 s;
* generation into a fresh dir and no-op vs datamodel-code-generator over the same versions (the
  rows ``--rows FILE`` appends for ``RESULTS.md``; ``peer_bench.py`` writes the dhis2w-client rows);
* typed validation of the largest recorded payloads within 4x ``json.loads`` of the same bytes;
* importing one version vs dhis2w-client (258 ms and 47 MB for its v42 package on their machine).

Child processes get a private bytecode cache (``PYTHONPYCACHEPREFIX``), so the checkout and the
virtualenv are left as they are; "no .pyc" rows show the cost when nothing is byte-compiled.
Recorded payloads are read from ``../shared/dhis2`` (or ``DHIS2_SHARED_DIR``), never copied.
``--compare-python`` names an interpreter to try dhis2w-client with when the running one cannot
install it (every release needs Python >= 3.13); both SDKs are then measured in one temp venv.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar, cast
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
for _entry in (ROOT, ROOT / "generated"):
    if str(_entry) not in sys.path:
        sys.path.insert(0, str(_entry))

from _common import (  # noqa: E402
    SHARED,
    BytecodeCaches,
    machine_lines,
    median,
    ms,
    print_table,
    ratio,
    run_checked,
    run_timed,
    sdk_pythonpath,
    secs,
)
from _rows import Row, append_rows, paired_ratios, spread_of  # noqa: E402

from generator import pipeline  # noqa: E402

P = ParamSpec("P")
R = TypeVar("R")

BENCH = Path(__file__).resolve().parent
VERSIONS = ("v41", "v42", "v43")
SNAPSHOTS = [ROOT / "schemas" / f"{version}.json" for version in VERSIONS]
ONE_VERSION = "v42"
NOOP_TARGET = 1.0
VALIDATION_TARGET = 4.0
DHIS2W = "dhis2w-client"
DHIS2W_REPORTED = "258 ms and 47 MB for its v42 package import, on their machine"

IMPORT_PYDANTIC = "import pydantic; from pydantic import BaseModel"
PYDANTIC_FIRST_MODEL = (
    "from pydantic import BaseModel\nclass Tiny(BaseModel):\n    a: int\n"
    "Tiny.model_validate({'a': 1})"
)
PYDANTIC_IMPORT_LABEL = "pydantic: import BaseModel"
PYDANTIC_MODEL_LABEL = "pydantic: + 1st validation of a 1-field model"
USE_ONE_MODEL_LABEL = "import + 1st DataElement validation"
IMPORT_VERSION = f"import dhis2_sdk.{ONE_VERSION}"
DATA_ELEMENT = (
    "{'id': 'fbfJHSPpUQD', 'name': 'ANC 1st visit', 'shortName': 'ANC1', 'valueType': 'INTEGER',"
    " 'aggregationType': 'SUM', 'domainType': 'AGGREGATE', 'categoryCombo': {'id': 'bjDvmb4bfuf'},"
    " 'created': '2013-04-09T14:59:52.123'}"
)
USE_ONE_MODEL = (
    f"from dhis2_sdk.{ONE_VERSION} import DataElement; DataElement.model_validate({DATA_ELEMENT})"
)
DHIS2W_IMPORT = f"import dhis2w_client.generated.{ONE_VERSION}"
DHIS2W_USE_ONE_MODEL = (
    f"from dhis2w_client.generated.{ONE_VERSION} import DataElement; "
    f"DataElement.model_validate({DATA_ELEMENT})"
)

# Runs in the child: times the statement given as argv[1]; memory from /proc/self/status
# (VmRSS now, VmHWM peak), because ru_maxrss survives exec on Linux and would report the
# peak of the forking parent (this benchmark) instead of the child's own.
CHILD = """
import sys, time
def _memory():
    try:
        with open("/proc/self/status") as status:
            fields = dict(line.split(":", 1) for line in status)
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])
    except OSError:
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak, peak
_code = compile(sys.argv[1], "<bench>", "exec")  # the first compile() costs ~1 ms: not timed
_rss0, _ = _memory()
_m0 = len(sys.modules)
_t0 = time.perf_counter()
exec(_code, {"__name__": "__bench__"})
_t1 = time.perf_counter()
_rss1, _peak = _memory()
print("BENCH", _t1 - _t0, _rss0, _rss1, _peak, len(sys.modules) - _m0)
"""


# --- generation ----------------------------------------------------------------------------


class StageClock:
    """Seconds spent in each pipeline stage, accumulated by wrappers around the stage calls."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)

    def wrap(self, stage: str, func: Callable[P, R]) -> Callable[P, R]:
        """``func``, adding the time of every call to ``stage``."""

        def timed(*args: P.args, **kwargs: P.kwargs) -> R:
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - started

        return timed


STAGES = ("parse", "normalise", "render", "format (ruff)", "write", "other")


def skip_format(files: Mapping[str, str]) -> dict[str, str]:
    """Stands in for ``format_sources``: the rendered text, unformatted."""
    return dict(files)


def generate_in_process(out: Path, *, ruff: bool) -> dict[str, float]:
    """``pipeline.generate`` of every snapshot into ``out`` with each stage timed; ``total`` too."""
    clock = StageClock()
    fmt = pipeline.format_sources if ruff else skip_format
    with ExitStack() as stack:
        for name, replacement in (
            ("load_json_object", clock.wrap("parse", pipeline.load_json_object)),
            ("validate_snapshot", clock.wrap("parse", pipeline.validate_snapshot)),
            ("normalise", clock.wrap("normalise", pipeline.normalise)),
            ("render_version", clock.wrap("render", pipeline.render_version)),
            ("format_sources", clock.wrap("format (ruff)", fmt)),
            ("write_packages", clock.wrap("write", pipeline.write_packages)),
        ):
            stack.enter_context(mock.patch.object(pipeline, name, replacement))
        started = time.perf_counter()
        pipeline.generate(SNAPSHOTS, out)
        total = time.perf_counter() - started
    result = dict(clock.seconds)
    result["other"] = total - sum(result.values())
    result["total"] = total
    return result


def bench_generation_in_process(tmp: Path, runs: int) -> dict[str, float]:
    """Median stage times with ruff and the median total without it, into fresh dirs."""
    with_ruff: list[dict[str, float]] = []
    without: list[float] = []
    for run in range(runs):
        with_ruff.append(generate_in_process(tmp / f"inproc-ruff-{run}", ruff=True))
        without.append(generate_in_process(tmp / f"inproc-plain-{run}", ruff=False)["total"])
    totals = [sample["total"] for sample in with_ruff]
    rows: list[list[str]] = []
    medians = {stage: median([s.get(stage, 0.0) for s in with_ruff]) for stage in STAGES}
    total = median(totals)
    for stage in STAGES:
        rows.append([f"  {stage}", secs(medians[stage]), ratio(medians[stage], total)])
    rows.append(["total, with ruff", secs(total), ratio(total, total)])
    rows.append(
        [
            "total, ruff skipped (in-process patch)",
            secs(median(without)),
            ratio(median(without), total),
        ]
    )
    print_table(
        f"1. Generation of {', '.join(VERSIONS)} into a fresh dir, in-process "
        f"(median of {runs}; min-max with ruff {secs(min(totals))}-{secs(max(totals))} s)",
        ["stage", "median s", "x total"],
        rows,
    )
    return {"with_ruff": total, "without_ruff": median(without)}


def generate_command(out: Path) -> list[str]:
    """``python -m generator generate --snapshot ... --out out``."""
    snapshots = [arg for path in SNAPSHOTS for arg in ("--snapshot", str(path))]
    return [sys.executable, "-m", "generator", "generate", *snapshots, "--out", str(out)]


def timed_runs(command: Sequence[str], env: Mapping[str, str], runs: int) -> list[float]:
    """Wall seconds of ``runs`` runs of ``command`` (each must succeed)."""
    return [run_checked(command, env=env).seconds for _ in range(runs)]


def bench_generation_subprocess(
    tmp: Path, runs: int, caches: BytecodeCaches
) -> tuple[Path, dict[str, float]]:
    """End-to-end runs of the command line: fresh dir, no-op, and what start-up alone costs."""
    env_warm = caches.warm(sdk_pythonpath())
    env_cold = caches.cold(sdk_pythonpath())
    target = tmp / "e2e-target"
    run_checked(generate_command(target), env=env_warm)  # fills the bytecode cache, too
    fresh = [
        run_checked(generate_command(tmp / f"e2e-fresh-{run}"), env=env_warm).seconds
        for run in range(runs)
    ]
    noop: dict[str, list[float]] = {"warm": [], "cold": []}
    discarded = 0
    for mode, env in (("warm", env_warm), ("cold", env_cold)):
        for _ in range(runs + 3):
            done = run_checked(generate_command(target), env=env)
            if " 0 files written" in done.stdout:
                noop[mode].append(done.seconds)
            else:  # generator or templates edited while this ran: that run was no no-op
                discarded += 1
            if len(noop[mode]) == runs:
                break
        if not noop[mode]:
            raise RuntimeError(f"no regeneration of {target} was a no-op")
    imports_warm = timed_runs([sys.executable, "-c", "import generator.cli"], env_warm, runs)
    imports_cold = timed_runs([sys.executable, "-c", "import generator.cli"], env_cold, runs)
    bare = timed_runs([sys.executable, "-c", "pass"], env_warm, runs)
    base = median(bare)
    results = {
        "fresh": median(fresh),
        "noop_warm": median(noop["warm"]),
        "noop_cold": median(noop["cold"]),
        "import_warm": median(imports_warm),
        "import_cold": median(imports_cold),
        "bare": base,
    }
    rows = [
        ["python -c pass (baseline)", secs(base), "", ratio(base, base)],
        [
            "python -c 'import generator.cli'",
            secs(results["import_warm"]),
            secs(results["import_cold"]),
            ratio(results["import_warm"], base),
        ],
        ["generate, fresh dir", secs(results["fresh"]), "", ratio(results["fresh"], base)],
        [
            "generate, no-op (already up to date)",
            secs(results["noop_warm"]),
            secs(results["noop_cold"]),
            ratio(results["noop_warm"], base),
        ],
    ]
    if discarded:
        rows.append([f"({discarded} no-op runs discarded: they wrote files)", "", "", ""])
    print_table(
        f"1-2. python -m generator generate (3 versions) as a subprocess, median of {runs}",
        ["command", "s (.pyc)", "s (no .pyc)", "x python -c pass"],
        rows,
    )
    return target, results


# --- datamodel-code-generator ---------------------------------------------------------------

DCG_NOT_DHIS2W = (
    f"{DHIS2W}'s own code generator is not measured: it ships in dhis2w-cli/dhis2w-core (not "
    "installed here) and reads /api/schemas from a running DHIS2, which this offline run lacks"
)


def dcg_command(version: str, out: Path) -> list[str]:
    """datamodel-code-generator over the JSON Schema we publish for ``version``, formatted with
    ruff as ours is (the options of ``tests/sdk/test_dcg_crosscheck.py``)."""
    datamodel_codegen = find_tool("datamodel-codegen") or "datamodel-codegen"
    schema = ROOT / "generated" / "dhis2_sdk" / version / "schema.json"
    return [
        datamodel_codegen,
        *("--input", str(schema), "--input-file-type", "jsonschema"),
        *("--output-model-type", "pydantic_v2.BaseModel", "--output", str(out)),
        *("--target-python-version", "3.11", "--output-datetime-class", "datetime"),
        *("--extra-fields", "allow", "--snake-case-field", "--disable-timestamp"),
        *("--formatters", "ruff-format", "ruff-check"),
    ]


def bench_vs_dcg(tmp: Path, runs: int, caches: BytecodeCaches, target: Path) -> list[Row]:
    """Ours (fresh dir, and no-op) vs datamodel-code-generator for every version, paired per
    round: one ``python -m generator generate`` for all versions against one
    ``datamodel-codegen`` per version (each tool's own command line)."""
    if find_tool("datamodel-codegen") is None:
        print("\n   datamodel-code-generator: not installed here; comparison skipped")
        return []
    env = caches.warm(sdk_pythonpath())
    for version in VERSIONS:  # warm-up (and proof that it runs)
        run_checked(dcg_command(version, tmp / f"dcg-warm-{version}.py"), env=env)
    fresh: list[float] = []
    noop: list[float] = []
    dcg: list[float] = []
    for run in range(runs):
        fresh.append(run_checked(generate_command(tmp / f"vs-dcg-{run}"), env=env).seconds)
        noop.append(run_checked(generate_command(target), env=env).seconds)
        dcg.append(
            sum(
                run_checked(dcg_command(version, tmp / f"dcg-{run}-{version}.py"), env=env).seconds
                for version in VERSIONS
            )
        )
    data = f"{', '.join(VERSIONS)} from schemas/ (ours) and their published schema.json (DCG)"
    rows: list[Row] = []
    for label, ours in (("into a fresh dir", fresh), ("no-op (already up to date)", noop)):
        ratios = paired_ratios(ours, dcg)
        rows.append(
            Row(
                f"generation of every version, {label}, vs datamodel-code-generator",
                median(ratios),
                spread_of(ratios, "rounds"),
                data,
                f"wall s, process start included: ours {median(ours):.2f} vs DCG {median(dcg):.2f}"
                " (one DCG process per version, ruff-formatted like ours); " + DCG_NOT_DHIS2W,
            )
        )
    print_table(
        f"1-3. Generation vs datamodel-code-generator ({runs} paired rounds, wall s)",
        ["command", "median s", "x DCG"],
        [
            ["ours, fresh dir", secs(median(fresh)), f"{rows[0].ratio:.2f}x"],
            ["ours, no-op", secs(median(noop)), f"{rows[1].ratio:.2f}x"],
            ["datamodel-codegen, one run per version", secs(median(dcg)), "1.00x"],
        ],
    )
    print(f"   {DCG_NOT_DHIS2W}")
    return rows


# --- pyright -------------------------------------------------------------------------------


def find_tool(name: str) -> str | None:
    """An executable installed beside this Python, else on PATH."""
    for scripts in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(scripts) / name
        if candidate.is_file():
            return str(candidate)
    return shutil.which(name)


def json_object(text: str) -> dict[str, object]:
    """The first JSON object in ``text`` (wrappers may print a line before it)."""
    start = text.find("{")
    value: object = json.loads(text[start:]) if start >= 0 else None
    if not isinstance(value, dict):
        raise RuntimeError(f"expected a JSON object, got:\n{text[:500]}")
    return cast("dict[str, object]", value)


def number(mapping: Mapping[str, object], key: str) -> float:
    """``mapping[key]`` as a float (JSON numbers only)."""
    value = mapping.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuntimeError(f"{key!r} is not a number in {mapping!r}")
    return float(value)


def bench_pyright(tmp: Path, all_versions: Path, caches: BytecodeCaches) -> dict[str, float]:
    """``pyright -p DIR`` (strict, from the generated pyproject) for one version and for all."""
    pyright = find_tool("pyright")
    if pyright is None:
        print("\n3. pyright: not installed here (pip install -e '.[dev]'); skipped")
        return {}
    one = tmp / f"pyright-{ONE_VERSION}"
    pipeline.generate([ROOT / "schemas" / f"{ONE_VERSION}.json"], one)
    rows: list[list[str]] = []
    results: dict[str, float] = {}
    for label, project in (
        (f"dhis2_sdk.{ONE_VERSION} + runtime", one),
        ("all three versions", all_versions),
    ):
        command = [pyright, "--outputjson", "--pythonpath", sys.executable, "-p", str(project)]
        done = run_timed(command, env=caches.warm())
        summary = json_object(done.stdout).get("summary")
        if not isinstance(summary, dict):
            raise RuntimeError(f"pyright printed no summary:\n{done.stdout[:500]}{done.stderr}")
        counts = cast("dict[str, object]", summary)
        results[label] = done.seconds
        rows.append(
            [
                label,
                secs(done.seconds),
                f"{number(counts, 'filesAnalyzed'):.0f}",
                f"{number(counts, 'errorCount'):.0f}",
                ratio(done.seconds, next(iter(results.values()))),
            ]
        )
    print_table(
        "3. pyright strict over a generated tree (pyright -p DIR, one run each)",
        ["tree", "s", "files", "errors", "x one version"],
        rows,
    )
    return results


# --- import cost ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChildSample:
    """One fresh interpreter running one statement."""

    inside: float  # seconds around the statement, measured in the child
    wall: float  # seconds from spawn to exit, measured here
    rss_before_kb: int
    rss_after_kb: int
    peak_kb: int
    modules: int  # modules the statement imported


def run_statement(python: str, statement: str, env: Mapping[str, str]) -> ChildSample:
    """Run ``statement`` in a fresh ``python`` and return what it cost."""
    done = run_checked([python, "-c", CHILD, statement], env=env)
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    _, inside, before, after, peak, modules = line.split()
    return ChildSample(
        float(inside), done.seconds, int(before), int(after), int(peak), int(modules)
    )


@dataclass(frozen=True, slots=True)
class ImportCase:
    """A statement to measure in fresh processes, and how."""

    label: str
    statement: str
    env: Mapping[str, str]
    runs: int


def measure_cases(python: str, cases: Sequence[ImportCase]) -> dict[str, list[ChildSample]]:
    """Every case once to warm caches, then all of them round-robin (so load drifts spread)."""
    for case in cases:
        run_statement(python, case.statement, case.env)
    samples: dict[str, list[ChildSample]] = {case.label: [] for case in cases}
    for run in range(max(case.runs for case in cases)):
        for case in cases:
            if run < case.runs:
                samples[case.label].append(run_statement(python, case.statement, case.env))
    return samples


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Medians of one case."""

    inside: float
    wall: float
    peak_mb: float
    grown_mb: float
    modules: float
    runs: int


def summarise(samples: Mapping[str, list[ChildSample]]) -> dict[str, ImportResult]:
    """Medians per case."""
    return {
        label: ImportResult(
            inside=median([s.inside for s in runs]),
            wall=median([s.wall for s in runs]),
            peak_mb=median([s.peak_kb for s in runs]) / 1024,
            grown_mb=median([s.rss_after_kb - s.rss_before_kb for s in runs]) / 1024,
            modules=median([s.modules for s in runs]),
            runs=len(runs),
        )
        for label, runs in samples.items()
    }


IMPORT_HEADER = [
    "statement (fresh processes, count)",
    "ms",
    "x pydantic import",
    "x pydantic 1st model",
    "process ms",
    "peak RSS MB",
    "+RSS MB",
    "modules",
]


def print_import_table(title: str, results: Mapping[str, ImportResult]) -> None:
    """The import table, with ratios against the two pydantic baselines of the same run."""
    import_base = results[PYDANTIC_IMPORT_LABEL].inside
    model_base = results[PYDANTIC_MODEL_LABEL].inside
    rows = [
        [
            f"{label} ({result.runs})",
            ms(result.inside),
            ratio(result.inside, import_base),
            ratio(result.inside, model_base),
            ms(result.wall),
            f"{result.peak_mb:.1f}",
            f"{result.grown_mb:.1f}",
            f"{result.modules:.0f}",
        ]
        for label, result in results.items()
    ]
    print_table(title, IMPORT_HEADER, rows)


def baseline_cases(env: Mapping[str, str], runs: int) -> list[ImportCase]:
    """Bare interpreter, pydantic's import, and pydantic's own first model validation."""
    return [
        ImportCase("python -c pass", "pass", env, runs),
        ImportCase(PYDANTIC_IMPORT_LABEL, IMPORT_PYDANTIC, env, runs),
        ImportCase(PYDANTIC_MODEL_LABEL, PYDANTIC_FIRST_MODEL, env, runs),
    ]


def bench_imports(runs: int, caches: BytecodeCaches) -> dict[str, ImportResult]:
    """Import and first use of one version vs bare Python and pydantic, in fresh processes."""
    env = caches.warm(sdk_pythonpath())
    package = str(ROOT / "generated" / "dhis2_sdk")
    run_checked([sys.executable, "-m", "compileall", "-q", package], env=env)
    cases = [
        *baseline_cases(env, runs),
        ImportCase(IMPORT_VERSION, IMPORT_VERSION, env, runs),
        ImportCase(USE_ONE_MODEL_LABEL, USE_ONE_MODEL, env, runs),
        ImportCase(f"{USE_ONE_MODEL_LABEL}, no .pyc", USE_ONE_MODEL, caches.cold(env), 3),
    ]
    results = summarise(measure_cases(sys.executable, cases))
    print_import_table(
        f"4. Import cost (ms: measured in the child around the statement; RSS from "
        f"/proc/self/status; .pyc cached unless said). {USE_ONE_MODEL_LABEL} = "
        f"`{USE_ONE_MODEL[: USE_ONE_MODEL.index('(') + 1]}...)`",
        results,
    )
    print_importtime(env)
    return results


def package_group(module: str) -> str:
    """``dhis2_sdk``, ``pydantic and its dependencies`` or ``stdlib`` for a module name."""
    top = module.split(".")[0]
    if top == "dhis2_sdk":
        return "dhis2_sdk"
    if top in sys.stdlib_module_names or top.startswith("_"):
        return "stdlib"
    return "pydantic and its dependencies"


def importtime_entries(statement: str, env: Mapping[str, str]) -> list[tuple[int, str]]:
    """``(self microseconds, module)`` from one ``python -X importtime -c statement``."""
    done = run_checked([sys.executable, "-X", "importtime", "-c", statement], env=env)
    entries: list[tuple[int, str]] = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            entries.append((int(match[1]), match[2]))
    return entries


def print_importtime(env: Mapping[str, str]) -> None:
    """One ``-X importtime`` run of the first-use statement: where the time goes (modules the
    interpreter imports at start-up, as for ``-c pass``, left out)."""
    startup = {name for _, name in importtime_entries("pass", env)}
    entries = [entry for entry in importtime_entries(USE_ONE_MODEL, env) if entry[1] not in startup]
    groups: defaultdict[str, int] = defaultdict(int)
    for own, name in entries:
        groups[package_group(name)] += own
    ours = sorted((entry for entry in entries if entry[1].startswith("dhis2_sdk")), reverse=True)
    print(
        f"\n   -X importtime of {USE_ONE_MODEL_LABEL} (one run, self times, "
        f"{sum(own for own, _ in entries) / 1000:.1f} ms in {len(entries)} modules): "
        + ", ".join(
            f"{group} {own / 1000:.1f} ms"
            for group, own in sorted(groups.items(), key=lambda item: -item[1])
        )
    )
    print(
        "   dhis2_sdk modules: "
        + ", ".join(f"{name} {own / 1000:.1f} ms" for own, name in ours[:6])
    )


# --- dhis2w-client --------------------------------------------------------------------------


def python_version(python: str) -> str:
    """``3.11.7`` for an interpreter."""
    if python == sys.executable:
        return platform.python_version()
    done = run_checked([python, "-c", "import platform; print(platform.python_version())"])
    return done.stdout.strip()


def download_dhis2w(python: str, tmp: Path) -> tuple[Path | None, str]:
    """``pip download --no-deps dhis2w-client`` with ``python``: the file, or why not."""
    dest = Path(tempfile.mkdtemp(prefix="dhis2w-", dir=tmp))
    command = [python, "-m", "pip", "download", "--no-deps", "-q", "--timeout", "20"]
    command += ["--retries", "1", "-d", str(dest), DHIS2W]
    version = python_version(python)
    try:
        done = run_timed(command, timeout=120)
    except subprocess.TimeoutExpired:
        return None, f"{DHIS2W}: the package index did not answer within 120 s; skipped"
    files = sorted(dest.iterdir())
    if done.returncode == 0 and files:
        return files[0], f"{DHIS2W}: {files[0].name} installs with Python {version}"
    requires = sorted(
        {spec.rstrip(";,") for spec in re.findall(r"Requires-Python (\S+)", done.stderr)}
    )
    if requires:
        return None, (
            f"{DHIS2W}: not installable here (every release on the package index requires "
            f"Python {' or '.join(requires)}, this is {version}); skipped. "
            f"--compare-python PATH tries another interpreter"
        )
    if "No matching distribution" in done.stderr:
        return None, f"{DHIS2W}: not installable here (not on the package index); skipped"
    last = (done.stderr.strip().splitlines() or ["no output"])[-1]
    return None, f"{DHIS2W}: pip download failed ({last}); skipped"


def bench_dhis2w(python: str, wheel: Path, tmp: Path, runs: int, caches: BytecodeCaches) -> None:
    """Measure dhis2w-client and this SDK side by side in one temp venv of ``python``."""
    venv = tmp / "dhis2w-venv"
    run_checked([python, "-m", "venv", str(venv)])
    venv_python = str(venv / "bin" / "python")
    run_checked([venv_python, "-m", "pip", "install", "-q", str(wheel)])
    show = "import pydantic, platform; print(platform.python_version(), pydantic.VERSION)"
    python_v, pydantic_v = run_checked([venv_python, "-c", show]).stdout.split()
    env = caches.warm(sdk_pythonpath())
    cases = [
        *baseline_cases(env, runs),
        ImportCase(DHIS2W_IMPORT, DHIS2W_IMPORT, env, runs),
        ImportCase(f"dhis2w: {USE_ONE_MODEL_LABEL}", DHIS2W_USE_ONE_MODEL, env, runs),
        ImportCase(IMPORT_VERSION, IMPORT_VERSION, env, runs),
        ImportCase(f"dhis2_sdk: {USE_ONE_MODEL_LABEL}", USE_ONE_MODEL, env, runs),
    ]
    print_import_table(
        f"4b. {DHIS2W} ({wheel.name}) side by side in a temp venv: Python {python_v}, "
        f"pydantic {pydantic_v}",
        summarise(measure_cases(venv_python, cases)),
    )


# --- typed validation ----------------------------------------------------------------------


def validate_child(*args: str, caches: BytecodeCaches) -> dict[str, object]:
    """Run ``_validate_payload.py`` with ``args`` in a fresh interpreter."""
    command = [sys.executable, str(BENCH / "_validate_payload.py"), *args]
    return json_object(run_checked(command, env=caches.warm(sdk_pythonpath())).stdout)


def bench_validation(caches: BytecodeCaches) -> float:
    """json.loads vs typed validation of the largest recorded payloads; the worst ratio."""
    rows: list[list[str]] = []
    skipped: list[str] = []
    worst = 0.0
    for version in VERSIONS:
        for source in ("core", "recorded"):
            picked = validate_child("pick", source, version, caches=caches)
            skipped.extend(f"{version}: {line}" for line in cast("list[str]", picked["skipped"]))
            file = picked.get("file")
            if not isinstance(file, str):
                rows.append([f"{version} {source}: nothing validates", *[""] * 8])
                continue
            cold = validate_child("build", version, str(SHARED / file), caches=caches)
            loads = number(picked, "json_loads")
            single = number(picked, "validate_json")
            two_pass = number(picked, "loads_validate_python")
            worst = max(worst, single / loads)
            schema = number(cold, "first_validation") - number(cold, "steady_validation")
            rows.append(
                [
                    f"{version} {file.rsplit('/', 1)[-1][:44]}",
                    f"{number(picked, 'bytes') / 1024:.0f}",
                    f"{number(picked, 'objects'):.0f}",
                    f"{loads * 1000:.2f}",
                    f"{single * 1000:.2f}",
                    ratio(single, loads),
                    f"{two_pass * 1000:.2f}",
                    ratio(two_pass, loads),
                    f"{number(cold, 'import') * 1000:.0f} + {schema * 1000:.0f}",
                ]
            )
    print_table(
        "5. Typed validation vs json.loads of the same bytes (warm: median per call); last column "
        "one-off in a fresh process: import models + build schemas",
        [
            "payload",
            "KB",
            "objects",
            "loads ms",
            "validate_json ms",
            "x loads",
            "loads+validate_python ms",
            "x loads",
            "one-off: import + schema ms",
        ],
        rows,
    )
    full_rows: list[list[str]] = []
    for version in VERSIONS:
        result = validate_child("full", version, caches=caches)
        full_rows.append(
            [
                version,
                f"{number(result, 'collections'):.0f}",
                ms(number(result, "import")),
                ms(number(result, "build")),
            ]
        )
    print_table(
        "   One-off cost of a model of every collection (a whole /api/metadata export), "
        "fresh process",
        ["version", "collections", "import all models ms", "build schema ms"],
        full_rows,
    )
    if skipped:
        print("   larger files skipped (not the shape of the typed models):")
        print("\n".join(f"     {line}" for line in skipped))
    return worst


# --- main ----------------------------------------------------------------------------------


def verdict(value: float, target: float, unit: str) -> str:
    """``met (0.62 s, 38 % under 1 s)`` or ``NOT met (...)``."""
    share = abs(1 - value / target) * 100
    if value <= target:
        return f"met ({value:.2f}{unit}, {share:.0f} % under {target:g}{unit})"
    return f"NOT met ({value:.2f}{unit}, {share:.0f} % over {target:g}{unit})"


def main() -> None:
    """Parse arguments, run every section, print the targets."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per generation figure")
    parser.add_argument("--import-runs", type=int, default=7, help="fresh processes per import row")
    parser.add_argument("--no-pyright", action="store_true", help="skip the pyright timings")
    parser.add_argument("--compare-python", help=f"interpreter to try {DHIS2W} with (>= 3.13)")
    parser.add_argument("--rows", type=Path, help="append one JSON line per comparison here")
    parser.add_argument(
        "--generation-only",
        action="store_true",
        help="only generation and the comparison with datamodel-code-generator (a smoke run)",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    print("Generator benchmark (benchmarks/generator_bench.py)")
    print("\n".join(machine_lines()))
    caches = BytecodeCaches()
    tmp = Path(tempfile.mkdtemp(prefix="dhis2-bench-"))
    try:
        in_process = bench_generation_in_process(tmp, args.runs)
        target, e2e = bench_generation_subprocess(tmp, args.runs, caches)
        append_rows(args.rows, bench_vs_dcg(tmp, args.runs, caches, target))
        if args.generation_only:
            return
        if not args.no_pyright:
            bench_pyright(tmp, target, caches)
        imports = bench_imports(args.import_runs, caches)
        wheel, dhis2w = download_dhis2w(sys.executable, tmp)
        python = sys.executable
        if wheel is None and args.compare_python:
            print(f"\n   {dhis2w}")
            python = args.compare_python
            wheel, dhis2w = download_dhis2w(python, tmp)
        print(f"\n   {dhis2w}")
        if wheel is not None:
            bench_dhis2w(python, wheel, tmp, args.import_runs, caches)
            dhis2w += "; measured side by side in table 4b"
        worst = bench_validation(caches)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(caches.root, ignore_errors=True)

    use = imports[USE_ONE_MODEL_LABEL]
    version = imports[IMPORT_VERSION]
    print("\nTargets")
    print(
        f"  no-op regeneration < {NOOP_TARGET:g} s, end to end: "
        f"{verdict(e2e['noop_warm'], NOOP_TARGET, ' s')} with .pyc; "
        f"{e2e['noop_cold']:.2f} s with no .pyc"
    )
    print(
        f"  typed validation within {VALIDATION_TARGET:g}x json.loads (validate_json, worst "
        f"payload): {verdict(worst, VALIDATION_TARGET, 'x')}"
    )
    print(
        f"  {IMPORT_VERSION}: {version.inside * 1000:.0f} ms, {version.peak_mb:.0f} MB peak RSS; "
        f"{USE_ONE_MODEL_LABEL}: {use.inside * 1000:.0f} ms, {use.peak_mb:.0f} MB "
        f"({DHIS2W} reported {DHIS2W_REPORTED})"
    )
    print(f"  {dhis2w}")
    print(
        f"  generation in-process: {in_process['with_ruff']:.2f} s with ruff, "
        f"{in_process['without_ruff']:.2f} s without"
    )
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
