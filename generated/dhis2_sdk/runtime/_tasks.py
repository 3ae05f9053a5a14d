"""``client.tasks``: follow DHIS2 background jobs until they complete.

Stage: runtime (hand-written). Long operations (analytics tables, resource tables, async
metadata or tracker imports) answer at once with a job reference (a WebMessage whose
``response`` carries ``jobType`` and ``id``); their progress is a list of notifications at
``/api/system/tasks/{jobType}/{uid}``, newest first, the last one carrying ``completed: true``.

``parse_task_ref`` turns ``"JOB_TYPE/uid"`` (or a tuple) into a ``TaskRef``;
``TasksApi.iter_notifications`` yields each new notification once, oldest first, and stops after
the completing one; ``TasksApi.await_completion`` collects them into a ``TaskCompletion``.
``TasksApi.start`` POSTs to a job-starting endpoint and returns the job's ``TaskRef``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, cast

from pydantic import BaseModel, ConfigDict, JsonValue, TypeAdapter

from ._errors import Dhis2ClientError, TaskError, TaskTimeoutError

if TYPE_CHECKING:
    from ._client import Dhis2Client, Params

__all__ = ["TaskCompletion", "TaskNotification", "TaskRef", "TasksApi", "parse_task_ref"]

_TASKS_PATH = "/system/tasks/"


class TaskNotification(BaseModel):
    """One progress notification of a DHIS2 job (unknown keys are kept)."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    id: str | None = None
    uid: str | None = None
    level: str | None = None
    category: str | None = None
    time: datetime | None = None
    message: str | None = None
    completed: bool = False
    data: JsonValue = None

    @property
    def is_error(self) -> bool:
        """True for a notification of level ``ERROR``."""
        return (self.level or "").upper() == "ERROR"


_NOTIFICATIONS = TypeAdapter(list[TaskNotification])


@dataclass(frozen=True, slots=True)
class TaskRef:
    """Which job to follow: its job type (``METADATA_IMPORT``) and UID."""

    job_type: str
    uid: str

    @property
    def path(self) -> str:
        """The notifications endpoint: ``/api/system/tasks/{job_type}/{uid}``."""
        return f"/api{_TASKS_PATH}{self.job_type}/{self.uid}"

    @property
    def summary_path(self) -> str:
        """Where DHIS2 keeps the job's final report (an import's ``ImportReport``)."""
        return f"/api/system/taskSummaries/{self.job_type}/{self.uid}"

    def __str__(self) -> str:
        return f"{self.job_type}/{self.uid}"


def parse_task_ref(ref: TaskRef | str | tuple[str, str]) -> TaskRef:
    """``"METADATA_IMPORT/Jk2VhMnRx7D"`` or ``("METADATA_IMPORT", "Jk2VhMnRx7D")`` as a ``TaskRef``.

    A string is split on its last ``/``; a notifier endpoint such as
    ``/api/system/tasks/METADATA_IMPORT/Jk2VhMnRx7D`` is accepted too. Raises ``ValueError``.
    """
    if isinstance(ref, TaskRef):
        return ref
    if isinstance(ref, tuple):
        job_type, uid = ref
    else:
        job_type, _, uid = ref.strip().rpartition("/")
        if _TASKS_PATH in f"/{job_type}":
            job_type = job_type.rpartition(_TASKS_PATH.lstrip("/"))[2]
    if not _is_token(job_type) or not _is_token(uid):
        raise ValueError(
            f"Not a DHIS2 job reference: {ref!r}. Pass 'JOB_TYPE/uid' (like "
            "'METADATA_IMPORT/Jk2VhMnRx7D'), a (job_type, uid) tuple, or the TaskRef that "
            "WebMessageResponse.task_ref() or client.tasks.start() returned."
        )
    return TaskRef(job_type, uid)


def _is_token(text: object) -> bool:
    return isinstance(text, str) and text != "" and not any(c == "/" or c.isspace() for c in text)


def task_ref_in_response(response: object) -> TaskRef | None:
    """The job a job-starting WebMessage's ``response`` names, or ``None``.

    DHIS2 answers ``{"jobType": …, "id": …, "relativeNotifierEndpoint": …}`` for scheduled jobs
    and async imports, and ``{"responseType": "TrackerJob", "id": …}`` for tracker imports.
    """
    if not isinstance(response, Mapping):
        return None
    data = cast(Mapping[str, object], response)
    endpoint = data.get("relativeNotifierEndpoint")
    if isinstance(endpoint, str) and _TASKS_PATH in endpoint:
        try:
            return parse_task_ref(endpoint)
        except ValueError:
            pass
    uid = data.get("id") or data.get("uid")
    job_type = data.get("jobType")
    if job_type is None and data.get("responseType") == "TrackerJob":
        job_type = "TRACKER_IMPORT_JOB"
    if isinstance(uid, str) and isinstance(job_type, str) and _is_token(uid):
        return TaskRef(job_type, uid)
    return None


@dataclass(frozen=True, slots=True)
class TaskCompletion:
    """A completed job: every notification seen, oldest first; ``final`` is the last one."""

    ref: TaskRef
    notifications: tuple[TaskNotification, ...]

    def __post_init__(self) -> None:
        if not self.notifications:
            raise ValueError("A TaskCompletion needs at least its completing notification.")

    @property
    def final(self) -> TaskNotification:
        """The notification that said ``completed: true``."""
        return self.notifications[-1]

    @property
    def failed(self) -> bool:
        """True when the completing notification has level ``ERROR``."""
        return self.final.is_error


def _key(note: TaskNotification) -> str:
    """What makes a notification the same one in the next poll (DHIS2 relists them all)."""
    if note.uid or note.id:
        return f"id:{note.uid or note.id}"
    moment = note.time.isoformat() if note.time else ""
    return f"at:{moment}|{note.level}|{note.message}"


class TasksApi:
    """``client.tasks``: ``start`` a job, then ``await_completion`` or ``iter_notifications``.

    ``sleep`` and ``clock`` are injectable so tests poll without waiting for real.
    """

    def __init__(
        self,
        client: Dhis2Client,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._sleep = sleep
        self._clock = clock

    async def start(
        self, path: str, *, params: Params | None = None, json: object = None
    ) -> TaskRef:
        """POST to a job-starting endpoint (``/api/resourceTables/analytics``); return the job."""
        body = await self._client.post_raw(path, params=params, json=json)
        ref = task_ref_in_response(body.get("response", body))
        if ref is None:
            raise Dhis2ClientError(
                f"POST {path} did not answer with a job reference (no response.jobType/id). Is "
                "it an endpoint that starts a background job? Use post_raw() for other requests."
            )
        return ref

    async def _poll(self, ref: TaskRef) -> list[TaskNotification]:
        """The job's notifications so far, oldest first (empty before it starts)."""
        response = await self._client.request("GET", ref.path)
        content = response.content.strip()
        if not content or content == b"{}":
            return []
        return _NOTIFICATIONS.validate_json(content)[::-1]

    async def iter_notifications(
        self,
        ref: TaskRef | str | tuple[str, str],
        *,
        timeout: float | None = 600.0,  # noqa: ASYNC109 -- a deadline over many polls, in the SDK's terms
        poll_interval: float = 2.0,
    ) -> AsyncIterator[TaskNotification]:
        """Yield each new notification once, oldest first; stop after the completing one.

        Polls every ``poll_interval`` seconds. Raises ``TaskTimeoutError`` when ``timeout``
        seconds pass without completion (``None``: wait as long as it takes). A job that fails
        still ends here: its last notification has level ``ERROR``.
        """
        task = parse_task_ref(ref)
        _check_durations(timeout, poll_interval)
        deadline = None if timeout is None else self._clock() + timeout
        seen: set[str] = set()
        yielded: list[TaskNotification] = []
        while True:
            for note in await self._poll(task):
                key = _key(note)
                if key in seen:
                    continue
                seen.add(key)
                yielded.append(note)
                yield note
                if note.completed:
                    return
            delay = poll_interval
            if deadline is not None:
                remaining = deadline - self._clock()
                if remaining <= 0:
                    raise _timeout_error(task, timeout, yielded)
                delay = min(delay, remaining)
            await self._sleep(delay)

    async def await_completion(
        self,
        ref: TaskRef | str | tuple[str, str],
        *,
        timeout: float | None = 600.0,  # noqa: ASYNC109 -- a deadline over many polls, in the SDK's terms
        poll_interval: float = 2.0,
    ) -> TaskCompletion:
        """Poll until the job completes; return every notification seen.

        Raises ``TaskError`` (with ``.completion``) when the completing notification has level
        ``ERROR``, and ``TaskTimeoutError`` (with the ``.notifications`` seen) when ``timeout``
        seconds pass first (``None``: wait as long as it takes).
        """
        task = parse_task_ref(ref)
        notes = [
            note
            async for note in self.iter_notifications(
                task, timeout=timeout, poll_interval=poll_interval
            )
        ]
        completion = TaskCompletion(task, tuple(notes))
        if completion.failed:
            raise TaskError(
                f"DHIS2 job {task.job_type} {task.uid} failed: {completion.final.message}. "
                f"See GET {task.path} and the server log for details.",
                ref=task,
                notifications=completion.notifications,
                completion=completion,
            )
        return completion


def _check_durations(timeout: float | None, poll_interval: float) -> None:
    if poll_interval < 0:
        raise ValueError(f"poll_interval must be 0 or more seconds, got {poll_interval}")
    if timeout is not None and timeout < 0:
        raise ValueError(
            f"timeout must be 0 or more seconds (or None to wait forever), got {timeout}"
        )


def _timeout_error(
    task: TaskRef, timeout: float | None, seen: list[TaskNotification]
) -> TaskTimeoutError:
    latest = seen[-1].message if seen else "no notifications yet"
    return TaskTimeoutError(
        f"DHIS2 job {task.job_type} {task.uid} did not complete within {timeout}s "
        f"(latest: {latest}). It may still be running: call client.tasks.await_completion() "
        "again with a longer timeout, or timeout=None to wait as long as it takes.",
        ref=task,
        notifications=tuple(seen),
    )
