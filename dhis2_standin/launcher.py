"""Start a stand-in as a subprocess and drive its control API from Python (tests, benchmarks).

``start_standin(data_dir, ...)`` runs ``scripts/dhis2_standin.py`` (or ``python -m
dhis2_standin`` outside a checkout) on a free port, waits for the base-URL line and returns a
:class:`RunningStandin`: the URL, the fixed credentials, and typed calls to ``/__standin__/``.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

from dhis2_standin.auth import (
    DEFAULT_PASSWORD,
    DEFAULT_PAT,
    DEFAULT_USERNAME,
    OAUTH_CLIENT_ID,
    OAUTH_CLIENT_SECRET,
)
from dhis2_standin.faults import Fault
from dhis2_standin.jsontypes import JsonObject, JsonValue

_REPO_ROOT = Path(__file__).resolve().parents[1]
_SCRIPT = _REPO_ROOT / "scripts" / "dhis2_standin.py"


class StandinStartError(RuntimeError):
    """The stand-in process exited or stayed silent instead of printing its URL."""


def _int(body: JsonObject, key: str) -> int:
    value = body.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _counts(body: JsonObject, key: str) -> dict[str, int]:
    value = body.get(key)
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(v, int) and not isinstance(v, bool)}


@dataclass(frozen=True, slots=True)
class StandinStats:
    """``GET /__standin__/stats``: counters since start or the last reset."""

    requests_total: int
    requests: dict[str, int]
    """Requests by ``"METHOD /path"`` (path as sent, without the query)."""
    connections_open: int
    connections_peak: int
    connections_total: int
    connections_dropped: int
    tokens_issued: int
    tokens_refreshed: int
    auth_failures: int
    jobs_started: int
    faults_fired: dict[str, int]

    @classmethod
    def from_json(cls, body: JsonObject) -> StandinStats:
        """Parse the stats body."""
        return cls(
            requests_total=_int(body, "requests_total"),
            requests=_counts(body, "requests"),
            connections_open=_int(body, "connections_open"),
            connections_peak=_int(body, "connections_peak"),
            connections_total=_int(body, "connections_total"),
            connections_dropped=_int(body, "connections_dropped"),
            tokens_issued=_int(body, "tokens_issued"),
            tokens_refreshed=_int(body, "tokens_refreshed"),
            auth_failures=_int(body, "auth_failures"),
            jobs_started=_int(body, "jobs_started"),
            faults_fired=_counts(body, "faults_fired"),
        )


@dataclass(slots=True)
class RunningStandin:
    """A started stand-in: where it is, how to log in, and its control API."""

    base_url: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    pat: str = DEFAULT_PAT
    client_id: str = OAUTH_CLIENT_ID
    client_secret: str = OAUTH_CLIENT_SECRET
    stderr: IO[bytes] | None = field(default=None, repr=False)
    _control: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._control = httpx.Client(base_url=f"{self.base_url}/__standin__", timeout=10.0)

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:PORT/api``."""
        return f"{self.base_url}/api"

    @property
    def token_url(self) -> str:
        """The OAuth2 token endpoint."""
        return f"{self.base_url}/uaa/oauth/token"

    @property
    def basic_auth(self) -> tuple[str, str]:
        """``(username, password)`` for httpx's ``auth=``."""
        return self.username, self.password

    def _call(self, method: str, path: str, body: JsonValue = None) -> JsonObject:
        response = self._control.request(method, path, json=body)
        response.raise_for_status()
        parsed: JsonValue = response.json()
        return parsed if isinstance(parsed, dict) else {}

    def stats(self) -> StandinStats:
        """Current counters."""
        return StandinStats.from_json(self._call("GET", "/stats"))

    def reset(self) -> None:
        """Back to the launch state: metadata, faults, tokens, jobs, counters."""
        self._call("POST", "/reset")

    def set_faults(self, *faults: Fault) -> None:
        """Make ``faults`` the only active faults."""
        self._call("PUT", "/faults", {"faults": [f.to_json() for f in faults]})

    def add_faults(self, *faults: Fault) -> None:
        """Add ``faults`` after the active ones."""
        self._call("POST", "/faults", {"faults": [f.to_json() for f in faults]})

    def clear_faults(self) -> None:
        """Remove every active fault."""
        self._call("DELETE", "/faults")

    def faults(self) -> list[JsonObject]:
        """Active faults with their remaining counts."""
        listed = self._call("GET", "/faults").get("faults")
        return [f for f in listed if isinstance(f, dict)] if isinstance(listed, list) else []

    def configure(
        self, *, token_lifetime: float | None = None, job_duration: float | None = None
    ) -> None:
        """Change the token lifetime or job duration (seconds) until the next reset."""
        body: JsonObject = {}
        if token_lifetime is not None:
            body["token_lifetime"] = token_lifetime
        if job_duration is not None:
            body["job_duration"] = job_duration
        self._call("POST", "/config", body)

    def expire_tokens(self) -> int:
        """Expire every issued access token now; return how many."""
        return _int(self._call("POST", "/tokens/expire"), "expired")

    def stderr_text(self) -> str:
        """What the server has written to stderr (uvicorn warnings, tracebacks)."""
        if self.stderr is None or self.stderr.closed:
            return ""
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

    def stop(self) -> None:
        """Terminate the process (SIGTERM, then SIGKILL after 3 s)."""
        self._control.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=3)
        if self.process.stdout is not None:
            self.process.stdout.close()
        if self.stderr is not None:
            self.stderr.close()

    def __enter__(self) -> RunningStandin:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def command(
    data_dir: Path,
    *,
    metadata: Path | None = None,
    recorded_metadata: bool = False,
    faults: Sequence[Fault | str] = (),
    token_lifetime: float | None = None,
    job_duration: float | None = None,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """The command line that starts a stand-in on a free port.

    Empty (``--empty``) unless ``metadata`` names a file to preload or ``recorded_metadata``
    asks for the command line's own default, a real DHIS2's recorded metadata: tests and
    benchmarks start from nothing and create what they need.
    """
    entry = [str(_SCRIPT)] if _SCRIPT.is_file() else ["-m", "dhis2_standin"]
    args = [sys.executable, *entry, "--data", str(data_dir), "--host", "127.0.0.1", "--port", "0"]
    if metadata is not None:
        args += ["--metadata", str(metadata)]
    elif not recorded_metadata:
        args.append("--empty")
    for fault in faults:
        args += ["--fault", fault if isinstance(fault, str) else _fault_spec(fault)]
    if token_lifetime is not None:
        args += ["--token-lifetime", str(token_lifetime)]
    if job_duration is not None:
        args += ["--job-duration", str(job_duration)]
    return [*args, *extra_args]


def _fault_spec(fault: Fault) -> str:
    items = [f"{k}={'all' if v is None else v}" for k, v in fault.to_json().items() if k != "kind"]
    return f"{fault.kind}:" + ",".join(item for item in items if not item.startswith("method=all"))


def _read_url(stdout: IO[bytes], process: subprocess.Popen[bytes], timeout: float) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select(
            [stdout], [], [], min(0.05, max(0.0, deadline - time.monotonic()))
        )
        if ready:
            line = stdout.readline().decode().strip()
            return line or None
        if process.poll() is not None:
            return None
    return None


def start_standin(
    data_dir: Path,
    *,
    metadata: Path | None = None,
    recorded_metadata: bool = False,
    faults: Sequence[Fault | str] = (),
    token_lifetime: float | None = None,
    job_duration: float | None = None,
    extra_args: Sequence[str] = (),
    startup_timeout: float = 15.0,
) -> RunningStandin:
    """Start a stand-in subprocess for ``data_dir`` and wait until it accepts connections."""
    args = command(
        data_dir,
        metadata=metadata,
        recorded_metadata=recorded_metadata,
        faults=faults,
        token_lifetime=token_lifetime,
        job_duration=job_duration,
        extra_args=extra_args,
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # Kept open for RunningStandin.stderr_text() and closed by stop(): no with-block fits.
    stderr = tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr, env=env)
    url = _read_url(process.stdout, process, startup_timeout) if process.stdout else None
    if url is None or not url.startswith("http://"):
        if process.poll() is None:
            process.kill()
        process.wait(timeout=5)
        stderr.seek(0)
        detail = stderr.read().decode(errors="replace").strip()
        stderr.close()
        raise StandinStartError(f"stand-in did not start ({' '.join(args)}): {detail or url}")
    return RunningStandin(base_url=url, process=process, data_dir=data_dir, stderr=stderr)
