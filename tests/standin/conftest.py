"""Fixtures for the stand-in's own tests: an authenticated httpx client and metadata seeding."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from dhis2_standin.jsontypes import JsonObject, JsonValue
from dhis2_standin.launcher import RunningStandin


@pytest.fixture
def api(standin: RunningStandin) -> Iterator[httpx.Client]:
    """A client for ``{base}/api`` logged in as admin/district."""
    with httpx.Client(base_url=standin.api_url, auth=standin.basic_auth, timeout=10.0) as client:
        yield client


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def uid(prefix: str, number: int) -> str:
    """A valid, readable UID: ``uid("de", 7)`` is ``de000000007``."""
    return f"{prefix}{number:0{11 - len(prefix)}d}"


def data_element(uid: str, name: str, **extra: JsonValue) -> JsonObject:
    """A valid data element payload."""
    return {"id": uid, "name": name, "shortName": name[:50], **extra}


def seed(api: httpx.Client, payload: JsonObject) -> None:
    """Import ``payload`` through ``/api/metadata`` and fail loudly if it is not clean."""
    response = api.post("/metadata", json=payload)
    assert response.status_code == 200, response.text
