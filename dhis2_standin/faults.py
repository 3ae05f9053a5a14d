"""Deterministic fault injection: latency, 5xx, 429 with Retry-After, dropped connections,
stalls, and failing or hanging jobs, each for the next N matching requests (or every one).

Faults are set by ``--fault KIND:key=value,...`` at start and through ``/__standin__/faults`` at
run time; a fault matches a request by path prefix (with or without the ``/api/NN`` version) and
optionally method. Control requests (``/__standin__/...``) are never faulted.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dhis2_standin.connections import ConnectionTracker
from dhis2_standin.jsontypes import JsonObject, dump_json
from dhis2_standin.webmessage import JSON_MEDIA_TYPE, reason, web_message

FAULT_KINDS = ("latency", "error", "rate_limit", "drop", "stall", "job_error", "job_hang")
JOB_FAULT_KINDS = frozenset({"job_error", "job_hang"})
_GATEWAY_STATUSES = frozenset({502, 503, 504})


class FaultSpecError(ValueError):
    """A fault specification that cannot be understood."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault rule.

    ``kind``: ``latency`` (adds ``ms``), ``error`` (answers ``status``), ``rate_limit`` (429 with
    ``Retry-After: retry_after``), ``drop`` (closes the socket without an answer), ``stall``
    (answers only after ``seconds``, or never if the client leaves first), ``job_error`` (the
    next job started fails), ``job_hang`` (the next job started never completes). For the two
    job kinds ``path`` is ``/`` or ``/JOB_TYPE`` (``/METADATA_IMPORT``) and ``count`` counts
    jobs; otherwise ``count`` is how many matching requests it affects (None: all).
    """

    kind: str
    count: int | None = 1
    path: str = "/"
    method: str | None = None
    status: int = 503
    retry_after: int = 1
    ms: int = 0
    seconds: float = 30.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise FaultSpecError(
                f"unknown fault kind `{self.kind}`; expected one of {', '.join(FAULT_KINDS)}"
            )
        if self.count is not None and self.count < 1:
            raise FaultSpecError(
                f"fault count must be at least 1 (or omitted for every request), got {self.count}"
            )
        if self.kind == "error" and not 400 <= self.status <= 599:
            raise FaultSpecError(f"error fault status must be 4xx or 5xx, got {self.status}")
        if not self.path.startswith("/"):
            raise FaultSpecError(f"fault path must start with `/`, got `{self.path}`")

    def to_json(self) -> JsonObject:
        """The fault as the control API shows and accepts it."""
        return {
            key: value
            for key, value in asdict(self).items()
            if isinstance(value, str | int | float | None)
        }

    @classmethod
    def from_json(cls, obj: JsonObject) -> Fault:
        """Build from a control-API object; unknown keys are an error."""
        unknown = set(obj) - set(cls.__dataclass_fields__)
        if unknown:
            raise FaultSpecError(f"unknown fault keys: {', '.join(sorted(unknown))}")
        kind = obj.get("kind")
        if not isinstance(kind, str):
            raise FaultSpecError("a fault needs a string `kind`")
        values = {
            key: str(value) for key, value in obj.items() if key != "kind" and value is not None
        }
        return cls._build(kind, values, count_given="count" in obj)

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """Parse ``KIND[:key=value,...]``, e.g. ``error:status=503,count=2,path=/api/x``."""
        kind, _, rest = spec.partition(":")
        values: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in rest.split(","))):
            key, sep, value = item.partition("=")
            if not sep:
                raise FaultSpecError(f"expected key=value in fault `{spec}`, got `{item}`")
            values[key.strip()] = value.strip()
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise FaultSpecError(f"unknown fault keys in `{spec}`: {', '.join(sorted(unknown))}")
        return cls._build(kind.strip(), values, count_given="count" in values)

    @classmethod
    def _build(cls, kind: str, values: dict[str, str], *, count_given: bool) -> Fault:
        try:
            count_text = values.get("count")
            if count_given and count_text in (None, "", "all", "inf", "*"):
                count = None
            elif count_text is not None:
                count = int(count_text)
            else:
                count = None if kind == "latency" else 1
            return cls(
                kind=kind,
                count=count,
                path=values.get("path", "/"),
                method=values["method"].upper() if values.get("method") else None,
                status=int(values.get("status", "503")),
                retry_after=int(values.get("retry_after", "1")),
                ms=int(values.get("ms", "0")),
                seconds=float(values.get("seconds", "30")),
            )
        except ValueError as exc:
            if isinstance(exc, FaultSpecError):
                raise
            raise FaultSpecError(f"bad number in fault `{kind}`: {exc}") from exc

    def matches(self, method: str, paths: Sequence[str]) -> bool:
        """Whether a request is in this fault's scope."""
        if self.method is not None and self.method != method:
            return False
        return any(path.startswith(self.path) for path in paths)


@dataclass(slots=True)
class _Active:
    fault: Fault
    remaining: float


@dataclass(slots=True)
class FaultBook:
    """The active faults, their remaining counts, and how often each kind fired."""

    initial: tuple[Fault, ...] = ()
    active: list[_Active] = field(default_factory=list[_Active])
    fired: dict[str, int] = field(default_factory=dict[str, int])

    def __post_init__(self) -> None:
        self.replace(self.initial)

    def add(self, faults: Iterable[Fault]) -> None:
        """Append faults after the active ones."""
        self.active.extend(_Active(f, math.inf if f.count is None else f.count) for f in faults)

    def replace(self, faults: Iterable[Fault]) -> None:
        """Make ``faults`` the only active ones."""
        self.active = []
        self.add(faults)

    def reset(self) -> None:
        """Back to the faults given at start, counters zeroed."""
        self.replace(self.initial)
        self.fired = {}

    def listing(self) -> list[JsonObject]:
        """Active faults with what remains of their counts."""
        return [
            {
                **a.fault.to_json(),
                "remaining": None if math.isinf(a.remaining) else int(a.remaining),
            }
            for a in self.active
        ]

    def _fire(self, active: _Active) -> None:
        active.remaining -= 1
        self.fired[active.fault.kind] = self.fired.get(active.fault.kind, 0) + 1

    def take(self, method: str, paths: Sequence[str]) -> tuple[int, Fault | None]:
        """Latency to add and the fault to apply for a request, consuming their counts."""
        latency = 0
        chosen: Fault | None = None
        for active in self.active:
            fault = active.fault
            if (
                active.remaining <= 0
                or fault.kind in JOB_FAULT_KINDS
                or not fault.matches(method, paths)
            ):
                continue
            if fault.kind == "latency":
                latency += fault.ms
                self._fire(active)
            elif chosen is None:
                chosen = fault
                self._fire(active)
        self.active = [a for a in self.active if a.remaining > 0]
        return latency, chosen

    def take_job_fault(self, job_type: str) -> str | None:
        """The job fault (``job_error``, ``job_hang``) for the job about to start, if any."""
        for active in self.active:
            fault = active.fault
            if (
                fault.kind in JOB_FAULT_KINDS
                and active.remaining > 0
                and fault.path in ("/", f"/{job_type}")
            ):
                self._fire(active)
                self.active = [a for a in self.active if a.remaining > 0]
                return fault.kind
        return None


def _error_body(status: int) -> tuple[bytes, str]:
    if status in _GATEWAY_STATUSES:
        # In front of DHIS2 these come from the reverse proxy, as HTML.
        text = f"{status} {reason(status)}"
        html = (
            f"<html>\r\n<head><title>{text}</title></head>\r\n<body>\r\n"
            f"<center><h1>{text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        )
        return html.encode(), "text/html"
    message = (
        "Stand-in fault injection"
        if status != 500
        else "An internal server error occurred (stand-in fault injection)"
    )
    return dump_json(web_message(status, message)), JSON_MEDIA_TYPE


async def _respond(
    send: Send, status: int, body: bytes, media_type: str, extra: list[tuple[bytes, bytes]]
) -> None:
    headers = [
        (b"content-type", media_type.encode()),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class FaultMiddleware:
    """Applies the fault book to every non-control HTTP request."""

    def __init__(self, app: ASGIApp, book: FaultBook, connections: ConnectionTracker) -> None:
        self.app = app
        self.book = book
        self.connections = connections

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or path.startswith("/__standin__"):
            await self.app(scope, receive, send)
            return
        paths = (path, str(scope.get("standin.raw_path", path)))
        latency, fault = self.book.take(str(scope["method"]), paths)
        if latency:
            await asyncio.sleep(latency / 1000)
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == "error":
            body, media_type = _error_body(fault.status)
            await _respond(send, fault.status, body, media_type, [])
        elif fault.kind == "rate_limit":
            body = dump_json(web_message(429, "Too many requests (stand-in fault injection)"))
            await _respond(
                send,
                429,
                body,
                JSON_MEDIA_TYPE,
                [(b"retry-after", str(fault.retry_after).encode())],
            )
        elif fault.kind == "drop":
            await self.connections.drop(scope.get("client"))
        else:
            await self._stall(fault.seconds, scope, receive, send)

    async def _stall(self, seconds: float, scope: Scope, receive: Receive, send: Send) -> None:
        """Hold the request for ``seconds``, then serve it; give up if the client leaves."""
        buffered: list[Message] = []

        async def until_disconnect() -> None:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                buffered.append(message)

        try:
            await asyncio.wait_for(until_disconnect(), timeout=seconds)
        except TimeoutError:
            pass
        else:
            return  # the client gave up first

        async def replay() -> Message:
            return buffered.pop(0) if buffered else await receive()

        await self.app(scope, replay, send)
