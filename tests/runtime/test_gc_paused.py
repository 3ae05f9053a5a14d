"""Responses are validated with the cyclic garbage collector paused (``gc_paused``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from pydantic import model_validator

from dhis2_sdk import Dhis2Client, PatAuth, RetryPolicy, gc_paused
from dhis2_sdk.v42 import DataElement
from tests.runtime.conftest import MockDhis2


@pytest.fixture(autouse=True)
def collector_enabled() -> Iterator[None]:
    """Every test starts with the collector on and leaves it as the test suite expects."""
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_off_inside_and_on_again_after() -> None:
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_pauses_end_with_the_outermost() -> None:
    with gc_paused():
        with gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_program_that_turned_the_collector_off_keeps_it_off() -> None:
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_an_exception_in_the_block_still_ends_the_pause() -> None:
    with pytest.raises(ValueError, match="boom"), gc_paused():
        raise ValueError("boom")
    assert gc.isenabled()


COLLECTOR_ON_WHILE_VALIDATING: list[bool] = []


class SeesTheCollector(DataElement):
    """A DataElement that records whether the collector was on while it was validated."""

    @model_validator(mode="after")
    def record(self) -> SeesTheCollector:
        COLLECTOR_ON_WHILE_VALIDATING.append(gc.isenabled())
        return self


@pytest.mark.anyio
async def test_the_client_validates_a_response_with_the_collector_paused() -> None:
    server = MockDhis2()
    server.json("GET", "/api/dataElements/de", {"id": "de", "name": "ANC 1st visit"})
    COLLECTOR_ON_WHILE_VALIDATING.clear()
    client = Dhis2Client(
        "http://dhis2.test",
        auth=PatAuth("d2pat_x"),
        transport=server.transport(),
        retry_policy=RetryPolicy(max_attempts=1),
    )
    async with client:
        element = await client.get("/api/dataElements/de", model=SeesTheCollector)
    assert element.name == "ANC 1st visit"
    assert COLLECTOR_ON_WHILE_VALIDATING == [False]
    assert gc.isenabled()
