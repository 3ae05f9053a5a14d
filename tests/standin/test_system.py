"""Recorded system endpoints, the version prefix, start-up, and data dirs of unknown versions."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx

from dhis2_standin.launcher import RunningStandin, command
from tests.conftest import DEFAULT_STANDIN_DATA, StandinFactory


def test_system_info_is_the_recorded_body(api: httpx.Client) -> None:
    response = api.get("/system/info")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == json.loads((DEFAULT_STANDIN_DATA / "system-info.json").read_text())


def test_schemas_are_the_recorded_bytes(api: httpx.Client) -> None:
    response = api.get("/schemas")
    assert response.content == (DEFAULT_STANDIN_DATA / "schemas.json").read_bytes()


def test_schemas_field_selection_and_one_schema(api: httpx.Client) -> None:
    listed = api.get("/schemas", params={"fields": "name,plural"}).json()["schemas"]
    assert {"name": "dataElement", "plural": "dataElements"} in listed
    one = api.get("/schemas/dataElement").json()
    assert one["klass"] == "org.hisp.dhis.dataelement.DataElement"
    missing = api.get("/schemas/noSuchThing")
    assert missing.status_code == 404
    assert missing.json()["message"] == "Type noSuchThing does not exist."


def test_me_with_fields(api: httpx.Client) -> None:
    assert api.get("/me", params={"fields": "id,username"}).json() == {
        "id": "xE7jOejl9FI",
        "username": "admin",
    }


def test_version_prefixed_paths(standin: RunningStandin) -> None:
    auth = standin.basic_auth
    plain = httpx.get(f"{standin.api_url}/system/info", auth=auth).json()
    assert httpx.get(f"{standin.api_url}/42/system/info", auth=auth).json() == plain
    listed = httpx.get(f"{standin.api_url}/41/dataElements", auth=auth)
    assert listed.status_code == 200
    assert listed.json()["dataElements"] == []
    assert standin.stats().requests["GET /api/41/dataElements"] == 1


def test_unknown_endpoint_and_method(api: httpx.Client) -> None:
    missing = api.get("/noSuchCollection")
    assert missing.status_code == 404
    assert missing.json() == {
        "httpStatus": "Not Found",
        "httpStatusCode": 404,
        "status": "ERROR",
        "message": "No endpoint GET /api/noSuchCollection",
    }
    wrong_method = api.delete("/system/info")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["message"] == "Request method 'DELETE' is not supported"


def test_prints_exactly_its_url_then_serves(tmp_path: Path) -> None:
    args = command(DEFAULT_STANDIN_DATA)
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline().decode()
            assert re.fullmatch(r"http://127\.0\.0\.1:[1-9]\d*\n", line)
            assert httpx.get(f"{line.strip()}/api/ping").text == "pong"
        finally:
            process.terminate()
            process.wait(timeout=5)


def test_bad_data_dir_fails_with_a_message(tmp_path: Path) -> None:
    result = subprocess.run(command(tmp_path), capture_output=True, timeout=30, check=False)
    assert result.returncode == 2
    assert b"system-info.json is missing" in result.stderr
    assert result.stdout == b""


def test_data_dir_of_a_version_nobody_generated(
    tmp_path: Path, standin_factory: StandinFactory
) -> None:
    info = json.loads((DEFAULT_STANDIN_DATA / "system-info.json").read_text())
    info["version"] = "2.44.0"
    (tmp_path / "system-info.json").write_text(json.dumps(info))
    shutil.copy(DEFAULT_STANDIN_DATA / "schemas.json", tmp_path / "schemas.json")
    server = standin_factory(tmp_path)
    with httpx.Client(base_url=server.api_url, auth=server.basic_auth) as api:
        assert api.get("/system/info").json()["version"] == "2.44.0"
        assert api.get("/44/system/info").json()["version"] == "2.44.0"
        created = api.post("/dataElements", json={"name": "A", "shortName": "A"})
        assert created.status_code == 201
        assert api.get("/44/dataElements").json()["pager"]["total"] == 1


def test_print_credentials(standin: RunningStandin) -> None:
    args = [*command(DEFAULT_STANDIN_DATA), "--print-credentials"]
    result = subprocess.run(args, capture_output=True, timeout=30, check=True, text=True)
    assert result.stdout.splitlines() == [
        "basic: admin:district",
        f"pat: {standin.pat}",
        "oauth2 client: dhis2-sdk-standin:standin-secret (POST /uaa/oauth/token)",
    ]
