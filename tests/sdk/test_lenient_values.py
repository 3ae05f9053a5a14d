"""Models read what DHIS2's JSON parser (Jackson) reads, normalise it, and dump a value DHIS2
accepts; what DHIS2 would refuse stays a validation error naming the field.

The values are the ones found in real metadata packages: ``Indicator.numerator`` as the number
``-1``, ``attributeValues[].value`` as ``true``, ``enableUserAssignment`` as ``"true"``,
``expiryDays`` as ``2.5`` where v41 says integer; and ``timelyDays: 0`` must stay ``0``.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dhis2_sdk.v41 import DataSet as DataSet41
from dhis2_sdk.v42 import DataElement, DataSet, Indicator, Legend, ProgramStage


def test_a_number_in_a_text_property_is_read_as_its_text() -> None:
    indicator = Indicator.model_validate({"numerator": -1, "denominator": 1.5})
    assert (indicator.numerator, indicator.denominator) == ("-1", "1.5")
    assert indicator.to_wire() == {"numerator": "-1", "denominator": "1.5"}


def test_a_boolean_attribute_value_is_read_as_text() -> None:
    wire = {"attributeValues": [{"attribute": {"id": "l1VmqIHKk6t"}, "value": True}]}
    element = DataElement.model_validate(wire)
    assert element.attribute_values is not None
    assert element.attribute_values[0].value == "true"
    assert element.to_wire() == {
        "attributeValues": [{"attribute": {"id": "l1VmqIHKk6t"}, "value": "true"}]
    }


def test_a_boolean_sent_as_a_string_is_a_boolean() -> None:
    stage = ProgramStage.model_validate({"enableUserAssignment": "true"})
    assert stage.enable_user_assignment is True
    assert stage.to_wire() == {"enableUserAssignment": True}


def test_a_fraction_in_an_integer_property_is_truncated_as_jackson_does() -> None:
    data_set = DataSet41.model_validate({"expiryDays": 2.5, "openFuturePeriods": "3"})
    assert (data_set.expiry_days, data_set.open_future_periods) == (2, 3)
    assert data_set.to_wire() == {"expiryDays": 2, "openFuturePeriods": 3}


def test_integers_in_number_properties_stay_integers() -> None:
    data_set = DataSet.model_validate({"timelyDays": 0})
    assert data_set.to_wire() == {"timelyDays": 0}
    assert type(data_set.timely_days) is int
    legend = Legend.model_validate({"startValue": 0, "endValue": 2.5})
    assert legend.model_dump_json(by_alias=True, exclude_unset=True) == (
        '{"endValue":2.5,"startValue":0}'
    )


@pytest.mark.parametrize(
    ("model", "wire", "location", "message"),
    [
        (Indicator, {"numerator": {"a": 1}}, ("numerator",), "Input should be a valid string"),
        (DataSet41, {"expiryDays": "soon"}, ("expiryDays",), "Input should be a valid integer"),
        (DataSet, {"timelyDays": "late"}, ("timelyDays",), "Input should be a valid"),
        (ProgramStage, {"enableUserAssignment": "maybe"}, ("enableUserAssignment",), "bool"),
        (DataSet41, {"expiryDays": 1e999}, ("expiryDays",), "finite number"),
    ],
)
def test_what_dhis2_refuses_is_an_error_naming_the_field(
    model: type[DataSet], wire: dict[str, object], location: tuple[str, ...], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(wire)
    errors = caught.value.errors()
    assert {error["loc"][: len(location)] for error in errors} == {location}
    assert any(message in error["msg"] for error in errors), errors
