"""GET -> modify -> PUT through the client and a typed model drops nothing, against the stand-in.

A newer server may send keys this version's schema lacks; they ride along as extras and go back
to the server on PUT, while the typed fields change as the user set them.
"""

from __future__ import annotations

import pytest

from dhis2_sdk import BasicAuth
from dhis2_sdk.runtime._client import Backend
from dhis2_sdk.v43 import DataElement, Dhis2Client, ValueType
from tests.conftest import StandinFactory
from tests.paths import SHARED_DHIS2
from tests.recorded import IMPORT_PAYLOADS

FUTURE = {"futureSetting": {"enabled": True, "levels": [1, 2]}, "futureFlag": "on"}


@pytest.mark.anyio
async def test_get_modify_put_keeps_unknown_fields(
    backend: Backend, standin_factory: StandinFactory
) -> None:
    server = standin_factory(
        SHARED_DHIS2 / "v43", metadata=IMPORT_PAYLOADS / "aggregate_metadata.json"
    )
    auth = BasicAuth(server.username, server.password)
    async with Dhis2Client(server.base_url, auth=auth, backend=backend) as client:
        listing = await client.get_raw("/api/dataElements", params={"fields": "id", "pageSize": 1})
        uid = listing["dataElements"][0]["id"]
        original = await client.get_raw(f"/api/dataElements/{uid}", params={"fields": "*"})
        await client.put_raw(f"/api/dataElements/{uid}", json={**original, **FUTURE})

        element = await client.get(
            f"/api/dataElements/{uid}", model=DataElement, params={"fields": "*"}
        )
        assert element.model_extra == FUTURE
        element.name = "Renamed by the SDK"
        element.value_type = ValueType.LONG_TEXT
        await client.put_raw(f"/api/dataElements/{uid}", json=element.to_wire())

        stored = await client.get_raw(f"/api/dataElements/{uid}", params={"fields": "*"})
    expected = {**original, **FUTURE, "name": "Renamed by the SDK", "valueType": "LONG_TEXT"}
    assert {k: v for k, v in stored.items() if k != "lastUpdated"} == {
        k: v for k, v in expected.items() if k != "lastUpdated"
    }


def test_write_payload_leaves_read_only_fields_out() -> None:
    element = DataElement.model_validate(
        {"id": "fbfJHSPpUQD", "name": "ANC 1st visit", "displayName": "ANC 1st visit"}
    )
    assert "display_name" in DataElement.read_only_fields
    assert element.to_write_payload() == {"id": "fbfJHSPpUQD", "name": "ANC 1st visit"}
    assert element.to_wire()["displayName"] == "ANC 1st visit"
