"""The name-overrides table: read strictly, every rename checked like a generated name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.errors import GeneratorError
from generator.overrides import NameOverrides, load_overrides

_SHAPE = (
    "the file holds 'classes' ({Java klass: class name}) and "
    "'fields' ({Java klass: {wire name: python name}})"
)
_SNAKE = (
    "a field name is snake_case ASCII: a lower-case letter, then lower-case letters, digits "
    "and underscores"
)
_PASCAL = "a class name is PascalCase ASCII: a capital letter, then letters and digits"
_THING = "org.x.Thing"


def _fields(renames: object) -> str:
    return json.dumps({"fields": {_THING: renames}})


def _classes(renames: object) -> str:
    return json.dumps({"classes": renames})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "{path}: expected a JSON object at the top level"),
        (
            "{",
            "{path}: not valid JSON (Expecting property name enclosed in double quotes: line 1 "
            "column 2 (char 1)); the file is truncated or not a name-overrides table",
        ),
        ('{"feilds": {}}', f"{{path}}: unknown key 'feilds'; {_SHAPE}"),
        (
            '{"fields": []}',
            "{path}: fields: expected an object {Java klass: {wire name: python name}}, got a list",
        ),
        (
            '{"classes": "X"}',
            "{path}: classes: expected an object {Java klass: class name}, got a string",
        ),
        (
            json.dumps({"fields": {"Thing": {}}}),
            "{path}: fields['Thing']: 'Thing' is not a Java class name such as "
            "'org.hisp.dhis.dataelement.DataElement'",
        ),
        (
            _fields(["a"]),
            "{path}: fields['org.x.Thing']: expected an object {wire name: python name}, "
            "got a list",
        ),
        (
            _fields({"a": 1}),
            "{path}: fields['org.x.Thing']['a']: expected a Python name (a string), got a number",
        ),
        (
            _fields({"": "a"}),
            "{path}: fields['org.x.Thing']['']: a wire name cannot be empty",
        ),
        (
            _fields({"dataSetID": "DataSetId"}),
            f"{{path}}: fields['org.x.Thing']['dataSetID']: 'DataSetId' cannot be a field name: "
            f"{_SNAKE}; choose another, such as 'data_set_id'",
        ),
        (
            _fields({"links": "_links"}),
            f"{{path}}: fields['org.x.Thing']['links']: '_links' cannot be a field name: "
            f"{_SNAKE}; choose another, such as 'links'",
        ),
        (
            _fields({"toWire": "to_wire"}),
            "{path}: fields['org.x.Thing']['toWire']: 'to_wire' cannot be a field name: "
            "it would shadow the model's own 'to_wire'; choose another, such as 'to_wire_'",
        ),
        (
            _fields({"readOnly": "read_only_fields"}),
            "{path}: fields['org.x.Thing']['readOnly']: 'read_only_fields' cannot be a field "
            "name: it would shadow the model's own 'read_only_fields'; choose another, such as "
            "'read_only_fields_'",
        ),
        (
            _fields({"dump": "model_dump"}),
            "{path}: fields['org.x.Thing']['dump']: 'model_dump' cannot be a field name: "
            "pydantic reserves names starting with 'model_'; choose another, such as "
            "'model_dump_'",
        ),
        (
            _fields({"schema": "schema"}),
            "{path}: fields['org.x.Thing']['schema']: 'schema' cannot be a field name: "
            "it would shadow pydantic's BaseModel.schema; choose another, such as 'schema_'",
        ),
        (
            _fields({"klass": "class"}),
            "{path}: fields['org.x.Thing']['klass']: 'class' cannot be a field name: "
            "it is a Python keyword; choose another, such as 'class_'",
        ),
        (
            _fields({"kind": "int"}),
            "{path}: fields['org.x.Thing']['kind']: 'int' cannot be a field name: "
            "it would shadow the builtin 'int' in the model's annotations; choose another, "
            "such as 'int_'",
        ),
        (
            _fields({"a": "same", "b": "same"}),
            "{path}: fields['org.x.Thing']['b']: 'same' is already the rename of 'a'",
        ),
        (
            _classes({"org.x.Thing": "thing"}),
            f"{{path}}: classes['org.x.Thing']: 'thing' cannot be a class name: {_PASCAL}; "
            "choose another, such as 'Thing'",
        ),
        (
            _classes({"org.x.Thing": "Reference"}),
            "{path}: classes['org.x.Thing']: 'Reference' cannot be a class name: "
            "the generated modules use the name 'Reference' themselves; choose another, "
            "such as 'ReferenceModel'",
        ),
        (
            _classes({"org.x.Thing": "Exception"}),
            "{path}: classes['org.x.Thing']: 'Exception' cannot be a class name: "
            "it would shadow the builtin 'Exception'; choose another, such as 'ExceptionModel'",
        ),
        (
            _classes({"org.x.Thing": "None"}),
            "{path}: classes['org.x.Thing']: 'None' cannot be a class name: "
            "it is a Python keyword; choose another, such as 'NoneModel'",
        ),
        (
            _classes({"org.x.A": "Thing", "org.x.B": "THING"}),
            "{path}: classes['org.x.B']: 'THING' is already the rename of 'org.x.A' (module thing)",
        ),
        (
            _classes({"org.x.A": None}),
            "{path}: classes['org.x.A']: expected a class name (a string), got null",
        ),
    ],
)
def test_a_bad_overrides_file_is_reported(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "name-overrides.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GeneratorError) as raised:
        load_overrides(path)
    assert str(raised.value) == message.replace("{path}", str(path))


def test_a_missing_file_means_no_overrides(tmp_path: Path) -> None:
    assert load_overrides(tmp_path / "name-overrides.json") == NameOverrides.empty()


def test_a_good_file(tmp_path: Path) -> None:
    path = tmp_path / "name-overrides.json"
    table = {
        "classes": {"org.x.Outer$Inner": "Inner"},
        "fields": {_THING: {"dataSetID": "data_set_id_upper", "toWire": "to_wire_"}},
    }
    path.write_text(json.dumps(table), encoding="utf-8")
    overrides = load_overrides(path)
    assert overrides.classes == {"org.x.Outer$Inner": "Inner"}
    assert overrides.fields == {_THING: {"dataSetID": "data_set_id_upper", "toWire": "to_wire_"}}
