"""``client.metadata``: typed ``/api/metadata`` import and export.

Stage: runtime (hand-written). Each generated version has a ``Metadata`` model (one optional
typed list per collection key, unknown keys kept); this API sends and reads it. An import
answers an :class:`~dhis2_sdk.runtime._responses.ImportReport`; a report with status ERROR
raises :class:`MetadataImportError` (listing its first error reports) unless the caller asks
for the report with ``raise_on_error=False``; ``async_=True`` returns the job's ``TaskRef`` to
await with ``client.tasks.await_completion``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Generic, Literal, TypeVar, overload

from pydantic import JsonValue

from ._errors import ConflictError, Dhis2ClientError, ResponseShapeError
from ._model import Dhis2Model
from ._responses import ImportReport, ImportReportResponse, WebMessageResponse
from ._tasks import TaskRef

if TYPE_CHECKING:
    from ._client import Dhis2Client

__all__ = ["MetadataApi", "MetadataImportError"]

MetadataT = TypeVar("MetadataT", bound=Dhis2Model, covariant=True)

ImportMode = Literal["COMMIT", "VALIDATE"]
ImportStrategy = Literal["CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE"]
AtomicMode = Literal["ALL", "NONE"]

_SHOWN_ERRORS = 5


class MetadataImportError(Dhis2ClientError):
    """A metadata import whose report says ERROR; ``.report`` holds the whole typed report."""

    def __init__(self, report: ImportReport) -> None:
        errors = report.errors()
        lines = [f"  {error}" for error in errors[:_SHOWN_ERRORS]]
        if len(errors) > _SHOWN_ERRORS:
            lines.append(f"  … and {len(errors) - _SHOWN_ERRORS} more (see .report.errors())")
        super().__init__(
            f"The metadata import failed (status {report.status}, {report.stats.total} objects, "
            f"{report.stats.ignored} ignored):\n"
            + "\n".join(lines or ["  (no error reports)"])
            + "\nFix the objects named above, or import with import_mode='VALIDATE' to check a "
            "payload first; raise_on_error=False returns the report instead of raising."
        )
        self.report = report


class MetadataApi(Generic[MetadataT]):
    """``/api/metadata`` of one version: ``import_`` a payload, ``export`` a typed one."""

    def __init__(self, client: Dhis2Client, model: type[MetadataT]) -> None:
        self._client = client
        self.model = model
        """The version's ``Metadata`` model."""

    @overload
    async def import_(
        self,
        payload: Dhis2Model | Mapping[str, JsonValue],
        *,
        import_mode: ImportMode = ...,
        import_strategy: ImportStrategy = ...,
        atomic_mode: AtomicMode = ...,
        async_: Literal[False] = ...,
        raise_on_error: bool = ...,
    ) -> ImportReport: ...

    @overload
    async def import_(
        self,
        payload: Dhis2Model | Mapping[str, JsonValue],
        *,
        import_mode: ImportMode = ...,
        import_strategy: ImportStrategy = ...,
        atomic_mode: AtomicMode = ...,
        async_: Literal[True],
        raise_on_error: bool = ...,
    ) -> TaskRef: ...

    async def import_(
        self,
        payload: Dhis2Model | Mapping[str, JsonValue],
        *,
        import_mode: ImportMode = "COMMIT",
        import_strategy: ImportStrategy = "CREATE_AND_UPDATE",
        atomic_mode: AtomicMode = "ALL",
        async_: bool = False,
        raise_on_error: bool = True,
    ) -> ImportReport | TaskRef:
        """POST ``payload`` to ``/api/metadata``; ``import_mode="VALIDATE"`` changes nothing."""
        body = payload.to_wire() if isinstance(payload, Dhis2Model) else dict(payload)
        params = {
            "importMode": import_mode,
            "importStrategy": import_strategy,
            "atomicMode": atomic_mode,
            "async": "true" if async_ else "false",
        }
        try:
            response = await self._client.request("POST", "/api/metadata", params=params, json=body)
            content = response.content
        except ConflictError as exc:
            # DHIS2 answers a failed import with 409 and the import report in the WebMessage.
            if exc.web_message is None or not exc.web_message.raw:
                raise
            report = ImportReportResponse.model_validate(exc.web_message.raw).response
            if report is None:
                raise
            if raise_on_error:
                raise MetadataImportError(report) from exc
            return report
        if async_:
            ref = WebMessageResponse.model_validate_json(content).task_ref()
            if ref is None:
                raise ResponseShapeError(
                    "POST /api/metadata?async=true answered without a job reference "
                    "(response.jobType/id); is the server older than DHIS2 2.36?"
                )
            return ref
        answer = ImportReportResponse.model_validate_json(content)
        # Older servers answer the import report itself, not wrapped in a WebMessage.
        report = answer.response or ImportReport.model_validate_json(content)
        if raise_on_error and report.status == "ERROR":
            raise MetadataImportError(report)
        return report

    async def export(
        self,
        *,
        types: Sequence[str] | None = None,
        fields: str = ":owner",
        type_fields: Mapping[str, str] | None = None,
        filters: Sequence[str] = (),
    ) -> MetadataT:
        """GET ``/api/metadata`` as the typed ``Metadata``.

        ``types`` picks collection keys (``["dataElements", "categoryCombos"]``; all when
        ``None``), ``fields`` is the selection for every type (``:owner`` by default, what an
        import needs), ``type_fields`` per type (``{"dataElements": "id,name"}``) and
        ``filters`` DHIS2 metadata filters (``"dataElements:name:ilike:ANC"``).
        """
        params: dict[str, str | Sequence[str]] = {"fields": fields}
        for key in types or ():
            params[key] = "true"
        for key, selection in (type_fields or {}).items():
            params[f"{key}:fields"] = selection
        if filters:
            params["filter"] = list(filters)
        return await self._client.get("/api/metadata", model=self.model, params=params)
