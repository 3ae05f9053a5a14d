"""The stand-in starts with a real DHIS2's recorded metadata unless told ``--empty`` or given
``--metadata FILE``: the README's ``fbfJHSPpUQD`` is there, as on the demo database."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dhis2_standin.data import DataDir
from dhis2_standin.launcher import RunningStandin, command, start_standin
from dhis2_standin.recorded import RECORDING, recorded_metadata_path
from tests.conftest import DEFAULT_STANDIN_DATA
from tests.paths import REPO_ROOT, SHARED_DHIS2


@pytest.fixture(scope="module")
def recorded() -> Iterator[RunningStandin]:
    with start_standin(DEFAULT_STANDIN_DATA, recorded_metadata=True) as server:
        yield server


@pytest.fixture
def recorded_api(recorded: RunningStandin) -> Iterator[httpx.Client]:
    recorded.reset()
    with httpx.Client(base_url=recorded.api_url, auth=recorded.basic_auth) as client:
        yield client


def test_the_command_line_default_is_the_recorded_metadata() -> None:
    args = command(DEFAULT_STANDIN_DATA, recorded_metadata=True)
    assert "--empty" not in args
    assert "--metadata" not in args


def test_the_readme_data_element_is_there(recorded_api: httpx.Client) -> None:
    response = recorded_api.get("/dataElements/fbfJHSPpUQD", params={"fields": "*"})
    assert response.status_code == 200
    element = response.json()
    assert (element["name"], element["shortName"], element["valueType"]) == (
        "ANC 1st visit",
        "ANC 1st visit",
        "NUMBER",
    )
    assert element["categoryCombo"] == {"id": "KYYSTxeVw28"}


def test_references_are_objects_as_collections_answer_them(recorded_api: httpx.Client) -> None:
    combo = recorded_api.get(
        "/categoryCombos/KYYSTxeVw28", params={"fields": "name,categories[id,name]"}
    ).json()
    assert combo["name"]
    assert combo["categories"]
    assert all(set(category) == {"id", "name"} for category in combo["categories"])


def test_collections_are_paged_as_on_a_real_server(recorded_api: httpx.Client) -> None:
    page = recorded_api.get("/dataElements", params={"filter": "name:ilike:ANC"}).json()
    names = [element["displayName"] for element in page["dataElements"]]
    assert "ANC 1st visit" in names
    total = recorded_api.get("/dataElements", params={"pageSize": 1}).json()["pager"]["total"]
    assert total > 500


def test_writes_are_forgotten_on_reset(recorded: RunningStandin) -> None:
    with httpx.Client(base_url=recorded.api_url, auth=recorded.basic_auth) as api:
        assert api.delete("/dataElements/fbfJHSPpUQD").status_code == 200
        recorded.reset()
        assert api.get("/dataElements/fbfJHSPpUQD").status_code == 200


def test_empty_starts_with_nothing(standin: RunningStandin) -> None:
    assert "--empty" in command(DEFAULT_STANDIN_DATA)  # what the tests' own stand-in runs
    with httpx.Client(base_url=standin.api_url, auth=standin.basic_auth) as api:
        response = api.get("/dataElements/fbfJHSPpUQD")
    assert response.status_code == 404
    assert response.json()["errorCode"] == "E1005"


@pytest.mark.parametrize(
    ("version", "recorded_from"), [("v41", "v41"), ("v42", "v41"), ("v43", "v43")]
)
def test_a_version_without_a_recording_takes_the_nearest_older(
    version: str, recorded_from: str
) -> None:
    path = recorded_metadata_path(DataDir(SHARED_DHIS2 / version))
    assert path == SHARED_DHIS2 / recorded_from / RECORDING


def test_no_recording_anywhere_is_a_one_line_error(tmp_path: Path) -> None:
    data = tmp_path / "v42"
    data.mkdir()
    for name in ("system-info.json", "schemas.json"):
        shutil.copy2(DEFAULT_STANDIN_DATA / name, data / name)
    script = REPO_ROOT / "scripts" / "dhis2_standin.py"
    done = subprocess.run(
        [sys.executable, str(script), "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"dhis2_standin: no recorded metadata for {data} (looked for {RECORDING} there and in "
        "the vNN folders beside it): start with --empty, or preload a file with --metadata\n"
    )


def test_metadata_and_empty_exclude_each_other(tmp_path: Path) -> None:
    script = REPO_ROOT / "scripts" / "dhis2_standin.py"
    args = ["--data", str(DEFAULT_STANDIN_DATA), "--empty", "--metadata", str(tmp_path / "m.json")]
    done = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "not allowed with argument" in done.stderr
