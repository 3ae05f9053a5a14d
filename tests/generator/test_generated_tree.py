"""generated/ is a pure function of generator + templates + schemas, written atomically.

* regenerating every version into a temp dir gives generated/ byte for byte;
* the recorded dumps pulled again give the committed snapshots byte for byte;
* a second run writes nothing and leaves timestamps alone; an error leaves the old tree as it was.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from generator.cli import REPO_SCHEMAS, main
from generator.pipeline import generate
from generator.pull import build_snapshot, read_dump_dir
from generator.stamp import STAMP_NAME
from generator.write import existing_files
from tests.paths import GENERATED, SCHEMAS, SHARED_DHIS2, VERSIONS, version_dirs

SNAPSHOTS = [SCHEMAS / f"{version}.json" for version in VERSIONS]


@pytest.fixture(scope="module")
def fresh_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate(SNAPSHOTS, out)
    return out


def test_generated_is_exactly_what_the_generator_makes(fresh_tree: Path) -> None:
    assert version_dirs(GENERATED) == version_dirs(fresh_tree) == list(VERSIONS)
    for version in VERSIONS:
        committed = existing_files(GENERATED / "dhis2_sdk" / version)
        fresh = existing_files(fresh_tree / "dhis2_sdk" / version)
        assert sorted(fresh) == sorted(committed), "run nox -s codegen and commit generated/"
        stale = [rel for rel in sorted(fresh) if fresh[rel] != committed[rel]]
        assert stale == [], f"{version}: run nox -s codegen and commit generated/"


def test_generator_writes_only_the_version_packages(fresh_tree: Path) -> None:
    written = {rel.split("/")[1] for rel in existing_files(fresh_tree) if "/" in rel}
    assert written == set(VERSIONS)  # the runtime is hand-written in generated/, never copied


def test_generation_is_deterministic(fresh_tree: Path, tmp_path: Path) -> None:
    generate(list(reversed(SNAPSHOTS)), tmp_path)
    assert existing_files(tmp_path) == existing_files(fresh_tree)


@pytest.mark.parametrize("version", VERSIONS)
def test_pull_reproduces_the_pinned_snapshot(version: str) -> None:
    snapshot = build_snapshot(
        read_dump_dir(SHARED_DHIS2 / version), REPO_SCHEMAS / "collection-key-corrections.json"
    )
    assert snapshot.text == (SCHEMAS / f"{version}.json").read_text(encoding="utf-8")
    pins = json.loads((SCHEMAS / "pins.json").read_text(encoding="utf-8"))
    assert pins[version]["digest"] == snapshot.document["digest"]
    assert pins[version]["image"].startswith("dhis2/core:2.")


def test_a_second_run_writes_nothing(tmp_path: Path) -> None:
    generate(SNAPSHOTS[:1], tmp_path)
    model = tmp_path / "dhis2_sdk" / "v41" / "models" / "data_element.py"
    before = model.stat().st_mtime_ns
    report = generate(SNAPSHOTS[:1], tmp_path)
    assert report.written == []
    assert model.stat().st_mtime_ns == before


def test_a_changed_version_keeps_unchanged_files_untouched(tmp_path: Path) -> None:
    generate(SNAPSHOTS[:1], tmp_path)
    package = tmp_path / "dhis2_sdk" / "v41"
    model = package / "models" / "data_element.py"
    before = model.stat().st_mtime_ns
    (package / "models" / "stray.py").write_text("x = 1\n")
    report = generate(SNAPSHOTS[:1], tmp_path)
    assert report.written == [(package / "models" / "stray.py").as_posix()]  # removed
    assert not (package / "models" / "stray.py").exists()
    assert model.stat().st_mtime_ns == before


def test_an_error_leaves_the_old_tree_untouched(tmp_path: Path) -> None:
    generate(SNAPSHOTS[:1], tmp_path)
    before = existing_files(tmp_path)
    broken = tmp_path / "v42.json"
    text = (SCHEMAS / "v42.json").read_text(encoding="utf-8")
    broken.write_text(text[: len(text) // 2], encoding="utf-8")  # truncated
    shutil.copy(SCHEMAS / "v41.json", tmp_path / "v41.json")
    status = main(
        [
            "generate",
            "--snapshot",
            str(tmp_path / "v41.json"),
            "--snapshot",
            str(broken),
            "--out",
            str(tmp_path),
        ]
    )
    assert status == 2
    assert existing_files(tmp_path) == {
        **before,
        "v41.json": (tmp_path / "v41.json").read_bytes(),
        "v42.json": broken.read_bytes(),
    }
    assert not [p for p in (tmp_path / "dhis2_sdk").iterdir() if p.name.startswith(".")]


def test_check_mode_reports_a_stale_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generate(SNAPSHOTS[:1], tmp_path)
    args = ["generate", "--check", "--snapshot", str(SNAPSHOTS[0]), "--out", str(tmp_path)]
    assert main(args) == 0
    (tmp_path / "dhis2_sdk" / "v41" / "enums.py").write_text("# edited by hand\n")
    assert main(args) == 1
    assert f"out of date: {(tmp_path / 'dhis2_sdk' / 'v41').as_posix()}" in capsys.readouterr().out


@pytest.mark.parametrize("version", VERSIONS)
def test_almost_every_field_has_a_real_type(
    version: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """dhis2w-client 1.33 types 24 % of its v42 fields as ``Any``; we stay under 4 %."""
    assert (
        main(["generate", "--snapshot", str(SCHEMAS / f"{version}.json"), "--out", str(tmp_path)])
        == 0
    )
    out = capsys.readouterr().out
    found = re.search(rf"^{version}: .*, (\d+) fields, (\d+) typed only as JSON", out, re.M)
    assert found is not None, out
    fields, untyped = int(found[1]), int(found[2])
    assert fields > 3000
    assert untyped / fields < 0.04, found[0]


def test_a_no_op_run_renders_nothing_but_an_input_change_does(tmp_path: Path) -> None:
    snapshot = tmp_path / "v41.json"
    shutil.copy(SCHEMAS / "v41.json", snapshot)
    out = tmp_path / "out"
    first = generate([snapshot], out)
    assert first.summaries[0].startswith("v41: 125 models")
    assert (out / STAMP_NAME).is_file()
    again = generate([snapshot], out)
    assert again.written == []
    assert again.summaries == first.summaries  # told from the stamp: nothing was rendered

    overrides = {
        "fields": {"org.hisp.dhis.dataelement.DataElement": {"zeroIsSignificant": "zero_ok"}}
    }
    (tmp_path / "name-overrides.json").write_text(json.dumps(overrides), encoding="utf-8")
    renamed = generate([snapshot], out)
    module = out / "dhis2_sdk" / "v41" / "models" / "data_element.py"
    schema = out / "dhis2_sdk" / "v41" / "schema.json"  # carries x-python-name
    assert sorted(renamed.written) == [module.as_posix(), schema.as_posix()]
    assert "    zero_ok: bool | None = Field(" in module.read_text(encoding="utf-8")
