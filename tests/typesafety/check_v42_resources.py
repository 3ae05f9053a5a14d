"""The accessor surface as pyright sees it (checked by the project's strict pyright run; the
stand-in tests in ``tests/sdk/test_resources.py`` run the same calls).

``client.resources.<collection>`` of a pinned client is exactly the version's model; no accessor
returns ``Any`` (``assert_type`` fails on ``Any``).
"""

from __future__ import annotations

from typing import assert_type

from dhis2_sdk import ImportReport, MetadataApi, ObjectReportResponse, Page, Resource, TaskRef
from dhis2_sdk.v42 import (
    DataElement,
    DataElementField,
    Dhis2Client,
    Metadata,
    OrganisationUnit,
    OrganisationUnitField,
    Resources,
    User,
)


async def check_v42_resources(client: Dhis2Client) -> None:
    """Typical user code against a pinned v42 client."""
    assert_type(client.resources, Resources)
    elements = client.resources.data_elements
    assert_type(elements, Resource[DataElement, DataElementField])
    element = await elements.get("fbfJHSPpUQD", fields=["id", "name", ("categoryCombo", ["id"])])
    assert_type(element, DataElement)
    page = await elements.list(
        fields="id,name",
        filters=[("name", "ilike", "ANC"), ("code", "null"), "categoryCombo.id:eq:bjDvmb4bfuf"],
        order=[("name", "asc")],
        page_size=100,
    )
    assert_type(page, Page[DataElement])
    assert_type(page.items, list[DataElement])
    units = client.resources.organisation_units
    assert_type(units, Resource[OrganisationUnit, OrganisationUnitField])
    async for unit in units.iterate(fields=["id", "path"], filters=[("level", "le", 2)]):
        assert_type(unit, OrganisationUnit)
    assert_type(await client.resources.me.get(), User)
    created = await elements.create(DataElement(name="ANC 1st visit", short_name="ANC1"))
    assert_type(created, ObjectReportResponse)
    patched = await elements.patch(
        "fbfJHSPpUQD", [{"op": "replace", "path": "/name", "value": "x"}]
    )
    assert_type(patched, ObjectReportResponse)
    assert_type(client.metadata, MetadataApi[Metadata])
    assert_type(await client.metadata.import_(Metadata(data_elements=[element])), ImportReport)
    assert_type(await client.metadata.import_({"dataElements": []}, async_=True), TaskRef)
    exported = await client.metadata.export(types=["dataElements"])
    assert_type(exported, Metadata)
    assert_type(exported.data_elements, list[DataElement] | None)
