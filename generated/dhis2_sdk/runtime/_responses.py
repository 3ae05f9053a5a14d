"""Typed answers to DHIS2 writes: WebMessages, object reports and metadata import reports.

Stage: runtime (hand-written). DHIS2 answers a write with a WebMessage (``status``,
``httpStatus``, ``httpStatusCode``, ``message``, …) whose ``response`` says what happened:

* ``WebMessageResponse``: any WebMessage; ``task_ref()`` finds the job an async request started.
* ``ObjectReportResponse``: ``POST``/``PUT``/``PATCH``/``DELETE /api/{plural}[/{uid}]``; its
  ``response`` is an ``ObjectReport`` (``klass``, ``uid``, ``errorReports``).
* ``ImportReportResponse``: ``POST /api/metadata``; its ``response`` is an ``ImportReport``
  (``status``, ``stats``, ``typeReports`` of ``objectReports``). An async import's final
  ``ImportReport`` (at ``TaskRef.summary_path``) comes bare, without the WebMessage around it.

The models are lenient like DHIS2 itself: every field is optional, unknown keys are kept
(``model_extra``) and sent back by ``model_dump()``. Error items are the runtime's one
``ErrorReport`` type, the same that ``Dhis2ApiError.error_reports`` holds. On a 409 the client
raises ``ConflictError``; ``ObjectReportResponse.model_validate(error.web_message.raw)`` (or
``ImportReportResponse``) reads its body as the typed report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    PlainSerializer,
    PlainValidator,
    field_validator,
)
from pydantic.alias_generators import to_camel

from ._errors import ErrorReport
from ._tasks import TaskRef, task_ref_in_response

__all__ = [
    "ImportReport",
    "ImportReportResponse",
    "ImportStats",
    "ObjectError",
    "ObjectReport",
    "ObjectReportResponse",
    "TypeReport",
    "WebMessageResponse",
]


def _error_report(value: object) -> ErrorReport:
    if isinstance(value, ErrorReport):
        return value
    if isinstance(value, Mapping):
        return ErrorReport.from_json(dict(cast(Mapping[str, Any], value)))
    raise ValueError(f"an errorReports item must be a JSON object, got {type(value).__name__}")


def _error_report_json(report: ErrorReport) -> dict[str, JsonValue]:
    return report.to_json()


_ErrorReportItem = Annotated[
    ErrorReport, PlainValidator(_error_report), PlainSerializer(_error_report_json)
]


class Dhis2Body(BaseModel):
    """camelCase on the wire, snake_case in Python, unknown keys kept and dumped back.

    The base of every hand-typed DHIS2 body (WebMessages, import summaries, analytics grids,
    tracker objects); shared by the runtime modules, not exported."""

    model_config: ClassVar[ConfigDict] = ConfigDict(
        extra="allow",
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )


class _WebMessage(Dhis2Body):
    """The envelope every WebMessage shares; subclasses type its ``response``."""

    status: str | None = None
    """``OK``, ``WARNING`` or ``ERROR``."""
    http_status: str | None = None
    http_status_code: int | None = None
    message: str | None = None
    dev_message: str | None = None
    error_code: str | None = None


class WebMessageResponse(_WebMessage):
    """Any DHIS2 WebMessage, ``response`` as plain JSON."""

    response: dict[str, JsonValue] | None = None

    def task_ref(self) -> TaskRef | None:
        """The background job this answer started (``response.jobType``/``id``), or ``None``.

        Async metadata imports, analytics and resource-table runs answer with one; tracker
        imports (``responseType: TrackerJob``) name ``TRACKER_IMPORT_JOB``.
        """
        return task_ref_in_response(self.response)


class ObjectReport(Dhis2Body):
    """What DHIS2 did with one object: its ``klass``, ``uid``, ``index`` and ``errorReports``."""

    klass: str | None = None
    uid: str | None = None
    index: int | None = None
    """The object's position in its collection of the request (imports only)."""
    error_reports: list[_ErrorReportItem] = Field(default_factory=list[ErrorReport])


class ObjectReportResponse(_WebMessage):
    """The answer to a single-object write (``POST``/``PUT``/``PATCH``/``DELETE /api/{plural}``)."""

    response: ObjectReport | None = None


class ImportStats(Dhis2Body):
    """How many objects an import created, updated, deleted and ignored."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    ignored: int = 0
    total: int = 0


class TypeReport(Dhis2Body):
    """The part of an import report about one metadata type (``klass``)."""

    klass: str | None = None
    stats: ImportStats = Field(default_factory=ImportStats)
    object_reports: list[ObjectReport] = Field(default_factory=list[ObjectReport])


@dataclass(frozen=True, slots=True)
class ObjectError:
    """One error report of an import, with the object it is about."""

    klass: str | None
    uid: str | None
    index: int | None
    report: ErrorReport

    @property
    def error_property(self) -> str | None:
        """The property at fault (``shortName``), when DHIS2 named one."""
        return self.report.error_property

    def __str__(self) -> str:
        kind = (self.klass or "object").rsplit(".", 1)[-1]
        where = f" (index {self.index})" if self.index is not None else ""
        return f"{kind} {self.uid or '?'}{where}: {self.report}"


class ImportReport(Dhis2Body):
    """``POST /api/metadata``'s report: overall ``status``, ``stats`` and one report per type."""

    response_type: str | None = None
    status: str | None = None
    """``OK``; ``WARNING`` when some objects were imported and some not; ``ERROR``."""
    stats: ImportStats = Field(default_factory=ImportStats)
    type_reports: list[TypeReport] = Field(default_factory=list[TypeReport])

    @field_validator("type_reports", mode="before")
    @classmethod
    def _type_reports_as_list(cls, value: object) -> object:
        # Older servers sent typeReports as an object keyed by klass.
        if isinstance(value, Mapping):
            return list(cast(Mapping[str, object], value).values())
        return value

    def errors(self) -> list[ObjectError]:
        """Every error report, with the type, UID and index of its object, in report order."""
        return [
            ObjectError(obj.klass or types.klass, obj.uid, obj.index, report)
            for types in self.type_reports
            for obj in types.object_reports
            for report in obj.error_reports
        ]


class ImportReportResponse(_WebMessage):
    """The answer to a synchronous ``POST /api/metadata``."""

    response: ImportReport | None = None
