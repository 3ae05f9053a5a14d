"""``client.tasks``: start DHIS2 background jobs and poll them until they complete.

Stage: runtime (hand-written). Long operations (analytics tables, resource tables, async
metadata or tracker imports) answer at once with a job reference; their progress is a list of
notifications at ``/api/system/tasks/{jobType}/{uid}``, newest first, the last one carrying
``completed: true``. ``TasksApi.run`` does both steps; ``wait`` polls a job started elsewhere.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from pydantic import BaseModel, ConfigDict, JsonValue, TypeAdapter

from ._errors import Dhis2ClientError, TaskError, TaskTimeoutError

if TYPE_CHECKING:
    from ._client import Dhis2Client, Params

__all__ = ["JobRef", "TaskNotification", "TasksApi"]


class TaskNotification(BaseModel):
    """One progress notification of a DHIS2 job."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    id: str | None = None
    uid: str | None = None
    level: str | None = None
    category: str | None = None
    time: datetime | None = None
    message: str | None = None
    completed: bool = False
    data: JsonValue = None


_NOTIFICATIONS = TypeAdapter(list[TaskNotification])


@dataclass(frozen=True, slots=True)
class JobRef:
    """Which job to poll: its job type (``ANALYTICS_TABLE``) and UID."""

    job_type: str
    uid: str

    @property
    def path(self) -> str:
        """The notifications endpoint of this job."""
        return f"/api/system/tasks/{self.job_type}/{self.uid}"


class TasksApi:
    """``client.tasks``: ``run`` = start + ``wait``; ``wait`` polls until ``completed``.

    ``sleep`` and ``clock`` are injectable so tests do not wait for real.
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
    ) -> JobRef:
        """POST to a job-starting endpoint (``/api/resourceTables/analytics``); return the job."""
        body = await self._client.post_raw(path, params=params, json=json)
        return job_ref_from_response(body, path)

    async def notifications(self, job: JobRef) -> list[TaskNotification]:
        """The job's notifications so far, newest first (empty before it starts)."""
        response = await self._client.request("GET", job.path)
        content = response.content.strip()
        if not content or content == b"{}":
            return []
        return _NOTIFICATIONS.validate_json(content)

    async def wait(
        self, job: JobRef, *, poll_interval: float = 1.0, max_wait: float | None = 600.0
    ) -> list[TaskNotification]:
        """Poll until a notification says ``completed``; return all of them, newest first.

        Raises ``TaskError`` if the job completed with an ERROR notification and
        ``TaskTimeoutError`` if ``max_wait`` seconds pass first (``None``: wait forever).
        """
        deadline = None if max_wait is None else self._clock() + max_wait
        while True:
            notes = await self.notifications(job)
            done = next((note for note in notes if note.completed), None)
            if done is not None:
                failed = next((n for n in notes if (n.level or "").upper() == "ERROR"), None)
                if failed is not None:
                    raise TaskError(
                        f"DHIS2 job {job.job_type} {job.uid} failed: {failed.message}. "
                        f"See GET {job.path} and the server log for details."
                    )
                return notes
            if deadline is not None and self._clock() >= deadline:
                latest = notes[0].message if notes else "no notifications yet"
                raise TaskTimeoutError(
                    f"DHIS2 job {job.job_type} {job.uid} did not complete within {max_wait}s "
                    f"(latest: {latest}). It may still be running: call client.tasks.wait() "
                    "again with a longer max_wait."
                )
            await self._sleep(poll_interval)

    async def run(
        self,
        path: str,
        *,
        params: Params | None = None,
        json: object = None,
        poll_interval: float = 1.0,
        max_wait: float | None = 600.0,
    ) -> list[TaskNotification]:
        """Start a job with a POST to ``path`` and wait until it completes."""
        job = await self.start(path, params=params, json=json)
        return await self.wait(job, poll_interval=poll_interval, max_wait=max_wait)


def job_ref_from_response(body: dict[str, Any], path: str = "") -> JobRef:
    """Find the job type and UID in a job-starting WebMessage.

    DHIS2 answers ``{"response": {"jobType": …, "id": …, "relativeNotifierEndpoint": …}}`` for
    scheduled jobs and ``{"response": {"responseType": "TrackerJob", "id": …}}`` for tracker
    imports.
    """
    response: object = body.get("response", body)
    if isinstance(response, dict):
        data = cast(dict[str, object], response)
        endpoint = data.get("relativeNotifierEndpoint")
        if isinstance(endpoint, str) and "/system/tasks/" in endpoint:
            job_type, _, uid = endpoint.rpartition("/system/tasks/")[2].partition("/")
            if job_type and uid:
                return JobRef(job_type, uid.strip("/"))
        uid = data.get("id") or data.get("uid")
        job_type = data.get("jobType")
        if job_type is None and data.get("responseType") == "TrackerJob":
            job_type = "TRACKER_IMPORT_JOB"
        if isinstance(uid, str) and isinstance(job_type, str):
            return JobRef(job_type, uid)
    raise Dhis2ClientError(
        f"POST {path} did not answer with a job reference (no response.jobType/id). Is it an "
        "endpoint that starts a background job? Use post_raw() for ordinary requests."
    )
