"""Typed pages and iteration over DHIS2 paging, against the stand-in."""

from __future__ import annotations

import pytest

from dhis2_sdk import BasicAuth, Dhis2Model, Page
from dhis2_sdk.runtime._client import Backend
from dhis2_sdk.runtime._paging import page_type
from dhis2_sdk.v43 import DataElement, Dhis2Client
from tests.conftest import StandinFactory
from tests.paths import SHARED_DHIS2
from tests.recorded import IMPORT_PAYLOADS


@pytest.mark.anyio
async def test_pages_and_iteration_give_every_object_typed(
    backend: Backend, standin_factory: StandinFactory
) -> None:
    server = standin_factory(
        SHARED_DHIS2 / "v43", metadata=IMPORT_PAYLOADS / "aggregate_metadata.json"
    )
    async with Dhis2Client(
        server.base_url, auth=BasicAuth(server.username, server.password), backend=backend
    ) as client:
        everything = await client.get_raw(
            "/api/dataElements", params={"paging": "false", "fields": "id,name,valueType"}
        )
        first = await client.get_page(
            "/api/dataElements", model=DataElement, params={"pageSize": 3, "fields": "id,name"}
        )
        iterated = [
            element
            async for element in client.iterate(
                "/api/dataElements",
                model=DataElement,
                params={"fields": "id,name,valueType"},
                page_size=4,
            )
        ]
    expected = everything["dataElements"]
    assert len(expected) > 4
    assert first.pager is not None
    assert (first.pager.page, first.pager.page_size, first.pager.total) == (1, 3, len(expected))
    assert first.has_next
    assert [e.to_wire() for e in first.items] == [
        {"id": e["id"], "name": e["name"]} for e in expected[:3]
    ]
    assert all(isinstance(e, DataElement) for e in iterated)
    assert [e.to_wire() for e in iterated] == expected


def test_page_types_read_the_collection_key_and_are_cached() -> None:
    page = page_type(DataElement).model_validate_json(
        b'{"pager": {"page": 2, "pageCount": 2, "total": 3, "pageSize": 2},'
        b' "dataElements": [{"id": "fbfJHSPpUQD", "valueType": "NUMBER"}]}'
    )
    assert isinstance(page, Page)
    assert not page.has_next
    assert page.items[0].value_type == "NUMBER"
    assert page_type(DataElement) is page_type(DataElement)


class Embedded(Dhis2Model):
    """A model with no collection key, like an embedded object."""

    colour: str | None = None


def test_a_model_that_is_no_collection_cannot_page() -> None:
    with pytest.raises(
        ValueError, match=r"^Embedded is not a DHIS2 collection \(no dhis2_plural\)"
    ):
        page_type(Embedded)
