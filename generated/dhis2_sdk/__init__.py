"""dhis2-sdk: typed async DHIS2 client and pydantic models, one subpackage per DHIS2 version.

``from dhis2_sdk import Dhis2Client`` for the runtime (client, auth, errors, UIDs, profiles);
``from dhis2_sdk.v42 import DataElement`` for the models of one version.

Hand-written, like ``runtime/`` beside it; the generator writes only the ``vNN`` packages.
``import dhis2_sdk`` and ``import dhis2_sdk.v42`` load neither httpx nor pydantic: the first
public name you use imports the runtime (PEP 562).
"""

import importlib
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from .runtime._analytics import *
    from .runtime._auth import *
    from .runtime._bodies import *
    from .runtime._client import *
    from .runtime._data_value import *
    from .runtime._data_values import *
    from .runtime._dhis2_version import *
    from .runtime._errors import *
    from .runtime._gc import *
    from .runtime._import_summary import *
    from .runtime._json_stream import *
    from .runtime._lazy import *
    from .runtime._metadata import *
    from .runtime._model import *
    from .runtime._paging import *
    from .runtime._patch import *
    from .runtime._periods import *
    from .runtime._profiles import *
    from .runtime._query import *
    from .runtime._ratelimit import *
    from .runtime._resources import *
    from .runtime._responses import *
    from .runtime._retry import *
    from .runtime._streaming import *
    from .runtime._system import *
    from .runtime._tasks import *
    from .runtime._tracker import *
    from .runtime._tracker_models import *
    from .runtime._uids import *
    from .runtime._versions import *

__version__: Final = "0.1.0"
"""The one source of the package version (``pyproject.toml`` reads it from here)."""

_RUNTIME_MODULES: Final = (
    ".runtime._analytics",
    ".runtime._auth",
    ".runtime._bodies",
    ".runtime._client",
    ".runtime._data_value",
    ".runtime._data_values",
    ".runtime._dhis2_version",
    ".runtime._errors",
    ".runtime._gc",
    ".runtime._import_summary",
    ".runtime._json_stream",
    ".runtime._lazy",
    ".runtime._metadata",
    ".runtime._model",
    ".runtime._paging",
    ".runtime._patch",
    ".runtime._periods",
    ".runtime._profiles",
    ".runtime._query",
    ".runtime._ratelimit",
    ".runtime._resources",
    ".runtime._responses",
    ".runtime._retry",
    ".runtime._streaming",
    ".runtime._system",
    ".runtime._tasks",
    ".runtime._tracker",
    ".runtime._tracker_models",
    ".runtime._uids",
    ".runtime._versions",
)

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_BODY_SIZE",
    "UID_RE",
    "AnalyticsApi",
    "AnalyticsHeader",
    "AnalyticsMetaData",
    "AnalyticsResponse",
    "AttributeValue",
    "AuthKind",
    "AuthenticationError",
    "BadRequestError",
    "BasicAuth",
    "BinaryOperator",
    "ConflictError",
    "CrossOriginError",
    "DataValue",
    "DataValueError",
    "DataValueImportError",
    "DataValuesApi",
    "Dhis2ApiError",
    "Dhis2Auth",
    "Dhis2Client",
    "Dhis2ClientError",
    "Dhis2DateTime",
    "Dhis2Enum",
    "Dhis2Int",
    "Dhis2Model",
    "Dhis2Number",
    "Dhis2Text",
    "Dhis2TimeoutError",
    "Dhis2TransportError",
    "DhisVersion",
    "DimensionalObject",
    "Enrollment",
    "ErrorReport",
    "Event",
    "EventDataValue",
    "FieldSelection",
    "FilterSpec",
    "GeneratedVersion",
    "Geometry",
    "ImportConflict",
    "ImportCount",
    "ImportReport",
    "ImportReportResponse",
    "ImportStats",
    "ImportSummary",
    "InvalidProfileNameError",
    "LazyModels",
    "Me",
    "MeResource",
    "MetadataApi",
    "MetadataImportError",
    "MissingExtraError",
    "NoProfileError",
    "NotConnectedError",
    "NotFoundError",
    "OAuth2Auth",
    "OAuth2FlowError",
    "ObjectError",
    "ObjectReport",
    "ObjectReportResponse",
    "OrderSpec",
    "Page",
    "Pager",
    "Params",
    "PatAuth",
    "PatchOperation",
    "PermissionDeniedError",
    "Profile",
    "RateLimitError",
    "RateLimitTransport",
    "Reference",
    "Resource",
    "Resources",
    "ResponseShapeError",
    "ResponseStream",
    "ResponseTooLargeError",
    "RetryPolicy",
    "RetryTransport",
    "ServerError",
    "SystemApi",
    "SystemInfo",
    "TaskCompletion",
    "TaskError",
    "TaskNotification",
    "TaskRef",
    "TaskTimeoutError",
    "TasksApi",
    "TokenBucket",
    "TokenEndpointError",
    "TrackedEntity",
    "TrackedEntityAttributeValue",
    "TrackerApi",
    "TrackerBundleReport",
    "TrackerErrorReport",
    "TrackerImportReport",
    "TrackerObjectReport",
    "TrackerStats",
    "TrackerTypeReport",
    "TrackerValidationReport",
    "Translation",
    "TypeReport",
    "UnaryOperator",
    "UnsupportedVersionError",
    "WebMessage",
    "WebMessageResponse",
    "available_versions",
    "error_from_response",
    "gc_paused",
    "generate_uid",
    "generate_uids",
    "is_valid_period",
    "is_valid_uid",
    "load_version",
    "open_client",
    "parse_task_ref",
    "parse_version",
    "period_type",
    "profile_from_env_raw",
    "read_dhis2_version",
    "select_version",
    "validate_profile_name",
    "wire_key",
]


def __getattr__(name: str) -> object:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # The first public name loads the whole runtime (about what Dhis2Client needs anyway);
    # each module's own __all__ says what it provides.
    for module_name in _RUNTIME_MODULES:
        module = importlib.import_module(module_name, __name__)
        for public in getattr(module, "__all__", ()):
            globals()[public] = getattr(module, public)
    return globals()[name]


def __dir__() -> list[str]:
    return list(__all__)
