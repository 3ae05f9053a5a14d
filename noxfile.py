"""Every task of the project is a nox session; CI calls the same commands a person does.

nox -s dev                  .venv/ for working by hand (python -m generator, pytest, the stand-in)
nox -s codegen              regenerate generated/ from schemas/ (all versions, offline)
nox -s codegen-v42          one version (likewise v41, v43)
nox -s lint typecheck tests the whole test suite (what .ci/run runs); tests marked slow run on
                            the first Python only (see ``tests``)
nox -s golden-update        re-render the golden trees in tests/golden/expected
nox -s changelogs           rewrite docs/changelogs/ (python -m generator diff per version pair)
nox -s schema-drift         pinned snapshots vs a server (DHIS2_URL, or the stand-in)
nox -s bench                benchmarks, printed as ratios against baselines in the same run,
                            and benchmarks/RESULTS.md written from them
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = False
nox.options.sessions = ["lint", "typecheck", "tests"]

ROOT = Path(__file__).resolve().parent
VERSIONS = ("v41", "v42", "v43")
SNAPSHOTS = [f"schemas/{version}.json" for version in VERSIONS]
PYTHON = "3.11"


@nox.session(venv_backend="none")
def dev(session: nox.Session) -> None:
    """Make .venv/, the development environment: this checkout installed editable with its dev
    tools (``pip install -e '.[dev]'``) and the generated ``dhis2_sdk`` (``-e ./generated``),
    with the Python that runs nox (3.11+).

    Then ``source .venv/bin/activate`` and run ``python -m generator``, ``pytest``, ``pyright`` or
    ``python scripts/dhis2_standin.py`` by hand. Run it again after pyproject.toml changes.
    """
    venv = ROOT / ".venv"
    packages = ("-e", ".[dev]", "-e", "./generated")  # the SDK too, for the README's examples
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if shutil.which("uv"):  # scripts/run.py puts its pinned uv on PATH
        session.run("uv", "venv", "--allow-existing", "--python", sys.executable, str(venv))
        session.run("uv", "pip", "install", "--python", str(python), *packages)
    else:
        session.run(sys.executable, "-m", "venv", str(venv))
        session.run(str(python), "-m", "pip", "install", *packages)
    activate = r".venv\Scripts\activate" if os.name == "nt" else "source .venv/bin/activate"
    session.log(f"ready: {activate}, then python -m generator --help, pytest -q -x, or")
    session.log("python scripts/dhis2_standin.py --data ../shared/dhis2/v42 --port 8080")


def _install(session: nox.Session, *, dev: bool = True) -> None:
    session.install("-e", ".[dev]" if dev else ".")


def _generate(session: nox.Session, *snapshots: str) -> None:
    args = [arg for snapshot in snapshots for arg in ("--snapshot", snapshot)]
    session.run("python", "-m", "generator", "generate", *args, "--out", "generated")


@nox.session(python=PYTHON)
def codegen(session: nox.Session) -> None:
    """Regenerate every version into generated/ from the pinned snapshots (no network)."""
    _install(session, dev=False)
    _generate(session, *SNAPSHOTS)


for _version in VERSIONS:

    def _codegen_one(session: nox.Session, version: str = _version) -> None:
        _install(session, dev=False)
        _generate(session, f"schemas/{version}.json")

    _codegen_one.__doc__ = f"Regenerate dhis2_sdk.{_version} into generated/ (no network)."
    nox.session(name=f"codegen-{_version}", python=PYTHON)(_codegen_one)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the generator, runtime, tests and generated/."""
    _install(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """pyright over generator, runtime, stand-in, tests and every generated version.

    Strict mode comes from ``typeCheckingMode = "strict"`` in pyproject.toml and
    generated/pyproject.toml (pyright's command line has no ``--strict`` flag).
    """
    _install(session)
    python = str(Path(session.virtualenv.location) / "bin" / "python")
    session.run("pyright", "--pythonpath", python)
    session.run("pyright", "--pythonpath", python, "-p", "generated")


@nox.session(python=[PYTHON, "3.13"])
def tests(session: nox.Session) -> None:
    """The pytest suite (on 3.11, and on 3.13 where nox finds it).

    Tests marked ``slow`` (the 10,000-call stress test, the datamodel-code-generator cross-check)
    run once per CI run, on 3.11: they exercise the stand-in and the generated code, not what
    differs between Pythons, so a second run only costs time. ``-m slow`` in the posargs overrides.
    """
    _install(session)
    once = [] if session.python == PYTHON else ["-m", "not slow"]
    session.run("pytest", *once, *session.posargs)


@nox.session(name="golden-update", python=PYTHON)
def golden_update(session: nox.Session) -> None:
    """Re-render tests/golden/expected from tests/golden/snapshots; review the diff."""
    _install(session, dev=False)
    session.run("python", "-m", "tests.golden.update")


@nox.session(python=PYTHON)
def changelogs(session: nox.Session) -> None:
    """Rewrite docs/changelogs/vNN-to-vMM.md for each pair of consecutive pinned versions."""
    _install(session, dev=False)
    for old, new in itertools.pairwise(VERSIONS):
        with (ROOT / "docs" / "changelogs" / f"{old}-to-{new}.md").open("w") as out:
            session.run("python", "-m", "generator", "diff", old, new, stdout=out)


@nox.session(name="schema-drift", python=PYTHON)
def schema_drift(session: nox.Session) -> None:
    """Pinned snapshots vs a server, and generated/ vs the generator.

    With DHIS2_URL (and DHIS2_USERNAME/DHIS2_PASSWORD or DHIS2_PAT) set, pulls that live
    server and compares it with the snapshot of its version (``-- v42`` picks one). Without,
    pulls each recorded version over HTTP from the local stand-in. Then checks that generated/
    is exactly what the generator makes from schemas/.
    """
    _install(session)
    session.run("python", "scripts/schema_drift.py", *session.posargs)
    session.run(
        "python",
        "-m",
        "generator",
        "generate",
        "--check",
        *[arg for s in SNAPSHOTS for arg in ("--snapshot", s)],
        "--out",
        "generated",
    )


BENCH_SCRIPTS = (
    "generator_bench.py",
    "peer_bench.py",
    "resources_bench.py",
    "client_throughput.py",
)
"""Every benchmark ``nox -s bench`` runs, each with ``--rows``; ``results.py`` renders the rows."""


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks: generation, import, validation, client throughput, memory, size, types.

    ``nox -s bench`` runs every script of ``BENCH_SCRIPTS`` with ``--rows`` and writes
    ``benchmarks/RESULTS.md`` from the rows (``benchmarks/results.py``); ``nox -s bench --
    generator_bench.py --no-pyright`` runs one script with its own options and writes nothing.
    """
    _install(session)
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT / "generated"), str(ROOT)])}
    bench_dir = ROOT / "benchmarks"
    if session.posargs:
        session.run("python", str(bench_dir / session.posargs[0]), *session.posargs[1:], env=env)
        return
    rows = Path(session.create_tmp()) / "rows.jsonl"
    rows.write_text("", encoding="utf-8")
    for script in BENCH_SCRIPTS:
        session.run("python", str(bench_dir / script), "--rows", str(rows), env=env)
    results = bench_dir / "RESULTS.md"
    session.run("python", str(bench_dir / "results.py"), str(rows), "--out", str(results), env=env)
