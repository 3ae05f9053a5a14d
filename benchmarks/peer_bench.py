"""This SDK beside dhis2w-client, in one temp venv: import, every model, validation, pyright,
installed size and type precision.

Run: ``python benchmarks/peer_bench.py [--python PY] [--rounds 5] [--rows FILE] [--smoke]`` (or
``nox -s bench``). dhis2w-client needs Python >= 3.13: ``--python`` names the interpreter, else
the running one (if new enough), ``python3.13`` on PATH or a pyenv 3.13 is used. Both SDKs are
installed from their wheels into one venv (this SDK's wheel is built from ``generated/``), so
both see the same pydantic. Rows, each a ratio this SDK / dhis2w-client (below 1: ours smaller):

* ``import dhis2_sdk.v42`` vs ``import dhis2w_client.generated.v42``, fresh processes;
* every model of v42 usable (import every model module and build one validator over all
  collections) vs dhis2w-client's v42 package (which builds every model when imported), and the
  same against the bare-pydantic floor (import pydantic, build and use a one-field model);
* ``validate_json`` of every recorded payload of v41-v43 of at least ``MIN_BYTES``: this SDK
  through the client's path (``gc_paused``) vs ``json.loads``, and vs dhis2w-client's models of
  the same classes on the same bytes (both with the collector on, as a user calls them); run
  by the running Python too (this SDK alone: the collector's cost differs between Pythons);
* pyright strict over one version's package, installed size, and the same user script against
  both under pyright strict (errors; what ``reveal_type`` shows for a fetched object).

Times in fresh processes are CPU seconds of the child (``time.process_time``), which a busy
machine distorts less than wall time; rounds are interleaved and ratios paired per round.
``--smoke`` runs every row once on the smallest data (for the test suite).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from _common import ROOT, machine_lines, run_checked, run_timed
from _rows import Row, append_rows, paired_ratios, spread_of
from generator_bench import download_dhis2w, find_tool, json_object, number

BENCH = Path(__file__).resolve().parent
VERSION = "v42"
VERSIONS = ("v41", "v42", "v43")
MIN_BYTES = 5_000
PEER = "dhis2w-client"

CHILD = """
import sys, time
code = compile(sys.argv[1], "<bench>", "exec")
cpu, wall = time.process_time(), time.perf_counter()
exec(code, {"__name__": "__bench__"})
print("BENCH", time.process_time() - cpu, time.perf_counter() - wall)
"""

FLOOR = """
from pydantic import BaseModel
class Tiny(BaseModel):
    a: int
Tiny.model_validate({"a": 1})
"""
OURS_ONE = f"import dhis2_sdk.{VERSION}"
PEER_PACKAGE = f"import dhis2w_client.generated.{VERSION}"
OURS_EVERY = f"""
import dhis2_sdk.{VERSION} as package
from types import GenericAlias
from pydantic import Field, create_model
models = package.MODELS
fields = {{
    f"c{{index}}": (GenericAlias(list, (models[plural],)), Field(default=[], alias=plural))
    for index, plural in enumerate(sorted(models))
}}
create_model("Export", **fields).model_validate_json(b"{{}}")
"""

OURS_SCRIPT = f"""import asyncio

from dhis2_sdk import PatAuth
from dhis2_sdk.{VERSION} import Dhis2Client


async def main() -> None:
    async with Dhis2Client("https://dhis2.example.org", auth=PatAuth("d2pat_x")) as client:
        element = await client.resources.data_elements.get("fbfJHSPpUQD")
        reveal_type(element)
        reveal_type(element.value_type)
        reveal_type(element.category_combo)
        short: str = element.short_name or ""
        print(short.upper())


asyncio.run(main())
"""
PEER_SCRIPT = """import asyncio

from dhis2w_client import Dhis2Client, PatAuth


async def main() -> None:
    async with Dhis2Client("https://dhis2.example.org", auth=PatAuth(token="d2pat_x")) as client:
        element = await client.resources.data_elements.get("fbfJHSPpUQD")
        reveal_type(element)
        reveal_type(element.valueType)
        reveal_type(element.categoryCombo)
        short: str = element.shortName or ""
        print(short.upper())


asyncio.run(main())
"""


def python_at_least_313(candidate: str) -> bool:
    """True when ``candidate`` runs and is Python >= 3.13."""
    try:
        done = run_timed([candidate, "-c", "import sys; print(sys.version_info >= (3, 13))"])
    except OSError:
        return False
    return done.returncode == 0 and done.stdout.strip() == "True"


def find_python(given: str | None) -> str | None:
    """An interpreter dhis2w-client installs on (see the module docstring)."""
    pyenv = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates = [
        given,
        sys.executable,
        shutil.which("python3.13"),
        *sorted(glob.glob(f"{pyenv}/versions/3.1[3-9]*/bin/python3")),
    ]
    return next((c for c in candidates if c and python_at_least_313(c)), None)


@dataclass(frozen=True, slots=True)
class PeerEnv:
    """The temp venv with both SDKs, and their wheels."""

    python: str
    ours_wheel: Path
    peer_wheel: Path
    env: Mapping[str, str]
    version_line: str


def make_env(python: str, tmp: Path) -> PeerEnv | str:
    """A venv of ``python`` with this SDK and dhis2w-client installed, or why there is none."""
    peer_wheel, why = download_dhis2w(python, tmp)
    if peer_wheel is None:
        return why
    # No PYTHONPATH: pip would take the checkout's dhis2_sdk for an installed one and skip it.
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
    }
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pyc")
    wheels = tmp / "wheels"
    build = [python, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels)]
    run_checked([*build, str(ROOT / "generated")], env=env)
    ours_wheel = next(wheels.glob("dhis2_sdk-*.whl"))
    venv = tmp / "venv"
    run_checked([python, "-m", "venv", str(venv)], env=env)
    venv_python = str(venv / "bin" / "python")
    # Ours with its aiohttp extra: pyright then checks the aiohttp backend against real types.
    install = [venv_python, "-m", "pip", "install", "-q", str(peer_wheel), f"{ours_wheel}[aiohttp]"]
    run_checked(install, env=env)
    show = "import platform, pydantic; print(platform.python_version(), pydantic.VERSION)"
    python_v, pydantic_v = run_checked([venv_python, "-c", show], env=env).stdout.split()
    line = f"Python {python_v}, pydantic {pydantic_v}, {peer_wheel.name}, {ours_wheel.name}"
    return PeerEnv(venv_python, ours_wheel, peer_wheel, env, line)


def child_cpu(peer: PeerEnv, statement: str) -> float:
    """CPU seconds of ``statement`` in a fresh interpreter of the venv."""
    done = run_checked([peer.python, "-c", CHILD, statement], env=peer.env)
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    return float(line.split()[1])


def import_rows(peer: PeerEnv, rounds: int) -> list[Row]:
    """Import one version, and every model of it, in fresh processes; paired per round."""
    cases = {"floor": FLOOR, "ours_one": OURS_ONE, "ours_every": OURS_EVERY, "peer": PEER_PACKAGE}
    for statement in cases.values():  # warm the bytecode cache once
        child_cpu(peer, statement)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, statement in cases.items():
            samples[name].append(child_cpu(peer, statement))

    def row(comparison: str, ours: str, base: str, data: str, note: str) -> Row:
        ratios = paired_ratios(samples[ours], samples[base])
        ours_ms, base_ms = (statistics.median(samples[key]) * 1000 for key in (ours, base))
        ms = f"median {ours_ms:.0f} vs {base_ms:.0f} ms CPU"
        return Row(
            comparison,
            statistics.median(ratios),
            spread_of(ratios, "rounds"),
            data,
            f"{ms}; {note}",
        )

    data = f"fresh processes, .pyc cached; {peer.version_line}"
    return [
        row(
            f"import one version: `{OURS_ONE}` vs `{PEER_PACKAGE}`",
            "ours_one",
            "peer",
            data,
            "ours loads models on first access; theirs builds every model on import",
        ),
        row(
            f"every model of {VERSION} usable: import all + build vs the {PEER} package",
            "ours_every",
            "peer",
            data,
            "ours: every model module imported and one validator built over all collections "
            "(a whole /api/metadata export); theirs: the package import, which builds all",
        ),
        row(
            f"every model of {VERSION} usable vs the bare-pydantic floor",
            "ours_every",
            "floor",
            data,
            "floor: import pydantic, build and validate a one-field model (what any pydantic "
            "SDK pays)",
        ),
    ]


def validation_rows(
    python: str, env: Mapping[str, str], label: str, rounds: int, smoke: bool
) -> list[Row]:
    """Every recorded payload of v41-v43 of at least MIN_BYTES, side by side, run by ``python``
    (dhis2w-client's models join in where that interpreter has them)."""
    rows: list[Row] = []
    for version in VERSIONS:
        args = [python, str(BENCH / "_validate_payload.py"), "compare", version, str(rounds)]
        done = run_checked([*args, "1"] if smoke else args, env=env)
        results = cast("list[dict[str, object]]", json.loads(done.stdout))
        for result in results:
            if not smoke and number(result, "bytes") < MIN_BYTES:
                continue
            rows.extend(payload_rows(f"{label}, {version}", result))
    return rows


def payload_rows(where: str, result: Mapping[str, object]) -> list[Row]:
    """The rows of one payload: vs json.loads (client path) and vs dhis2w-client."""
    series = {
        key: cast("list[float]", value) for key, value in result.items() if isinstance(value, list)
    }
    file = str(result["file"])
    data = (
        f"{where} {file.rsplit('/', 1)[-1]} ({number(result, 'bytes') / 1024:.0f} KB, "
        f"{number(result, 'objects'):.0f} objects)"
    )
    paused = paired_ratios(series["ours_gc_paused"], series["json_loads"])
    gc_on = paired_ratios(series["ours_gc_on"], series["json_loads"])
    rows = [
        Row(
            "typed validation (client path, collector paused) vs json.loads of the same bytes",
            statistics.median(paused),
            spread_of(paused, "rounds"),
            data,
            f"collector on: {statistics.median(gc_on):.2f}x; target <= 2.5x",
        )
    ]
    if "peer_gc_on" in series:
        vs_peer = paired_ratios(series["ours_gc_on"], series["peer_gc_on"])
        paused_vs_peer = paired_ratios(series["ours_gc_paused"], series["peer_gc_on"])
        peer_loads = paired_ratios(series["peer_gc_on"], series["json_loads"])
        ahead = statistics.median(vs_peer) > 1
        why = (
            f"{PEER} is ahead: it keeps access, sharing, owned children and reference lists as "
            "Any, ours types every field, and pydantic-core spends 0.3-0.9 us on each model "
            "instance (one per reference and child) where Any builds a dict"
            if ahead
            else "ours ahead or even"
        )
        rows.append(
            Row(
                f"typed validation vs {PEER} models (collector on for both)",
                statistics.median(vs_peer),
                spread_of(vs_peer, "rounds"),
                data,
                f"{PEER} {statistics.median(peer_loads):.2f}x json.loads; ours with the "
                f"client's paused collector {statistics.median(paused_vs_peer):.2f}x theirs; {why}",
            )
        )
    if "peer_client_path" in series:
        vs_client = paired_ratios(series["ours_gc_paused"], series["peer_client_path"])
        client_loads = paired_ratios(series["peer_client_path"], series["json_loads"])
        ahead = statistics.median(vs_client) > 1
        rows.append(
            Row(
                f"client path: this SDK's list/get vs {PEER}'s list methods, same bytes",
                statistics.median(vs_client),
                spread_of(vs_client, "rounds"),
                data,
                f"ours: validate_json with the collector paused (what Dhis2Client does); theirs: "
                f"json.loads then model_validate per item (what its generated list methods do), "
                f"{statistics.median(client_loads):.2f}x json.loads; "
                + (f"{PEER} ahead" if ahead else "ours ahead or even"),
            )
        )
    return rows


def pyright_rows(peer: PeerEnv, tmp: Path) -> list[Row]:
    """pyright strict over one version's package of each SDK (as installed in the venv)."""
    pyright = find_tool("pyright")
    if pyright is None:
        print("pyright: not installed here; pyright rows skipped")
        return []
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(run_checked([peer.python, "-c", purelib], env=peer.env).stdout.strip())
    # Copied out of the venv: pyright leaves files inside a virtual environment unanalysed.
    trees = {
        "ours": ("dhis2_sdk", [f"dhis2_sdk/{VERSION}", "dhis2_sdk/runtime"]),
        "peer": ("dhis2w_client", [f"dhis2w_client/generated/{VERSION}"]),
    }
    seconds: dict[str, float] = {}
    errors: dict[str, float] = {}
    files: dict[str, float] = {}
    for name, (package, include) in trees.items():
        project = tmp / f"pyright-{name}"
        shutil.copytree(site / package, project / package)
        config = {"include": include, "typeCheckingMode": "strict", "pythonVersion": "3.13"}
        (project / "pyrightconfig.json").write_text(json.dumps(config), encoding="utf-8")
        done = run_timed([pyright, "--outputjson", "--pythonpath", peer.python, "-p", str(project)])
        summary = cast("dict[str, object]", json_object(done.stdout)["summary"])
        seconds[name], errors[name] = done.seconds, number(summary, "errorCount")
        files[name] = number(summary, "filesAnalyzed")
    ratio = seconds["ours"] / seconds["peer"]
    return [
        Row(
            f"pyright strict time over the {VERSION} package vs {PEER}'s",
            ratio,
            "one run each",
            f"ours: dhis2_sdk/{VERSION} + runtime; theirs: dhis2w_client/generated/{VERSION}",
            f"{seconds['ours']:.1f} vs {seconds['peer']:.1f} s wall; files {files['ours']:.0f} vs "
            f"{files['peer']:.0f}; strict errors {errors['ours']:.0f} vs {errors['peer']:.0f}"
            + ("; theirs is quicker: Any fields leave pyright less to check" if ratio > 1 else ""),
        )
    ]


def tree_size(path: Path) -> int:
    """Bytes of every file under ``path`` except byte code."""
    return sum(
        p.stat().st_size for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )


def size_rows(peer: PeerEnv, tmp: Path) -> list[Row]:
    """Installed size of each wheel (no dependencies, no byte code)."""
    sizes: dict[str, int] = {}
    for name, wheel in (("ours", peer.ours_wheel), ("peer", peer.peer_wheel)):
        target = tmp / f"size-{name}"
        run_checked(
            [
                peer.python,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--target",
                str(target),
                str(wheel),
            ]
        )
        sizes[name] = tree_size(target)
    ratio = sizes["ours"] / sizes["peer"]
    return [
        Row(
            f"installed size vs {PEER}",
            ratio,
            "exact (one install each)",
            f"{peer.ours_wheel.name} (v41-v43) vs {peer.peer_wheel.name} (v41-v44, OpenAPI models)",
            f"{sizes['ours'] / 1e6:.1f} vs {sizes['peer'] / 1e6:.1f} MB, no byte code or "
            "dependencies",
        )
    ]


def precision_rows(peer: PeerEnv, tmp: Path) -> list[Row]:
    """The same user script against both SDKs under pyright strict."""
    pyright = find_tool("pyright")
    if pyright is None:
        return []
    found: dict[str, tuple[float, list[str]]] = {}
    for name, script in (("ours", OURS_SCRIPT), ("peer", PEER_SCRIPT)):
        project = tmp / f"precision-{name}"
        project.mkdir()
        (project / "user_script.py").write_text(script, encoding="utf-8")
        config = {"typeCheckingMode": "strict", "pythonVersion": "3.13"}
        (project / "pyrightconfig.json").write_text(json.dumps(config), encoding="utf-8")
        done = run_timed([pyright, "--outputjson", "--pythonpath", peer.python, "-p", str(project)])
        report = json_object(done.stdout)
        diagnostics = cast("list[dict[str, object]]", report.get("generalDiagnostics", []))
        revealed = [
            str(d["message"]).removeprefix("Type of ")
            for d in diagnostics
            if str(d.get("message", "")).startswith("Type of ")
        ]
        errors = sum(1 for d in diagnostics if d.get("severity") == "error")
        found[name] = (errors, revealed)
    ours_errors, ours_revealed = found["ours"]
    peer_errors, peer_revealed = found["peer"]
    untyped = {name: sum(1 for r in found[name][1] if r.endswith('"Any"')) for name in found}
    return [
        Row(
            f"type precision: reveal_type results that are Any in the same user script vs {PEER}",
            untyped["ours"] / max(untyped["peer"], 1),
            "exact (deterministic)",
            "fetch a data element with client.resources.data_elements.get, read three fields",
            f"Any {untyped['ours']} of {len(ours_revealed)} vs {untyped['peer']} of "
            f"{len(peer_revealed)} (ratio over max(theirs, 1)); pyright strict errors "
            f"{ours_errors:.0f} vs {peer_errors:.0f}; reveal_type ours: "
            f"{'; '.join(ours_revealed)}; theirs: {'; '.join(peer_revealed)}",
        )
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Set up the venv, run every comparison, print and append the rows."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--python", help=f"interpreter for {PEER} (>= 3.13)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per timing")
    parser.add_argument("--rows", type=Path, help="append one JSON line per comparison here")
    parser.add_argument("--smoke", action="store_true", help="every row once, smallest data")
    args = parser.parse_args(argv)
    rounds = 1 if args.smoke else args.rounds
    print(f"{PEER} side by side (benchmarks/peer_bench.py)")
    print("\n".join(machine_lines()))
    here = f"Python {platform.python_version()}"
    rows = validation_rows(sys.executable, sdk_env(), here, rounds, args.smoke)
    append_rows(args.rows, rows)
    print_rows(rows)
    python = find_python(args.python)
    if python is None:
        print(f"{PEER}: no Python >= 3.13 found (--python PATH); no side-by-side rows")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="dhis2-peer-"))
    try:
        peer = make_env(python, tmp)
        if isinstance(peer, str):
            print(peer)
            return 0
        print(f"venv: {peer.version_line}")
        rows = [
            *import_rows(peer, rounds),
            *validation_rows(
                peer.python,
                peer.env,
                f"Python {peer.version_line.split(',')[0].split()[1]}",
                rounds,
                args.smoke,
            ),
            *pyright_rows(peer, tmp),
            *size_rows(peer, tmp),
            *precision_rows(peer, tmp),
        ]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print_rows(rows)
    append_rows(args.rows, rows)
    return 0


def print_rows(rows: Sequence[Row]) -> None:
    """The rows as plain text."""
    for row in rows:
        print(f"  {row.ratio:6.2f}x  {row.comparison} [{row.data}] ({row.spread}) {row.note}")


def sdk_env() -> dict[str, str]:
    """The environment of a child of the running interpreter that imports this checkout."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "generated"), str(BENCH)])}


if __name__ == "__main__":
    sys.exit(main())
