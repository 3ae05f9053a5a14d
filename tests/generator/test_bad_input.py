"""Bad input gets a clear error (exit status 2, naming file, schema and property), never bad code.

Also: whatever names a server sends, the generated code is valid, imports, and runs nothing
that came from the schema (hypothesis builds the names; a subprocess imports the result).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import names
from generator.cli import main
from tests.paths import SCHEMAS, SHARED_DHIS2, copy_hand_written

TEXT = "java.lang.String"


def _prop(name: str, ptype: str = "TEXT", klass: str = TEXT, **extra: object) -> dict[str, object]:
    return {"name": name, "fieldName": name, "propertyType": ptype, "klass": klass, **extra}


def _dump(tmp_path: Path, schemas: list[dict[str, object]], version: str = "2.90.0") -> Path:
    dump = tmp_path / "dump"
    dump.mkdir(exist_ok=True)
    (dump / "system-info.json").write_text(json.dumps({"version": version}), encoding="utf-8")
    (dump / "schemas.json").write_text(json.dumps({"schemas": schemas}), encoding="utf-8")
    return dump


def _schema(props: list[dict[str, object]], klass: str = "org.x.Thing") -> dict[str, object]:
    return {
        "klass": klass,
        "name": "thing",
        "plural": "things",
        "metadata": True,
        "properties": props,
    }


def _pull_and_generate(tmp_path: Path, dump: Path) -> int:
    snapshot = tmp_path / "snapshot.json"
    status = main(["pull", "--from-dir", str(dump), "--out", str(snapshot)])
    if status != 0:
        return status
    return main(["generate", "--snapshot", str(snapshot), "--out", str(tmp_path / "out")])


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().err


def test_a_truncated_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "v42.json"
    path.write_bytes((SCHEMAS / "v42.json").read_bytes()[:5000])
    assert main(["generate", "--snapshot", str(path), "--out", str(tmp_path / "out")]) == 2
    err = _error(capsys)
    assert err.startswith(f"error: {path.as_posix()}: not valid JSON (")
    assert err.endswith("); the file is truncated or not a DHIS2 response\n")
    assert not (tmp_path / "out").exists()


_TOO_DEEP = "[" * 100_000 + "]" * 100_000


def test_a_snapshot_nested_too_deep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "v42.json"
    path.write_text(f'{{"schemas": {_TOO_DEEP}}}', encoding="utf-8")
    assert main(["generate", "--snapshot", str(path), "--out", str(tmp_path / "out")]) == 2
    assert _error(capsys) == (
        f"error: {path.as_posix()}: JSON nested too deep to parse; this is not a DHIS2 response\n"
    )


def test_a_dump_nested_too_deep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dump = _dump(tmp_path, [])
    (dump / "schemas.json").write_text(_TOO_DEEP, encoding="utf-8")
    assert main(["pull", "--from-dir", str(dump), "--out", str(tmp_path / "s.json")]) == 2
    assert _error(capsys) == (
        f"error: {dump / 'schemas.json'}: JSON nested too deep to parse; "
        "this is not a DHIS2 response\n"
    )


def test_a_deep_value_the_generator_does_not_read(tmp_path: Path) -> None:
    """Deep enough to trouble a recursive copy, not the parser: pull drops it like any key it
    does not read."""
    deep = json.loads("[" * 500 + "]" * 500)
    dump = _dump(tmp_path, [{**_schema([_prop("id", extra=deep)]), "extra": deep}])
    assert _pull_and_generate(tmp_path, dump) == 0
    assert "extra" not in (tmp_path / "snapshot.json").read_text(encoding="utf-8")


def test_a_non_json_dump(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dump = _dump(tmp_path, [])
    (dump / "schemas.json").write_text("<html>502 Bad Gateway</html>", encoding="utf-8")
    assert main(["pull", "--from-dir", str(dump), "--out", str(tmp_path / "s.json")]) == 2
    assert _error(capsys).startswith(f"error: {dump / 'schemas.json'}: not valid JSON (")


def test_a_missing_dump_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pull", "--from-dir", str(tmp_path), "--out", str(tmp_path / "s.json")]) == 2
    assert _error(capsys) == (
        f"error: {tmp_path / 'system-info.json'}: cannot read it (No such file or directory); "
        "--from-dir wants a directory holding system-info.json and schemas.json\n"
    )


def test_a_property_without_property_type(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prop = _prop("code")
    del prop["propertyType"]
    dump = _dump(tmp_path, [_schema([_prop("id"), prop])])
    assert _pull_and_generate(tmp_path, dump) == 2
    assert _error(capsys) == (
        "error: recorded:dump schemas: schema 'org.x.Thing', property 'code': "
        "key 'propertyType': Field required\n"
    )


def test_an_empty_property_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dump = _dump(tmp_path, [_schema([_prop("")])])
    assert _pull_and_generate(tmp_path, dump) == 2
    assert _error(capsys) == (
        f"error: {(tmp_path / 'snapshot.json').as_posix()}: schema 'org.x.Thing', property '': "
        "a property has an empty name\n"
    )


def test_names_that_collide_after_case_conversion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = _dump(tmp_path, [_schema([_prop("dataSetId"), _prop("dataSetID")])])
    assert _pull_and_generate(tmp_path, dump) == 2
    assert _error(capsys) == (
        f"error: {(tmp_path / 'snapshot.json').as_posix()}: schema 'org.x.Thing', property "
        "'dataSetId': its Python name 'data_set_id' clashes with that of property 'dataSetID'; "
        "add a rename to schemas/name-overrides.json\n"
    )


def test_a_name_override_resolves_a_collision(tmp_path: Path) -> None:
    dump = _dump(tmp_path, [_schema([_prop("dataSetId"), _prop("dataSetID")])])
    overrides = {"fields": {"org.x.Thing": {"dataSetID": "data_set_id_upper"}}}
    (tmp_path / "name-overrides.json").write_text(json.dumps(overrides), encoding="utf-8")
    assert _pull_and_generate(tmp_path, dump) == 0
    model = (tmp_path / "out" / "dhis2_sdk" / "v90" / "models" / "thing.py").read_text()
    expected = (
        'data_set_id_upper: str | None = Field(\n        default=None, validation_alias="dataSetID"'
    )
    assert expected in model


def test_a_name_override_that_shadows_a_model_method(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = _dump(tmp_path, [_schema([_prop("id"), _prop("toWire")])])
    overrides = tmp_path / "name-overrides.json"
    overrides.write_text(json.dumps({"fields": {"org.x.Thing": {"toWire": "to_wire"}}}))
    assert _pull_and_generate(tmp_path, dump) == 2
    assert _error(capsys) == (
        f"error: {overrides}: fields['org.x.Thing']['toWire']: 'to_wire' cannot be a field "
        "name: it would shadow the model's own 'to_wire'; choose another, such as 'to_wire_'\n"
    )
    assert not (tmp_path / "out").exists()


def test_an_unknown_key_in_the_overrides_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = _dump(tmp_path, [_schema([_prop("id")])])
    overrides = tmp_path / "name-overrides.json"
    overrides.write_text(json.dumps({"field": {"org.x.Thing": {"id": "uid"}}}))
    assert _pull_and_generate(tmp_path, dump) == 2
    assert _error(capsys) == (
        f"error: {overrides}: unknown key 'field'; the file holds 'classes' "
        "({Java klass: class name}) and 'fields' ({Java klass: {wire name: python name}})\n"
    )


def _two_sources(tmp_path: Path) -> Path:
    return _dump(
        tmp_path,
        [
            {**_schema([_prop("id")], klass="org.a.x.Source"), "name": "a", "plural": "as"},
            {**_schema([_prop("id")], klass="org.b.x.Source"), "name": "b", "plural": "bs"},
        ],
    )


def test_class_names_that_clash_after_qualification(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _pull_and_generate(tmp_path, _two_sources(tmp_path)) == 2
    assert _error(capsys) == (
        f"error: {(tmp_path / 'snapshot.json').as_posix()}: schema 'org.b.x.Source': its class "
        "name 'XSource' clashes with that of 'org.a.x.Source'; add a rename to "
        "schemas/name-overrides.json\n"
    )


@pytest.mark.parametrize("rename", ["OtherSource", "Source"])
def test_a_class_rename_resolves_a_clash(tmp_path: Path, rename: str) -> None:
    overrides = {"classes": {"org.b.x.Source": rename}}
    (tmp_path / "name-overrides.json").write_text(json.dumps(overrides), encoding="utf-8")
    assert _pull_and_generate(tmp_path, _two_sources(tmp_path)) == 0
    models = tmp_path / "out" / "dhis2_sdk" / "v90" / "models"
    renamed = (models / f"{names.module_name(rename)}.py").read_text(encoding="utf-8")
    assert f"class {rename}(Dhis2Model):" in renamed
    assert 'dhis2_klass: ClassVar[str] = "org.b.x.Source"' in renamed
    other = "XSource" if rename == "Source" else "Source"
    assert "org.a.x.Source" in (models / f"{names.module_name(other)}.py").read_text("utf-8")


_KNOWN_TYPES = (
    "BOOLEAN, COLLECTION, COLOR, COMPLEX, CONSTANT, DATE, EMAIL, GEOLOCATION, IDENTIFIER, "
    "INTEGER, NUMBER, PASSWORD, PHONENUMBER, REFERENCE, TEXT, URL"
)


def test_an_unknown_property_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dump = _dump(tmp_path, [_schema([_prop("hologram", "HOLOGRAM", "org.x.Hologram")])])
    assert _pull_and_generate(tmp_path, dump) == 2
    assert _error(capsys) == (
        f"error: {(tmp_path / 'snapshot.json').as_posix()}: schema 'org.x.Thing', property "
        f"'hologram': unknown propertyType 'HOLOGRAM' (known: {_KNOWN_TYPES}); give it a "
        "typing rule in generator/field_types.py and list it in generator/property_types.py\n"
    )
    assert not (tmp_path / "out").exists()


def test_an_unknown_item_property_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    holograms = _prop(
        "hologram",
        "COLLECTION",
        "java.util.List",
        collection=True,
        collectionName="holograms",
        itemPropertyType="HOLOGRAM",
        itemKlass="org.x.Hologram",
    )
    dump = _dump(tmp_path, [_schema([_prop("id"), holograms])])
    assert _pull_and_generate(tmp_path, dump) == 2
    assert _error(capsys) == (
        f"error: {(tmp_path / 'snapshot.json').as_posix()}: schema 'org.x.Thing', property "
        f"'hologram': unknown itemPropertyType 'HOLOGRAM' (known: {_KNOWN_TYPES}); give it a "
        "typing rule in generator/field_types.py and list it in generator/property_types.py\n"
    )


def test_a_snapshot_edited_by_hand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads((SCHEMAS / "v43.json").read_text(encoding="utf-8"))
    document["schemas"][0]["properties"][0]["writable"] = False
    path = tmp_path / "v43.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert main(["generate", "--snapshot", str(path), "--out", str(tmp_path / "out")]) == 2
    err = _error(capsys)
    assert err.startswith(f"error: {path.as_posix()}: its content does not match its digest (")
    assert err.endswith(
        "it was edited after pull wrote it. Pull it again, or restore it from git\n"
    )


def test_a_version_key_that_is_not_a_package_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads((SCHEMAS / "v43.json").read_text(encoding="utf-8"))
    document["dhis2"]["versionKey"] = "../../etc"
    path = tmp_path / "v43.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert main(["generate", "--snapshot", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "key 'versionKey': String should match pattern '^v[0-9]{1,4}$'" in _error(capsys)


def test_an_unreadable_version_string(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dump = _dump(tmp_path, [_schema([_prop("id")])], version="latest")
    assert main(["pull", "--from-dir", str(dump), "--out", str(tmp_path / "s.json")]) == 2
    assert _error(capsys) == (
        "error: cannot read a DHIS2 version from 'latest'; expected something like '2.42.1'\n"
    )


def test_an_unseen_version_generates(tmp_path: Path) -> None:
    """A dump of a version nobody generated before (2.44 here) still gives a working SDK."""
    info = json.loads((SHARED_DHIS2 / "v43" / "system-info.json").read_text(encoding="utf-8"))
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "system-info.json").write_text(json.dumps({**info, "version": "2.44.0"}))
    (dump / "schemas.json").write_bytes((SHARED_DHIS2 / "v43" / "schemas.json").read_bytes())
    assert _pull_and_generate(tmp_path, dump) == 0
    assert (tmp_path / "out" / "dhis2_sdk" / "v44" / "models" / "data_element.py").is_file()


# --- names built to break or inject -------------------------------------------------------

_PROBE = """
import importlib, os, sys
sys.path.insert(0, sys.argv[1])
package = importlib.import_module("dhis2_sdk.v90")
for name in package.__all__:
    getattr(package, name)
for key in package.MODELS:
    model = package.MODELS[key]
    model.model_validate({})
print("PWNED" if os.environ.get("DHIS2_SDK_PWNED") else "clean")
"""

_NASTY = st.sampled_from(
    [
        '"""',
        "'''",
        "\\",
        "\n",
        "\r",
        "\x00",
        "#",
        "{{",
        "{%",
        '"); import os; os.environ["DHIS2_SDK_PWNED"]="1"; ("',
        "__import__('os')",
        "class",
        "from",
        "None",
        "model_config",
        "__init__",
        "\u2028",
        "é",
        " ",
        "$",
        ".",
    ]
)
_NAMES = st.lists(st.one_of(_NASTY, st.text(max_size=6)), min_size=1, max_size=4).map("".join)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    klass=_NAMES,
    props=st.lists(_NAMES, min_size=1, max_size=4, unique=True),
    constants=st.lists(_NAMES, min_size=1, max_size=4),
)
def test_fuzzed_names_give_safe_code_or_a_clear_error(
    tmp_path: Path, klass: str, props: list[str], constants: list[str]
) -> None:
    work = tmp_path / f"case{abs(hash((klass, tuple(props), tuple(constants))))}"
    work.mkdir()
    properties = [_prop(name) for name in props]
    properties.append(_prop("kind", "CONSTANT", "org.x.Kind" + klass, constants=constants))
    dump = _dump(work, [_schema(properties, klass=f"org.x.{klass}")])
    status = _pull_and_generate(work, dump)
    if status != 0:
        assert status == 2
        return
    copy_hand_written(work / "out")
    env = {k: v for k, v in os.environ.items() if k != "DHIS2_SDK_PWNED"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(work / "out")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "clean"
