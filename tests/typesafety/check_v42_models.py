"""The public surface of the generated models as pyright sees it: every ``assert_type`` here is
checked by the project's strict pyright run (``nox -s typecheck``), and ``test_typesafety.py``
calls :func:`check_v42_models` so the same lines run and their values are asserted.

A template change that turns a field into ``Any``, drops an alias, loosens ``MODELS`` or makes
``to_wire`` untyped fails here first.
"""

from __future__ import annotations

from datetime import datetime
from typing import assert_type

from pydantic import JsonValue

from dhis2_sdk.runtime._model import Dhis2Model, Reference
from dhis2_sdk.v41 import DataElement as DataElement41
from dhis2_sdk.v41 import ValueType as ValueType41
from dhis2_sdk.v42 import (
    MODELS,
    CategoryCombo,
    DataElement,
    DataElementGroup,
    Legend,
    LegendSet,
    Map,
    MapView,
    Sharing,
    ValueType,
    Visualization,
)
from dhis2_sdk.v43 import MODELS as MODELS43
from dhis2_sdk.v43 import DataElement as DataElement43


def check_v42_models() -> None:
    """Build and read a v42 ``DataElement`` with snake_case names; v41 and v43 alike."""
    element = DataElement(
        name="ANC 1st visit",
        short_name="ANC1",
        value_type=ValueType.INTEGER,
        category_combo=Reference(id="bjDvmb4bfuf"),
        data_element_groups=[Reference(id="oDkJh5Ddh7d")],
        sharing=Sharing(public="rw------"),
        created=datetime(2013, 4, 9, 14, 59, 52, 123000),
    )
    assert_type(element, DataElement)
    assert_type(element.name, str | None)
    assert_type(element.value_type, ValueType | None)
    assert_type(element.category_combo, Reference[CategoryCombo] | None)
    assert_type(element.data_element_groups, list[Reference[DataElementGroup]] | None)
    assert_type(element.sharing, Sharing | None)
    assert_type(element.created, datetime | None)

    model = MODELS["dataElements"]
    assert_type(model, type[Dhis2Model])
    assert model is DataElement

    wire = element.to_wire()
    assert_type(wire, dict[str, JsonValue])
    assert wire == {
        "name": "ANC 1st visit",
        "shortName": "ANC1",
        "valueType": "INTEGER",
        "categoryCombo": {"id": "bjDvmb4bfuf"},
        "dataElementGroups": [{"id": "oDkJh5Ddh7d"}],
        "sharing": {"public": "rw------"},
        "created": "2013-04-09T14:59:52.123",
    }
    assert_type(element.to_write_payload(), dict[str, JsonValue])
    assert element.value_type is ValueType.INTEGER
    assert element.data_element_groups is not None
    assert element.data_element_groups[0].id == "oDkJh5Ddh7d"
    assert element.sharing is not None
    assert element.sharing.public == "rw------"

    # Each version has its own enums: v41's ValueType is not v42's.
    older = DataElement41(value_type=ValueType41.TEXT)
    assert_type(older.value_type, ValueType41 | None)
    assert older.value_type is ValueType41.TEXT
    assert ValueType41 is not ValueType

    newer = MODELS43["dataElements"]
    assert_type(newer, type[Dhis2Model])
    assert newer is DataElement43


def check_v42_owned_children() -> None:
    """Objects DHIS2 writes inline are typed as their models; references say their target."""
    legend_set = LegendSet.model_validate(
        {"id": "fqs276KXCXi", "legends": [{"id": "ntcqaARW1wI", "startValue": 0, "color": "#f00"}]}
    )
    assert_type(legend_set.legends, list[Legend] | None)
    assert legend_set.legends is not None
    first = legend_set.legends[0]
    assert_type(first.start_value, int | float | None)  # Dhis2Number: 0 stays 0
    assert (first.start_value, first.color, first.model_extra) == (0, "#f00", {})

    chart = Map.model_validate({"mapViews": [{"id": "a", "layer": "thematic1", "opacity": 0.9}]})
    assert_type(chart.map_views, list[MapView] | None)
    assert chart.map_views is not None
    assert (chart.map_views[0].layer, chart.map_views[0].opacity) == ("thematic1", 0.9)

    table = Visualization.model_validate(
        {"columns": [{"id": "dx", "items": [{"id": "fbfJHSPpUQD"}]}], "rows": [{"id": "ou"}]}
    )
    assert table.columns is not None
    items = table.columns[0].items
    assert_type(items, list[Reference] | None)
    assert items is not None
    assert items[0].id == "fbfJHSPpUQD"
    assert table.to_wire() == {
        "columns": [{"id": "dx", "items": [{"id": "fbfJHSPpUQD"}]}],
        "rows": [{"id": "ou"}],
    }
