"""Typed resource accessors against the stand-in: ``client.resources.<collection>`` reads with
typed fields, filters and order, pages, iterates every page, and refuses a response whose
collection key does not match its model instead of returning an empty page."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import pytest

from dhis2_sdk import BasicAuth, Dhis2ClientError, NotFoundError, UnsupportedVersionError
from dhis2_sdk import Dhis2Client as UnpinnedClient
from dhis2_sdk.runtime._client import Backend
from dhis2_sdk.runtime._query import fields_param, filter_param, order_param
from tests.conftest import StandinFactory
from tests.paths import GENERATED, SHARED_DHIS2, VERSIONS
from tests.recorded import IMPORT_PAYLOADS

pytestmark = pytest.mark.anyio
AGGREGATE = IMPORT_PAYLOADS / "aggregate_metadata.json"


def _export_count(key: str) -> int:
    return len(json.loads(AGGREGATE.read_text(encoding="utf-8"))[key])


@pytest.mark.parametrize("version", VERSIONS)
async def test_list_get_and_iterate_every_page(
    version: str, backend: Backend, standin_factory: StandinFactory
) -> None:
    server = standin_factory(SHARED_DHIS2 / version, metadata=AGGREGATE)
    package = importlib.import_module(f"dhis2_sdk.{version}")
    auth = BasicAuth(server.username, server.password)
    async with package.Dhis2Client(server.base_url, auth=auth, backend=backend) as client:
        elements = client.resources.data_elements
        page = await elements.list(fields=["id", "name", "valueType"], page_size=10)
        assert page.pager is not None
        assert page.pager.total == _export_count("dataElements")
        assert len(page.items) == 10
        assert all(type(item) is package.DataElement for item in page.items)
        seen = [item.id async for item in elements.iterate(fields=["id"], page_size=7)]
        assert len(seen) == len(set(seen)) == _export_count("dataElements")
        first = page.items[0]
        assert first.id is not None
        one = await elements.get(first.id, fields="*")
        assert (one.id, one.name) == (first.id, first.name)
        unpaged = await elements.list(fields="id", paging=False)
        assert unpaged.pager is None
        assert len(unpaged.items) == _export_count("dataElements")


async def test_filters_and_order_are_sent_as_dhis2_reads_them(
    standin_factory: StandinFactory,
) -> None:
    from dhis2_sdk.v42 import Dhis2Client

    server = standin_factory(SHARED_DHIS2 / "v42", metadata=AGGREGATE)
    async with Dhis2Client(server.base_url, auth=BasicAuth(server.username, server.password)) as c:
        page = await c.resources.data_elements.list(
            fields=["id", "name"],
            filters=[("name", "ilike", "mal -"), ("code", "!null")],
            order=[("name", "desc")],
            paging=False,
        )
        names = [item.name or "" for item in page.items]
        assert names == sorted(names, reverse=True)
        assert names
        assert all("mal -" in name.lower() for name in names)


async def test_a_missing_object_raises_not_found(standin_factory: StandinFactory) -> None:
    from dhis2_sdk.v42 import Dhis2Client

    server = standin_factory(SHARED_DHIS2 / "v42", metadata=AGGREGATE)
    async with Dhis2Client(server.base_url, auth=BasicAuth(server.username, server.password)) as c:
        with pytest.raises(NotFoundError):
            await c.resources.data_elements.get("xxxxxxxxxxx")


async def test_a_list_of_another_collection_is_an_error_not_an_empty_page(
    standin_factory: StandinFactory,
) -> None:
    from dhis2_sdk.v42 import OrganisationUnit

    server = standin_factory(SHARED_DHIS2 / "v42", metadata=AGGREGATE)
    async with UnpinnedClient(server.base_url, auth=(server.username, server.password)) as c:
        with pytest.raises(Dhis2ClientError) as caught:
            await c.get_page("/api/dataElements", model=OrganisationUnit)
    assert str(caught.value) == (
        "GET /api/dataElements answered a 'dataElements' list, not the 'organisationUnits' "
        "that OrganisationUnit reads: pass the model of that collection"
    )


async def test_unpinned_clients_reach_typed_accessors_of_their_version(
    standin_factory: StandinFactory,
) -> None:
    from dhis2_sdk import v42, v43

    server = standin_factory(SHARED_DHIS2 / "v42", metadata=AGGREGATE)
    async with UnpinnedClient(server.base_url, auth=(server.username, server.password)) as c:
        typed = v42.Resources(c)
        page = await typed.data_elements.list(fields=["id"], page_size=1)
        assert type(page.items[0]) is v42.DataElement
        assert (await c.resources.resource("dataElements").list(page_size=1)).items
        with pytest.raises(UnsupportedVersionError, match=r"is for v43, but this client"):
            v43.Resources(c)


async def test_me_is_the_typed_current_user(standin_factory: StandinFactory) -> None:
    from dhis2_sdk.v42 import Dhis2Client, User

    server = standin_factory(SHARED_DHIS2 / "v42")
    async with Dhis2Client(server.base_url, auth=BasicAuth(server.username, server.password)) as c:
        me = await c.resources.me.get()
    assert type(me) is User
    assert me.username == server.username


def test_touching_resources_imports_only_the_models_used() -> None:
    probe = (
        "import sys\n"
        "from dhis2_sdk.v42 import Dhis2Client\n"
        "client = Dhis2Client('http://127.0.0.1:9')\n"
        "resource = client.resources.data_elements\n"
        "print(resource.model.__name__, sorted(m.rsplit('.', 1)[1] for m in sys.modules\n"
        "      if m.startswith('dhis2_sdk.v42.models.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(GENERATED)},
    )
    loaded = done.stdout.strip()
    assert loaded.startswith("DataElement [")
    assert "'organisation_unit'" not in loaded
    assert "'data_element'" in loaded


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda: fields_param(["id", ("categoryCombo", ["id", ("categories", ["id"])])]),
            "id,categoryCombo[id,categories[id]]",
        ),
        (lambda: fields_param(":owner"), ":owner"),
        (lambda: filter_param(("id", "in", ["a", "b"])), "id:in:[a,b]"),
        (lambda: filter_param(("code", "null")), "code:null"),
        (lambda: filter_param(("zeroIsValid", "eq", True)), "zeroIsValid:eq:true"),
        (lambda: order_param(("name", "iasc")), "name:iasc"),
    ],
)
def test_query_parameters(call: object, expected: str) -> None:
    assert callable(call)
    assert call() == expected


def test_a_malformed_selection_says_what_to_write() -> None:
    with pytest.raises(TypeError, match=r"fields=\['id', \('categoryCombo', \['id', 'name'\]\)\]"):
        fields_param([3])
