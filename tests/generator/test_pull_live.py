"""``pull`` and ``drift`` over real HTTP, against the stand-in serving each recorded version.

The live path is the same code a real DHIS2 sees: Basic or PAT auth, ``/api/system/info`` then
``/api/schemas``, retries on 503/429 and dropped connections.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dhis2_standin.faults import Fault
from generator.cli import main
from tests.conftest import StandinFactory
from tests.paths import SCHEMAS, SHARED_DHIS2, VERSIONS


@pytest.mark.parametrize("version", VERSIONS)
def test_live_pull_gives_the_pinned_snapshot(
    version: str, standin_factory: StandinFactory, tmp_path: Path
) -> None:
    server = standin_factory(SHARED_DHIS2 / version)
    out = tmp_path / f"{version}.json"
    args = ["pull", "--url", server.base_url, "--username", "admin", "--password", "district"]
    assert main([*args, "--out", str(out)]) == 0
    live = json.loads(out.read_text(encoding="utf-8"))
    pinned = json.loads((SCHEMAS / f"{version}.json").read_text(encoding="utf-8"))
    assert live["source"] == server.base_url
    assert {**live, "source": None} == {**pinned, "source": None}


def test_pull_with_a_token_retries_transient_faults(
    standin_factory: StandinFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = standin_factory(
        SHARED_DHIS2 / "v43",
        faults=[
            Fault("error", count=2, path="/api/schemas", status=503),
            Fault("drop", count=1, path="/api/system/info"),
            Fault("rate_limit", count=1, path="/api/schemas", retry_after=0),
        ],
    )
    out = tmp_path / "v43.json"
    assert main(["pull", "--url", server.base_url, "--token", server.pat, "--out", str(out)]) == 0
    assert "(v43), 116 schemas" in capsys.readouterr().out
    assert server.pat not in out.read_text(encoding="utf-8")


def test_pull_with_bad_credentials_says_what_to_do(
    standin_factory: StandinFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = standin_factory(SHARED_DHIS2 / "v42")
    out = tmp_path / "v42.json"
    args = ["pull", "--url", server.base_url, "--username", "admin", "--password", "wrong"]
    assert main([*args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: GET {server.base_url}/api/system/info: 401 Unauthorized; "
        "check --username/--password or --token\n"
    )
    assert "wrong" not in err
    assert not out.exists()


def test_drift_is_quiet_for_the_pinned_server_and_names_what_changed(
    standin_factory: StandinFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = standin_factory(SHARED_DHIS2 / "v42")
    auth = ["--username", "admin", "--password", "district"]
    snapshot = str(SCHEMAS / "v42.json")
    assert main(["drift", "--url", server.base_url, *auth, "--snapshot", snapshot]) == 0
    assert capsys.readouterr().out.startswith("no drift: ")

    changed = tmp_path / "v42-changed"
    changed.mkdir()
    shutil.copy(SHARED_DHIS2 / "v42" / "system-info.json", changed)
    body = json.loads((SHARED_DHIS2 / "v42" / "schemas.json").read_text(encoding="utf-8"))
    for schema in body["schemas"]:
        if schema["klass"] == "org.hisp.dhis.dataelement.DataElement":
            schema["properties"] = [
                p for p in schema["properties"] if p["name"] != "zeroIsSignificant"
            ]
    (changed / "schemas.json").write_text(json.dumps(body), encoding="utf-8")
    server = standin_factory(changed)
    assert main(["drift", "--url", server.base_url, *auth, "--snapshot", snapshot]) == 1
    out = capsys.readouterr().out
    assert "  - org.hisp.dhis.dataelement.DataElement: property zeroIsSignificant\n" in out


def test_pull_of_a_response_nested_too_deep(
    standin_factory: StandinFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "deep"
    deep.mkdir()
    shutil.copy(SHARED_DHIS2 / "v42" / "system-info.json", deep)
    (deep / "schemas.json").write_text('{"schemas": ' + "[" * 100_000 + "]" * 100_000 + "}")
    server = standin_factory(deep)
    out = tmp_path / "v42.json"
    assert main(["pull", "--url", server.base_url, "--token", server.pat, "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"error: GET {server.base_url}/api/schemas: JSON nested too deep to parse; "
        "this is not a DHIS2 response\n"
    )
    assert not out.exists()


_V42_SUMMARY = (
    "wrote {out}: DHIS2 2.42.4-SNAPSHOT (v42), 119 schemas, "
    "sha256:2a82f4f42d0f9870e3ef5cd98c74699d1165228dab5f762afc09bb157fdc46f3; "
    "derived 452 collection keys the dump lacked (450 by rule, 2 from corrections; "
    "-v lists them)\n"
)


def test_pull_prints_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "v42.json"
    assert main(["pull", "--from-dir", str(SHARED_DHIS2 / "v42"), "--out", str(out)]) == 0
    assert capsys.readouterr().out == _V42_SUMMARY.format(out=out)


def test_pull_verbose_lists_the_derived_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "v42.json"
    assert main(["pull", "-v", "--from-dir", str(SHARED_DHIS2 / "v42"), "--out", str(out)]) == 0
    first, *listed = capsys.readouterr().out.splitlines()
    assert first + "\n" == _V42_SUMMARY.format(out=out)
    assert len(listed) == 452
    assert listed[0] == "  org.hisp.dhis.analytics.AnalyticsTableHook.favorites: 'favorites' (rule)"
    assert sum(line.endswith(" (correction)") for line in listed) == 2
