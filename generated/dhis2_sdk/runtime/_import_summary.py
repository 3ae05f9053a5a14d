"""The typed ``ImportSummary`` DHIS2 answers to a data value import (``/api/dataValueSets``).

Stage: runtime (hand-written). Not in ``/api/schemas``: typed by hand from DHIS2's documentation
and pinned by recorded answers (``unversioned/android-sdk-fixtures/
imports_data_value_import_summary_web_response.json`` and the conflicts of
``imports_web_response_with_import_conflicts.json``, tested in ``tests/runtime/
test_data_value_models.py``). Since DHIS2 2.38 the summary comes inside a WebMessage (with HTTP
409 and status ``WARNING`` when some values were rejected); older servers and async jobs'
summaries (``/api/system/taskSummaries/DATAVALUE_IMPORT/{uid}``) send it bare.

A conflict names the ``object`` at fault (a UID, a period, a value), why (``value``, the
message), DHIS2's ``error_code`` (``E7633``…) and ``indexes``: the positions of the rejected
values in the request, which is how a caller finds which of its values it was.
"""

from __future__ import annotations

from pydantic import Field, JsonValue

from ._errors import Dhis2ClientError
from ._responses import Dhis2Body

__all__ = ["DataValueImportError", "ImportConflict", "ImportCount", "ImportSummary"]

_SHOWN_CONFLICTS = 5


class ImportCount(Dhis2Body):
    """How many values an import stored new, changed, skipped and deleted."""

    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0


class ImportConflict(Dhis2Body):
    """One reason DHIS2 rejected values: what, why, its error code and which values."""

    object: str | None = None
    """What is at fault: a UID, a period, a value (DHIS2's ``object``)."""
    value: str | None = None
    """Why, in DHIS2's words (``Data element not found or not accessible``)."""
    error_code: str | None = None
    """DHIS2's code for the reason (``E7610``), since 2.38."""
    property_name: str | None = Field(default=None, alias="property")
    """The data value property at fault (``dataElement``, ``period``…), since 2.38."""
    objects: dict[str, str] = Field(default_factory=dict[str, str])
    """The objects involved, keyed by kind (``{"dataElement": "…"}``), since 2.38."""
    indexes: list[int] = Field(default_factory=list[int])
    """Positions (from 0) of the rejected values in the request, since 2.38."""

    def __str__(self) -> str:
        code = f"{self.error_code} " if self.error_code else ""
        where = f" (values {', '.join(map(str, self.indexes[:10]))})" if self.indexes else ""
        return f"{code}{self.object}: {self.value}{where}"


class ImportSummary(Dhis2Body):
    """What a data value import did: ``status``, ``import_count`` and ``conflicts``."""

    response_type: str | None = None
    status: str | None = None
    """``SUCCESS``; ``WARNING`` when some values were rejected; ``ERROR``."""
    description: str | None = None
    import_count: ImportCount = Field(default_factory=ImportCount)
    conflicts: list[ImportConflict] = Field(default_factory=list[ImportConflict])
    rejected_indexes: list[int] = Field(default_factory=list[int])
    """Positions (from 0) of every rejected value, since 2.38."""
    import_options: dict[str, JsonValue] | None = None
    data_set_complete: str | None = None

    @property
    def ok(self) -> bool:
        """True when DHIS2 rejected nothing (status ``SUCCESS`` and no conflicts)."""
        return self.status == "SUCCESS" and not self.conflicts


class _SummaryMessage(Dhis2Body):
    """The WebMessage around an ``ImportSummary`` (DHIS2 2.38 and later)."""

    status: str | None = None
    http_status_code: int | None = None
    message: str | None = None
    response: ImportSummary | None = None


def summary_from_body(content: bytes | str) -> ImportSummary:
    """The ``ImportSummary`` of a WebMessage body, or of a bare summary (older servers)."""
    message = _SummaryMessage.model_validate_json(content)
    if message.response is not None:
        return message.response
    return ImportSummary.model_validate_json(content)


class DataValueImportError(Dhis2ClientError):
    """A data value import with conflicts, raised only with ``raise_on_conflict=True``;
    ``.summary`` is the whole typed summary (the values without conflicts are stored)."""

    def __init__(self, summary: ImportSummary) -> None:
        count = summary.import_count
        lines = [f"  {conflict}" for conflict in summary.conflicts[:_SHOWN_CONFLICTS]]
        if len(summary.conflicts) > _SHOWN_CONFLICTS:
            more = len(summary.conflicts) - _SHOWN_CONFLICTS
            lines.append(f"  … and {more} more (see .summary.conflicts)")
        super().__init__(
            f"The data value import had conflicts (status {summary.status}: {count.imported} "
            f"imported, {count.updated} updated, {count.ignored} ignored, {count.deleted} "
            "deleted):\n" + "\n".join(lines or ["  (no conflicts listed)"]) + "\nThe values "
            "without conflicts were stored. Fix the values named above and import them again, "
            "or import with dry_run=True to check first."
        )
        self.summary = summary
