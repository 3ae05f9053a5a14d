"""Shared pytest fixtures: the DHIS2 stand-in server (``dhis2_standin``, a test double).

``standin`` gives each test a server for ``SHARED_DHIS2/v42`` in its launch state (one process
per session, reset before each test). ``standin_factory(...)`` starts extra servers (another data
dir, preloaded metadata, start-up faults...) that stop when the test ends. ``backend`` runs a
test that talks to a real socket once per ``Dhis2Client`` backend (httpx and aiohttp).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest

from dhis2_standin.faults import Fault
from dhis2_standin.launcher import RunningStandin, start_standin
from tests.paths import SHARED_DHIS2

if TYPE_CHECKING:
    from dhis2_sdk.runtime._client import Backend

DEFAULT_STANDIN_DATA = SHARED_DHIS2 / "v42"


class StandinFactory(Protocol):
    """Starts a stand-in; every one started stops at the end of the test."""

    def __call__(
        self,
        data_dir: Path = ...,
        *,
        metadata: Path | None = None,
        faults: Sequence[Fault | str] = (),
        token_lifetime: float | None = None,
        job_duration: float | None = None,
        extra_args: Sequence[str] = (),
    ) -> RunningStandin: ...


@pytest.fixture(params=["httpx", "aiohttp"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each ``Dhis2Client`` connection pool: tests over real sockets run on both."""
    return request.param


@pytest.fixture(scope="session")
def standin_session() -> Iterator[RunningStandin]:
    """One stand-in for the whole session (use ``standin``, which resets it per test)."""
    server = start_standin(DEFAULT_STANDIN_DATA)
    yield server
    server.stop()


@pytest.fixture
def standin(standin_session: RunningStandin) -> RunningStandin:
    """The session's v42 stand-in, reset to its launch state (no metadata, no faults)."""
    standin_session.reset()
    return standin_session


@pytest.fixture
def standin_factory() -> Iterator[StandinFactory]:
    """Start more stand-ins: ``standin_factory(data_dir, metadata=..., faults=...)``."""
    started: list[RunningStandin] = []

    def start(
        data_dir: Path = DEFAULT_STANDIN_DATA,
        *,
        metadata: Path | None = None,
        faults: Sequence[Fault | str] = (),
        token_lifetime: float | None = None,
        job_duration: float | None = None,
        extra_args: Sequence[str] = (),
    ) -> RunningStandin:
        server = start_standin(
            data_dir,
            metadata=metadata,
            faults=faults,
            token_lifetime=token_lifetime,
            job_duration=job_duration,
            extra_args=extra_args,
        )
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
