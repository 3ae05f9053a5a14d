"""Asynchronous DHIS2 jobs and their notifications (``/api/system/tasks/{jobType}/{uid}``).

A job does no work: its notifications are a fixed script spread evenly over the configured
duration, computed from the clock when asked for, so the list grows over time (newest first,
as DHIS2 lists it) and ends with one ``completed: true``. A job can be told to fail (a
``job_error`` fault: it ends in an ERROR notification instead) or to hang (``job_hang``: its
steps appear, the completing notification never does). An async metadata import does its work
when it starts and keeps the ImportReport as the job's summary.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dhis2_standin.jsontypes import JsonObject, JsonValue
from dhis2_standin.uids import new_uid

DEFAULT_JOB_DURATION = 0.5

_STEPS: dict[str, tuple[str, ...]] = {
    "ANALYTICS_TABLE": (
        "Analytics table update process started",
        "Performing pre-create table work",
        "Updating resource tables",
        "Populating analytics tables",
        "Applying aggregation levels",
        "Creating indexes",
        "Swapping analytics tables",
    ),
    "RESOURCE_TABLE": ("Generating resource tables", "Creating organisation unit structure table"),
    "MONITORING": ("Monitoring process started", "Running validation rules"),
    "METADATA_IMPORT": ("Metadata import started", "Validating metadata", "Committing metadata"),
}
_DONE = {
    "ANALYTICS_TABLE": "Analytics tables updated",
    "RESOURCE_TABLE": "Resource tables generated",
    "MONITORING": "Monitoring process done",
    "METADATA_IMPORT": "Import complete",
}
JOB_NAMES = {
    "ANALYTICS_TABLE": "inMemoryAnalyticsJob",
    "RESOURCE_TABLE": "inMemoryResourceTableJob",
    "MONITORING": "inMemoryMonitoringJob",
    "METADATA_IMPORT": "METADATA_IMPORT",
}


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


@dataclass(slots=True)
class Job:
    """One started job; notifications come from ``duration`` and the time since ``started``."""

    uid: str
    job_type: str
    created: datetime
    started: float
    duration: float
    fault: str | None = None
    """``job_error``, ``job_hang`` or None."""
    summary: JsonValue = None
    final_message: str | None = None
    note_uids: list[str] = field(default_factory=list[str])

    def _script(self) -> list[tuple[str, str, bool]]:
        steps = [
            (message, "INFO", False) for message in _STEPS.get(self.job_type, ("Job started",))
        ]
        if self.fault == "job_error":
            steps.append(("Job failed: stand-in fault injection", "ERROR", True))
        elif self.fault != "job_hang":
            done = _DONE.get(self.job_type, "Job complete")
            steps.append((self.final_message or f"{done}: {self.duration:.3f} s", "INFO", True))
        return steps

    def notifications(self, now: float) -> list[JsonValue]:
        """Notifications so far, newest first."""
        script = self._script()
        while len(self.note_uids) < len(script):
            self.note_uids.append(new_uid())
        elapsed = now - self.started
        last = len(script) - 1
        shown: list[JsonValue] = []
        for i, (message, level, completed) in enumerate(script):
            at = self.duration * i / last if last else 0.0
            if elapsed < at:
                break
            note: JsonObject = {
                "uid": self.note_uids[i],
                "level": level,
                "category": self.job_type,
                "time": _time(self.created + timedelta(seconds=at)),
                "message": message,
                "completed": completed,
                "id": self.note_uids[i],
            }
            shown.append(note)
        shown.reverse()
        return shown

    def done(self, now: float) -> bool:
        """Whether the final notification is out (never, for a hanging job)."""
        return self.fault != "job_hang" and now - self.started >= self.duration


@dataclass(slots=True)
class JobBoard:
    """All jobs started since the last reset."""

    duration: float = DEFAULT_JOB_DURATION
    jobs: dict[str, Job] = field(default_factory=dict[str, Job])
    started_count: int = 0

    def start(
        self,
        job_type: str,
        *,
        fault: str | None = None,
        summary: JsonValue = None,
        final_message: str | None = None,
    ) -> Job:
        """Start a job of ``job_type`` now; ``fault`` is ``job_error``, ``job_hang`` or None."""
        job = Job(
            new_uid(),
            job_type,
            datetime.now(),
            time.monotonic(),
            self.duration,
            fault=fault,
            summary=summary,
            final_message=final_message,
        )
        self.jobs[job.uid] = job
        self.started_count += 1
        return job

    def get(self, job_type: str, uid: str) -> Job | None:
        """The job, if it exists and is of that type."""
        job = self.jobs.get(uid)
        return job if job is not None and job.job_type == job_type else None

    def of_type(self, job_type: str) -> list[Job]:
        """Jobs of one type, oldest first."""
        return [job for job in self.jobs.values() if job.job_type == job_type]

    def reset(self, duration: float) -> None:
        """Forget all jobs."""
        self.jobs.clear()
        self.duration = duration
        self.started_count = 0


def started_message(job: Job) -> JsonObject:
    """The WebMessage DHIS2 answers when it starts a job."""
    name = JOB_NAMES.get(job.job_type, job.job_type)
    response: JsonObject = {
        "responseType": "JobConfigurationWebMessageResponse",
        "name": name,
        "id": job.uid,
        "created": _time(job.created),
        "jobType": job.job_type,
        "jobStatus": "SCHEDULED",
        "jobParameters": None,
        "relativeNotifierEndpoint": f"/api/system/tasks/{job.job_type}/{job.uid}",
    }
    return {
        "httpStatus": "OK",
        "httpStatusCode": 200,
        "status": "OK",
        "message": f"Initiated {name}",
        "response": response,
    }
