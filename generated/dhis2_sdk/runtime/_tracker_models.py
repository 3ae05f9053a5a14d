"""Typed tracker payloads and the tracker import report of ``/api/tracker``.

Stage: runtime (hand-written). Not in ``/api/schemas``: typed by hand from DHIS2's tracker API
documentation (2.41 and later) and pinned by recorded answers:
``unversioned/android-sdk-fixtures/imports_tracker-importer_event-ok-new.json`` and
``…_tei-new.json`` (a report with ``bundleReport.typeReportMap``),
``…_event-conflict-new.json`` (``validationReport.errorReports`` with ``errorCode``,
``trackerType`` and ``uid``), ``…_job_response.json`` (the ``TrackerJob`` WebMessage). Every
model keeps unknown keys, so attributes DHIS2 adds in a later version are not lost.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, JsonValue

from ._responses import Dhis2Body

__all__ = [
    "Enrollment",
    "Event",
    "EventDataValue",
    "TrackedEntity",
    "TrackedEntityAttributeValue",
    "TrackerBundleReport",
    "TrackerErrorReport",
    "TrackerImportReport",
    "TrackerObjectReport",
    "TrackerStats",
    "TrackerTypeReport",
    "TrackerValidationReport",
]


class _Body(Dhis2Body):
    """A tracker body that can be written back as DHIS2 reads it."""

    def to_wire(self) -> dict[str, JsonValue]:
        """The object as DHIS2 reads it (camelCase keys, unset fields left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class TrackerErrorReport(_Body):
    """One validation error or warning: ``error_code`` (``E1029``), message, object."""

    message: str | None = None
    error_code: str | None = None
    tracker_type: str | None = None
    """``TRACKED_ENTITY``, ``ENROLLMENT``, ``EVENT`` or ``RELATIONSHIP``."""
    uid: str | None = None

    def __str__(self) -> str:
        return f"{self.error_code} {self.tracker_type} {self.uid}: {self.message}"


class TrackerValidationReport(_Body):
    error_reports: list[TrackerErrorReport] = Field(default_factory=list[TrackerErrorReport])
    warning_reports: list[TrackerErrorReport] = Field(default_factory=list[TrackerErrorReport])


class TrackerStats(_Body):
    created: int = 0
    updated: int = 0
    deleted: int = 0
    ignored: int = 0
    total: int = 0


class TrackerObjectReport(_Body):
    tracker_type: str | None = None
    uid: str | None = None
    index: int | None = None
    error_reports: list[TrackerErrorReport] = Field(default_factory=list[TrackerErrorReport])


class TrackerTypeReport(_Body):
    tracker_type: str | None = None
    stats: TrackerStats = Field(default_factory=TrackerStats)
    object_reports: list[TrackerObjectReport] = Field(default_factory=list[TrackerObjectReport])


class TrackerBundleReport(_Body):
    status: str | None = None
    type_report_map: dict[str, TrackerTypeReport] = Field(
        default_factory=dict[str, TrackerTypeReport]
    )
    stats: TrackerStats = Field(default_factory=TrackerStats)


class TrackerImportReport(_Body):
    """What a tracker import did: ``status``, ``stats``, ``validation_report``, ``bundle_report``."""

    status: str | None = None
    """``OK``, ``WARNING`` or ``ERROR``."""
    message: str | None = None
    validation_report: TrackerValidationReport = Field(default_factory=TrackerValidationReport)
    stats: TrackerStats = Field(default_factory=TrackerStats)
    bundle_report: TrackerBundleReport | None = None

    @property
    def errors(self) -> list[TrackerErrorReport]:
        """The validation errors (the objects they name were not imported)."""
        return self.validation_report.error_reports

    @property
    def warnings(self) -> list[TrackerErrorReport]:
        """The validation warnings (the objects were imported)."""
        return self.validation_report.warning_reports


class TrackedEntityAttributeValue(_Body):
    attribute: str
    value: str | None = None
    display_name: str | None = None
    value_type: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class EventDataValue(_Body):
    data_element: str
    value: str | None = None
    provided_elsewhere: bool | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Event(_Body):
    """A tracker event (``/api/tracker/events``)."""

    event: str | None = None
    program: str | None = None
    program_stage: str | None = None
    enrollment: str | None = None
    tracked_entity: str | None = None
    org_unit: str | None = None
    status: str | None = None
    occurred_at: datetime | None = None
    scheduled_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted: bool | None = None
    data_values: list[EventDataValue] = Field(default_factory=list[EventDataValue])


class Enrollment(_Body):
    """A tracker enrollment (``/api/tracker/enrollments``)."""

    enrollment: str | None = None
    tracked_entity: str | None = None
    program: str | None = None
    org_unit: str | None = None
    status: str | None = None
    enrolled_at: datetime | None = None
    occurred_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted: bool | None = None
    events: list[Event] = Field(default_factory=list[Event])
    attributes: list[TrackedEntityAttributeValue] = Field(
        default_factory=list[TrackedEntityAttributeValue]
    )


class TrackedEntity(_Body):
    """A tracked entity (``/api/tracker/trackedEntities``)."""

    tracked_entity: str | None = None
    tracked_entity_type: str | None = None
    org_unit: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    inactive: bool | None = None
    deleted: bool | None = None
    attributes: list[TrackedEntityAttributeValue] = Field(
        default_factory=list[TrackedEntityAttributeValue]
    )
    enrollments: list[Enrollment] = Field(default_factory=list[Enrollment])
