"""``client.system``: the server's ``/api/system/info`` and the current user's ``/api/me``.

Stage: runtime (hand-written). ``SystemInfo`` and ``Me`` are small hand-written models of the
fields the runtime and most scripts need; every other field the server sends is kept as an
extra (``model_extra``), so nothing is lost between DHIS2 versions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

if TYPE_CHECKING:
    from ._client import Dhis2Client

__all__ = ["Me", "SystemApi", "SystemInfo"]


class _Dhis2Payload(BaseModel):
    """camelCase on the wire, snake_case in Python, unknown fields kept."""

    model_config: ClassVar[ConfigDict] = ConfigDict(
        extra="allow", populate_by_name=True, alias_generator=to_camel
    )


class SystemInfo(_Dhis2Payload):
    """``GET /api/system/info``: what the server runs (``version`` drives version dispatch)."""

    version: str
    revision: str | None = None
    build_time: datetime | None = None
    server_date: datetime | None = None
    context_path: str | None = None
    calendar: str | None = None
    date_format: str | None = None
    server_time_zone_id: str | None = None
    system_id: str | None = None
    system_name: str | None = None
    instance_base_url: str | None = None
    read_only_mode: str | None = None
    last_analytics_table_success: datetime | None = None


class IdObject(_Dhis2Payload):
    """A reference to another object by UID (``{"id": "…"}``)."""

    id: str


class Me(_Dhis2Payload):
    """``GET /api/me``: the user the client is authenticated as."""

    id: str
    username: str
    name: str | None = None
    display_name: str | None = None
    first_name: str | None = None
    surname: str | None = None
    email: str | None = None
    authorities: list[str] = Field(default_factory=list[str])
    organisation_units: list[IdObject] = Field(default_factory=list[IdObject])
    user_roles: list[IdObject] = Field(default_factory=list[IdObject])
    user_groups: list[IdObject] = Field(default_factory=list[IdObject])


class SystemApi:
    """``client.system``: cached system info (``ttl`` seconds) and the current user."""

    def __init__(
        self,
        client: Dhis2Client,
        *,
        ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self.ttl = ttl
        self._clock = clock
        self._info: SystemInfo | None = None
        self._fetched_at = 0.0

    async def info(self, *, refresh: bool = False) -> SystemInfo:
        """The server's system info, from cache unless older than ``ttl`` or ``refresh=True``."""
        if refresh or self._info is None or self._clock() - self._fetched_at >= self.ttl:
            self._info = await self._client.get("/api/system/info", model=SystemInfo)
            self._fetched_at = self._clock()
        return self._info

    @property
    def cached_info(self) -> SystemInfo | None:
        """The last system info read (by ``connect()`` or ``info()``), without a request."""
        return self._info

    async def me(self) -> Me:
        """The current user (never cached: authorities and settings change)."""
        return await self._client.get("/api/me", model=Me)
