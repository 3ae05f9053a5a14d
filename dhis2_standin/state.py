"""Everything one running stand-in holds, built from its launch settings.

The routes, middlewares and control API share one :class:`StandinState`; ``reset`` brings it
back to how it started (metadata, faults, tokens, jobs, counters), which lets a test session
reuse one server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dhis2_standin.auth import DEFAULT_TOKEN_LIFETIME, DEFAULT_USERNAME, AuthState
from dhis2_standin.connections import ConnectionTracker
from dhis2_standin.data import DataDir
from dhis2_standin.datavalues import DataValueStore
from dhis2_standin.faults import Fault, FaultBook
from dhis2_standin.importer import ImportOptions, run_import
from dhis2_standin.jobs import DEFAULT_JOB_DURATION, JobBoard
from dhis2_standin.jsontypes import JsonObject, parse_object
from dhis2_standin.recorded import recorded_metadata, recorded_metadata_path
from dhis2_standin.store import MetadataStore
from dhis2_standin.tracker import TrackerStore


class MetadataFileError(ValueError):
    """A ``--metadata`` file that does not import cleanly."""


@dataclass(frozen=True, slots=True)
class StandinSettings:
    """Launch settings (the command line's, or a test's)."""

    data_dir: Path
    metadata_file: Path | None = None
    recorded_metadata: bool = False
    """Without ``metadata_file``: start with a real DHIS2's recorded metadata
    (:mod:`dhis2_standin.recorded`) instead of none."""
    faults: tuple[Fault, ...] = ()
    token_lifetime: float = DEFAULT_TOKEN_LIFETIME
    job_duration: float = DEFAULT_JOB_DURATION
    extra_pats: tuple[str, ...] = ()


@dataclass(slots=True)
class RequestCounts:
    """Requests seen outside the control API, in total and by ``METHOD path``."""

    total: int = 0
    by_route: dict[str, int] = field(default_factory=dict[str, int])

    def count(self, method: str, path: str) -> None:
        """Count one request."""
        self.total += 1
        key = f"{method} {path}"
        self.by_route[key] = self.by_route.get(key, 0) + 1

    def reset(self) -> None:
        """Zero the counts."""
        self.total = 0
        self.by_route = {}


class StandinState:
    """The shared state of one stand-in server."""

    def __init__(self, settings: StandinSettings) -> None:
        self.settings = settings
        self.data = DataDir(settings.data_dir)
        self.store = MetadataStore(self.data)
        self.data_values = DataValueStore(self.store)
        self.tracker = TrackerStore(self.store)
        self.auth = AuthState(token_lifetime=settings.token_lifetime)
        for pat in settings.extra_pats:
            self.auth.pats[pat] = DEFAULT_USERNAME
        self.jobs = JobBoard(duration=settings.job_duration)
        self.faults = FaultBook(settings.faults)
        self.connections = ConnectionTracker()
        self.requests = RequestCounts()
        if settings.metadata_file is not None:
            self._load_metadata(settings.metadata_file)
        elif settings.recorded_metadata:
            path = recorded_metadata_path(self.data)
            self._preload(recorded_metadata(path), path)

    def _load_metadata(self, path: Path) -> None:
        try:
            payload: JsonObject = parse_object(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise MetadataFileError(f"{path}: {exc}") from exc
        self._preload(payload, path)

    def _preload(self, payload: JsonObject, source: Path) -> None:
        try:
            status, body = run_import(self.store, payload, ImportOptions())
        except ValueError as exc:
            raise MetadataFileError(f"{source}: {exc}") from exc
        if status != 200:
            raise MetadataFileError(f"{source} does not import cleanly: {body.get('response')}")
        self.store.mark_initial()

    def reset(self) -> None:
        """Back to the launch state: metadata, data, faults, tokens, jobs and counters."""
        self.store.reset()
        self.data_values.reset()
        self.tracker.reset()
        self.auth.reset(self.settings.token_lifetime)
        self.jobs.reset(self.settings.job_duration)
        self.faults.reset()
        self.connections.reset()
        self.requests.reset()

    def stats(self) -> JsonObject:
        """The counters the control API reports."""
        return {
            "requests_total": self.requests.total,
            "requests": dict(sorted(self.requests.by_route.items())),
            "connections_open": self.connections.open,
            "connections_peak": self.connections.peak,
            "connections_total": self.connections.total,
            "connections_dropped": self.connections.dropped,
            "tokens_issued": self.auth.tokens_issued,
            "tokens_refreshed": self.auth.tokens_refreshed,
            "auth_failures": self.auth.auth_failures,
            "jobs_started": self.jobs.started_count,
            "faults_fired": dict(sorted(self.faults.fired.items())),
        }
