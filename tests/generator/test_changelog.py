"""``python -m generator diff``: the changelog of one DHIS2 version's package to the next."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import JsonValue

from generator.cli import main
from tests.generator.snapshot_edits import Props, edited_snapshot
from tests.paths import REPO_ROOT, SCHEMAS

DASHBOARD = "org.hisp.dhis.dashboard.Dashboard"
DASHBOARD_ITEM = "org.hisp.dhis.dashboard.DashboardItem"
CHANGELOGS = REPO_ROOT / "docs" / "changelogs"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize(("old", "new"), [("v41", "v42"), ("v42", "v43")])
def test_the_changelogs_in_docs_are_what_diff_prints(
    capsys: pytest.CaptureFixture[str], old: str, new: str
) -> None:
    status, out, _ = _run(capsys, "diff", old, new)
    assert status == 0
    committed = (CHANGELOGS / f"{old}-to-{new}.md").read_text(encoding="utf-8")
    assert out == committed, f"regenerate: python -m generator diff {old} {new} > docs/..."


def _edit_dashboard(props: Props) -> None:
    del props["shortName"]
    props["code"]["required"] = True
    props["itemCount"]["propertyType"] = "TEXT"
    props["itemCount"]["klass"] = "java.lang.String"
    props["layout"]["writable"] = False  # an owned property DHIS2 stops taking


def _edit_dashboard_item(props: Props) -> None:
    constants = props["shape"]["constants"]  # the one property of DashboardItemShape
    assert isinstance(constants, list)
    constants.remove("DOUBLE_WIDTH")
    constants.append("HALF_WIDTH")


def test_each_kind_of_change_with_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edited = edited_snapshot(
        tmp_path / "v42.json",
        "v42",
        {DASHBOARD: _edit_dashboard, DASHBOARD_ITEM: _edit_dashboard_item},
    )
    status, out, _ = _run(capsys, "diff", (SCHEMAS / "v42.json").as_posix(), str(edited), "--json")
    assert status == 0
    document = json.loads(out)
    assert document["from"]["snapshot"] == (SCHEMAS / "v42.json").as_posix()
    assert document["to"]["digest"] != document["from"]["digest"]
    changes: list[dict[str, JsonValue]] = document["changes"]
    found = {(c["kind"], c["subject"], c["member"], c["before"], c["after"]) for c in changes}
    assert found == {
        ("property_removed", "Dashboard", "short_name", None, None),
        ("type_changed", "Dashboard", "item_count", "Dhis2Int", "str"),
        ("became_required", "Dashboard", "code", None, None),
        ("became_read_only", "Dashboard", "layout", None, None),
        ("constant_removed", "DashboardItemShape", "DOUBLE_WIDTH", None, None),
        ("constant_added", "DashboardItemShape", "HALF_WIDTH", None, None),
    }


def test_markdown_marks_what_breaks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edited = edited_snapshot(tmp_path / "v42.json", "v42", {DASHBOARD: _edit_dashboard})
    status, out, _ = _run(capsys, "diff", "v42", str(edited))
    assert status == 0
    assert "### `Dashboard`" in out
    assert "- `short_name`: removed in v42 (`shortName`) — **breaking**" in out
    assert "- `item_count`: retyped in v42: `Dhis2Int` -> `str` — **breaking**" in out


def test_bad_input_exits_2_saying_what_exists(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(capsys, "diff", "v42", "v99")
    assert status == 2
    assert "no snapshot for v99" in err
    assert "(there are v41, v42, v43)" in err
    status, _, err = _run(capsys, "diff", "v42", "no/such.json")
    assert status == 2
    assert "no/such.json: no such snapshot file" in err
