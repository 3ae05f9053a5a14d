"""Names: every DHIS2 name becomes a safe identifier, or ``None`` for the caller to report."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from dhis2_sdk import Dhis2Model
from dhis2_sdk.runtime._model import wire_key
from generator import names
from generator.normalise import normalise
from generator.spec import parse_snapshot
from tests.paths import SCHEMAS, VERSIONS


@pytest.mark.parametrize(
    ("wire", "python"),
    [
        ("displayName", "display_name"),
        ("dataSetID", "data_set_id"),
        ("URLPattern", "url_pattern"),
        ("level1Name", "level1_name"),
        ("dhis2Url", "dhis2_url"),
        ("id", "id"),
        ("type", "type"),
        ("filter", "filter"),
        ("from", "from_"),
        ("class", "class_"),
        ("schema", "schema_"),
        ("json", "json_"),
        ("copy", "copy_"),
        ("model_config", "model_config_"),
        ("modelValue", "model_value_"),
        ("str", "str_"),
        ("list", "list_"),
        ("toWire", "to_wire_"),
        ("toWritePayload", "to_write_payload_"),
        ("dhis2Klass", "dhis2_klass_"),
        ("readOnlyFields", "read_only_fields_"),
        ("_links", "links"),
        ("2fa", "n_2fa"),
        ("a-b c", "a_b_c"),
        ("Äpfel", "apfel"),
        ("", None),
        ("---", None),
        ("日本", None),
    ],
)
def test_field_names(wire: str, python: str | None) -> None:
    assert names.field_name(wire) == python


def test_every_pydantic_basemodel_attribute_is_reserved() -> None:
    public = {name for name in dir(BaseModel) if not name.startswith("_")}
    unsafe = {n for n in public if not n.startswith("model_")} - names.RESERVED_FIELD_NAMES
    assert unsafe == set()


def test_every_attribute_of_the_model_base_class_is_reserved() -> None:
    """A DHIS2 property called ``toWire`` must not shadow ``Dhis2Model.to_wire``."""
    own = {name for name in vars(Dhis2Model) if not name.startswith("_")}
    assert "to_wire" in own
    assert {name for name in own if names.field_name(name) == name} == set()


@pytest.mark.parametrize(
    ("klass", "expected"),
    [
        ("org.hisp.dhis.dataelement.DataElement", "DataElement"),
        ("org.hisp.dhis.program.ProgramStage$Section", "ProgramStageSection"),
        ("org.hisp.dhis.icon.icon", "Icon"),
        ("x.Reference", "ReferenceModel"),
        ("x.Exception", "ExceptionModel"),
        ("x.None", "NoneModel"),
        ("x.3D", "N3D"),
        ("x.$$", None),
    ],
)
def test_class_names(klass: str, expected: str | None) -> None:
    assert names.class_name(klass) == expected


def test_qualified_class_names_take_the_package() -> None:
    assert names.qualified_class_name("org.x.aggregate.Source") == "AggregateSource"


@pytest.mark.parametrize(
    ("constant", "member"),
    [
        ("SUM", "SUM"),
        ("1A", "V_1A"),
        ("with space", "with_space"),
        ("", "EMPTY"),
        ("class", "class_"),
        ("title", "title_"),
        ("name", "name_"),
        ("_x", "x"),
        ("***", "VALUE"),
    ],
)
def test_enum_member_names(constant: str, member: str) -> None:
    assert names.enum_member_name(constant) == member


def _safe_identifier(name: str) -> bool:
    return names.is_identifier(name) and not keyword.iskeyword(name)


@given(st.text(max_size=40))
def test_any_wire_name_gives_a_safe_field_name_or_none(wire: str) -> None:
    name = names.field_name(wire)
    if name is not None:
        assert _safe_identifier(name)
        assert not name.startswith("_")
        assert name not in names.RESERVED_FIELD_NAMES
        assert not name.startswith("model_") or name.endswith("_")


@given(st.text(max_size=40))
def test_any_klass_gives_a_safe_class_name_or_none(klass: str) -> None:
    name = names.class_name(klass)
    if name is not None:
        assert _safe_identifier(name)
        assert name[0].isupper()
        assert name not in names.RESERVED_CLASS_NAMES
        assert _safe_identifier(names.module_name(name))


@given(st.text(max_size=40))
def test_any_constant_gives_a_safe_member_name(constant: str) -> None:
    member = names.enum_member_name(constant)
    assert _safe_identifier(member)
    assert not member.startswith("_")


def test_the_generator_and_the_runtime_share_the_alias_rule() -> None:
    """normalise leaves out an alias exactly where the base model's rule gives the wire key."""
    spelled = implied = 0
    for version in VERSIONS:
        path = SCHEMAS / f"{version}.json"
        ir = normalise(parse_snapshot(path.read_bytes(), source=str(path)), source=str(path))
        for model in ir.models:
            for field in model.fields:
                assert names.wire_key(field.python_name) == wire_key(field.python_name)
                if field.alias is None:
                    assert wire_key(field.python_name) == field.wire_name
                    implied += 1
                else:
                    assert wire_key(field.python_name) != field.wire_name == field.alias
                    spelled += 1
    assert implied > 20 * spelled  # the rule carries almost every field
