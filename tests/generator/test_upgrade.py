"""``python -m generator upgrade --from v42 --to v43 PATH…``: imports moved with libcst (format and
comments kept), then every use the new version breaks, found by pyright and explained from the
changelog. Exit 0 nothing breaks, 1 something does, 2 bad input; ``--dry-run`` writes nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator import cli
from generator.codemod import VersionMove, rewrite_source
from tests.paths import GENERATED

MOVE = VersionMove("v42", "v43", {"dhis2_sdk"})

USER_CODE = textwrap.dedent(
    '''\
    """A user's script against DHIS2 2.42."""

    from dhis2_sdk.v42 import Dashboard, DataElement, Interpretation, ValueType  # the models
    from dhis2_sdk.v42.models.push_analysis import PushAnalysis


    def make() -> Dashboard:
        board = Dashboard(name="ANC", short_name="ANC")
        print(board.form_name)
        element = DataElement(name="x", value_type=ValueType.TRACKER_ASSOCIATE)
        print(element.name, PushAnalysis)
        return board


    def period_of(note: Interpretation) -> str | None:
        return note.period.id if note.period else None
    '''
)


def test_every_form_of_import_moves_and_nothing_else_changes() -> None:
    source = textwrap.dedent(
        """\
        import dhis2_sdk.v42  # the models
        import dhis2_sdk as sdk
        from dhis2_sdk import BasicAuth, v42
        from dhis2_sdk.v42 import (
            DataElement,  # keep me
            Dashboard ,
        )
        from dhis2_sdk.v42.models.dashboard import Dashboard as D
        from other.v42 import Untouched
        from dhis2_sdk_extras.v42 import AlsoUntouched


        def f(d: "dhis2_sdk.v42.Dashboard") -> v42.Dashboard:
            x = dhis2_sdk.v42.DataElement(short_name="x")
            y = sdk.v42.Dashboard()
            mod = importlib.import_module("dhis2_sdk.v42.models")
            v42 = 3  # a local of the same name: not the module
            return v42
        """
    )
    assert rewrite_source(source, MOVE) == textwrap.dedent(
        """\
        import dhis2_sdk.v43  # the models
        import dhis2_sdk as sdk
        from dhis2_sdk import BasicAuth, v43
        from dhis2_sdk.v43 import (
            DataElement,  # keep me
            Dashboard ,
        )
        from dhis2_sdk.v43.models.dashboard import Dashboard as D
        from other.v42 import Untouched
        from dhis2_sdk_extras.v42 import AlsoUntouched


        def f(d: "dhis2_sdk.v43.Dashboard") -> v43.Dashboard:
            x = dhis2_sdk.v43.DataElement(short_name="x")
            y = sdk.v43.Dashboard()
            mod = importlib.import_module("dhis2_sdk.v43.models")
            v42 = 3  # a local of the same name: not the module
            return v42
        """
    )


def test_vendored_names_absolute_dotted_and_relative() -> None:
    move = VersionMove("v42", "v43", {"acme_dhis2", "app._vendor.acme", "..acme"})
    source = (
        "from acme_dhis2.v42 import Dashboard\n"
        "from app._vendor.acme.v42.enums import ValueType\n"
        "from ..acme.v42 import DataElement\n"
        "from ..acme import v42 as sdk42\n"
        "from dhis2_sdk.v42 import Map\n"
    )
    assert rewrite_source(source, move) == (
        "from acme_dhis2.v43 import Dashboard\n"
        "from app._vendor.acme.v43.enums import ValueType\n"
        "from ..acme.v43 import DataElement\n"
        "from ..acme import v43 as sdk42\n"
        "from dhis2_sdk.v42 import Map\n"  # not one of this move's packages
    )


WITHOUT_LIBCST = textwrap.dedent(
    """
    import sys
    sys.modules["libcst"] = None  # a generator installed without the dev dependencies
    from generator.cli import main
    assert main(["diff", "v41", "v42"]) == 0
    raise SystemExit(main(["upgrade", "--from", "v42", "--to", "v43", "x.py"]))
    """
)


def test_the_other_commands_run_without_libcst() -> None:
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_LIBCST], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: upgrade needs libcst and pyright (")
    assert done.stderr.endswith("): pip install -e .[dev]\n")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def test_code_without_the_version_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "plain.py"
    script.write_text("from dhis2_sdk import BasicAuth\n", encoding="utf-8")
    status, out, _ = _run(capsys, "upgrade", "--from", "v42", "--to", "v43", str(tmp_path))
    assert (status, out) == (0, ["rewrote 0 of 1 files"])
    assert script.read_text(encoding="utf-8") == "from dhis2_sdk import BasicAuth\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "v42", "--to", "v42", "app.py"], "--from and --to are both v42"),
        (["--from", "v42", "--to", "v99", "app.py"], "no snapshot for v99"),
        (["--from", "v42", "--to", "v43", "missing.py"], "missing.py: no such file or directory"),
        (["--from", "v42", "--to", "v43", "empty"], "no Python files under"),
        (["--from", "v42", "--to", "v43", "broken.py"], "broken.py: cannot parse it"),
    ],
)
def test_bad_input_exits_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("app.py").write_text(USER_CODE, encoding="utf-8")
    Path("empty").mkdir()
    Path("broken.py").write_text("from dhis2_sdk.v42 import (\n", encoding="utf-8")
    status, _, err = _run(capsys, "upgrade", *argv)
    assert status == 2
    assert message in err
    assert Path("app.py").read_text(encoding="utf-8") == USER_CODE


@pytest.fixture
def sdk_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyright asks the interpreter for its import paths: the SDK is in generated/."""
    monkeypatch.setenv("PYTHONPATH", str(GENERATED))


@pytest.mark.slow
@pytest.mark.usefixtures("sdk_on_path")
def test_each_break_is_reported_and_explained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("app").mkdir()
    Path("app/script.py").write_text(USER_CODE, encoding="utf-8")
    status, out, _ = _run(capsys, "upgrade", "--from", "v42", "--to", "v43", "app")
    assert status == 1
    assert out == [
        "app/script.py:4: PushAnalysis: removed in v43 (`org.hisp.dhis.pushanalysis.PushAnalysis`)",
        "app/script.py:8: Dashboard.short_name: removed in v43 (`shortName`)",
        "app/script.py:9: Dashboard.form_name: removed in v43 (`formName`)",
        "app/script.py:10: ValueType.TRACKER_ASSOCIATE: removed in v43",
        "app/script.py:16: Interpretation.period: retyped in v43: `Reference` -> `JsonValue`",
        "rewrote 1 of 1 files; 5 uses break in v43 "
        "(python -m generator diff v42 v43 lists every change)",
    ]
    assert Path("app/script.py").read_text(encoding="utf-8") == USER_CODE.replace(".v42", ".v43")


@pytest.mark.slow
@pytest.mark.usefixtures("sdk_on_path")
def test_dry_run_shows_the_diff_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    script = Path("fine.py")
    script.write_text("from dhis2_sdk.v42 import DataElement\n\nDataElement(name='x')\n")
    status, out, _ = _run(capsys, "upgrade", "--from", "v42", "--to", "v43", "fine.py", "--dry-run")
    assert status == 0
    assert out == [
        "--- a/fine.py",
        "+++ b/fine.py",
        "@@ -1,3 +1,3 @@",
        "-from dhis2_sdk.v42 import DataElement",
        "+from dhis2_sdk.v43 import DataElement",
        " ",
        " DataElement(name='x')",
        "would rewrite 1 of 1 files",
    ]
    assert script.read_text() == "from dhis2_sdk.v42 import DataElement\n\nDataElement(name='x')\n"


@pytest.mark.slow
def test_a_vendored_copy_beside_the_code_is_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    argv = ["vendor", "--versions", "v42", "--dest", str(project), "--package", "acme_dhis2"]
    assert cli.main(argv) == 0
    code = project / "app.py"
    code.write_text(USER_CODE.replace("dhis2_sdk", "acme_dhis2"), encoding="utf-8")
    capsys.readouterr()
    status, out, _ = _run(capsys, "upgrade", "--from", "v42", "--to", "v43", str(code))
    assert status == 1
    assert out[0] == (
        f"note: the vendored copy {project / 'acme_dhis2'} has no v43: vendor it again with "
        "--versions v43"
    )
    assert code.read_text(encoding="utf-8").count("acme_dhis2.v43") == 2
    # vendored anew with v43, the same breaks as from the installed package
    argv = ["vendor", "--versions", "v42,v43", "--dest", str(project), "--package", "acme_dhis2"]
    assert cli.main(argv) == 0
    code.write_text(USER_CODE.replace("dhis2_sdk", "acme_dhis2"), encoding="utf-8")
    capsys.readouterr()
    status, out, _ = _run(capsys, "upgrade", "--from", "v42", "--to", "v43", str(project))
    assert status == 1
    assert [line.split(": ", 1)[1] for line in out[:-1]] == [
        "PushAnalysis: removed in v43 (`org.hisp.dhis.pushanalysis.PushAnalysis`)",
        "Dashboard.short_name: removed in v43 (`shortName`)",
        "Dashboard.form_name: removed in v43 (`formName`)",
        "ValueType.TRACKER_ASSOCIATE: removed in v43",
        "Interpretation.period: retyped in v43: `Reference` -> `JsonValue`",
    ]
