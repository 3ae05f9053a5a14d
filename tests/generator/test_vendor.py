"""``python -m generator vendor``: the SDK under a downstream project's own name, and ``--check``,
the drift check a downstream CI runs (0 up to date, 1 stale or edited by hand, 2 bad input)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator import cli
from generator.vendor import MANIFEST_NAME, VendorSource, render
from tests.generator.snapshot_edits import Props, edited_snapshot
from tests.paths import GENERATED, SCHEMAS

NAME = "acme_dhis2"
DASHBOARD = "org.hisp.dhis.dashboard.Dashboard"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


@pytest.fixture(scope="module")
def vendored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of v42 vendored once as ``acme_dhis2`` (tests that change it copy it first)."""
    dest = tmp_path_factory.mktemp("vendored")
    assert cli.main(["vendor", "--versions", "v42", "--dest", str(dest), "--package", NAME]) == 0
    return dest


def _copy(vendored: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "dest"
    shutil.copytree(vendored, dest)
    return dest


IMPORT_EVERYTHING = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    sys.modules["dhis2_sdk"] = None  # importing it now fails: the copy must not need it
    package = importlib.import_module(sys.argv[1])
    modules = [info.name for info in pkgutil.walk_packages(package.__path__, sys.argv[1] + ".")]
    for name in modules:
        importlib.import_module(name)
    from acme_dhis2 import Dhis2Client, available_versions
    from acme_dhis2.runtime._retry import logger
    from acme_dhis2.v42 import DataElement, Dhis2Client as Pinned
    try:
        Pinned("http://dhis2.invalid", version="v43")
    except ValueError as exc:
        message = str(exc)
    print(json.dumps({
        "modules": len(modules),
        "loaded": sorted(m for m in sys.modules if m.split(".")[0] == "dhis2_sdk"),
        "logger": logger.name,
        "message": message,
        "versions": available_versions(),
        "client": Dhis2Client.__module__,
        "payload": DataElement(name="ANC", short_name="ANC").to_write_payload(),
    }))
    """
)


def test_the_copy_imports_under_its_own_name_without_dhis2_sdk(vendored: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(vendored)}
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING, NAME],
        capture_output=True,
        text=True,
        check=False,
        cwd=vendored,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["modules"] > 100  # the runtime and every model module of v42
    assert found["loaded"] == ["dhis2_sdk"]  # only the blocker put there above
    assert found["logger"] == f"{NAME}.retry"
    assert found["message"] == (
        f"Dhis2Client is generated for v42; for v43 use {NAME}.v43.Dhis2Client or the untyped "
        f"{NAME}.Dhis2Client."
    )
    assert found["versions"] == ["v42"]
    assert found["client"] == f"{NAME}.runtime._client"
    assert found["payload"] == {"name": "ANC", "shortName": "ANC"}


def test_the_copy_holds_the_runtime_and_only_the_chosen_versions(vendored: Path) -> None:
    root = vendored / NAME
    runtime = {p.name for p in (GENERATED / "dhis2_sdk" / "runtime").glob("*.py")}
    assert {p.name for p in (root / "runtime").glob("*.py")} == runtime
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == ["runtime", "v42"]
    mentions = [p for p in root.rglob("*.py") if "dhis2_sdk" in p.read_text(encoding="utf-8")]
    assert mentions == []


def test_a_new_runtime_module_comes_along_without_a_list(tmp_path: Path) -> None:
    package = tmp_path / "dhis2_sdk"
    shutil.copytree(
        GENERATED / "dhis2_sdk", package, ignore=shutil.ignore_patterns("__pycache__", "v4*")
    )
    (package / "runtime" / "_webhooks.py").write_text('"""In dhis2_sdk."""\n', encoding="utf-8")
    files = render(VendorSource(package, SCHEMAS), ["v42"], NAME)
    assert files["runtime/_webhooks.py"] == f'"""In {NAME}."""\n'.encode()


def test_the_manifest_names_sources_and_hashes_every_file(vendored: Path) -> None:
    root = vendored / NAME
    manifest = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    pins = json.loads((SCHEMAS / "pins.json").read_text(encoding="utf-8"))
    assert manifest["package"] == NAME
    assert manifest["versions"] == {
        "v42": {
            "dhis2": pins["v42"]["version"],
            "digest": pins["v42"]["digest"],
            "snapshot": "schemas/v42.json",
        }
    }
    assert manifest["generator"]["name"] == "dhis2-sdk-generator"
    files = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.name != MANIFEST_NAME
    )
    assert sorted(manifest["files"]) == files


def test_check_passes_on_a_fresh_copy(vendored: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(capsys, "vendor", "--check", "--dest", str(vendored), "--package", NAME)
    assert (status, out) == (0, [f"up to date: {(vendored / NAME).as_posix()} (v42)"])


def test_check_lists_files_edited_added_and_deleted_by_hand(
    vendored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = _copy(vendored, tmp_path)
    root = dest / NAME
    with (root / "runtime" / "_client.py").open("a", encoding="utf-8") as handle:
        handle.write("PATCHED = True\n")
    (root / "v42" / "enums.py").unlink()
    (root / "runtime" / "_local.py").write_text("", encoding="utf-8")
    status, out, _ = _run(capsys, "vendor", "--check", "--dest", str(dest), "--package", NAME)
    assert status == 1
    assert out[:-1] == [
        f"edited by hand: {root.as_posix()}/runtime/_client.py",
        f"added by hand: {root.as_posix()}/runtime/_local.py",
        f"deleted by hand: {root.as_posix()}/v42/enums.py",
    ]
    assert out[-1].startswith("3 files differ from what this generator writes; refresh with ")
    assert f"vendor --versions v42 --dest {dest} --package {NAME}" in out[-1]
    # vendoring again restores the copy
    assert cli.main(["vendor", "--versions", "v42", "--dest", str(dest), "--package", NAME]) == 0
    capsys.readouterr()
    assert cli.main(["vendor", "--check", "--dest", str(dest), "--package", NAME]) == 0


def _drop_short_name(props: Props) -> None:
    del props["shortName"]


def test_check_finds_a_copy_older_than_the_generator(
    vendored: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dest = _copy(vendored, tmp_path)
    schemas = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, schemas)
    edited_snapshot(schemas / "v42.json", "v42", {DASHBOARD: _drop_short_name})
    monkeypatch.setattr(cli, "REPO_SCHEMAS", schemas)  # the generator, a snapshot later
    status, out, _ = _run(capsys, "vendor", "--check", "--dest", str(dest), "--package", NAME)
    root = (dest / NAME).as_posix()
    assert status == 1
    listed = [line.removeprefix("out of date: ") for line in out[:-1]]
    v42 = sorted(
        p.as_posix()
        for p in (dest / NAME / "v42").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    # every generated file names the snapshot's digest in its header; the runtime is as it was
    assert listed == [*v42, f"{root}/{MANIFEST_NAME}"]
    assert f"{root}/v42/models/dashboard.py" in listed


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--check", "--package", NAME], "no vendored copy there"),
        (["--package", "acme-dhis2", "--versions", "v42"], "needs a plain Python identifier"),
        (["--package", NAME, "--versions", "v99"], "no snapshot for v99 in"),
        (["--package", NAME, "--versions", "42"], "give version keys separated by commas"),
        (["--package", NAME], "vendor needs --versions"),
    ],
)
def test_bad_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, _, err = _run(capsys, "vendor", "--dest", str(tmp_path / "none"), *argv)
    assert status == 2
    assert message in err


def test_it_will_not_overwrite_a_folder_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / NAME
    mine.mkdir()
    (mine / "keep.py").write_text("x = 1\n", encoding="utf-8")
    argv = ["vendor", "--versions", "v42", "--dest", str(tmp_path), "--package", NAME]
    status, _, err = _run(capsys, *argv)
    assert status == 2
    assert f"{mine} exists and is not a vendored copy (it has no {MANIFEST_NAME})" in err
    assert [p.name for p in mine.iterdir()] == ["keep.py"]
    status, _, err = _run(capsys, "vendor", "--check", "--dest", str(tmp_path), "--package", NAME)
    assert status == 2
    assert "cannot read the vendored copy's manifest" in err


@pytest.mark.slow
def test_the_copy_passes_pyright_strict_in_its_new_place(vendored: Path, tmp_path: Path) -> None:
    dest = _copy(vendored, tmp_path)
    config = {"include": [NAME], "typeCheckingMode": "strict", "pythonVersion": "3.11"}
    (dest / "pyrightconfig.json").write_text(json.dumps(config), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", sys.executable],
        capture_output=True,
        text=True,
        check=False,
        cwd=dest,
    )
    report = json.loads(done.stdout)
    messages = [
        f"{d['file']}:{d['range']['start']['line']}: {d['message']}"
        for d in report["generalDiagnostics"]
    ]
    assert messages == []
    assert report["summary"]["filesAnalyzed"] > 100
