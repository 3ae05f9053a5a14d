"""The hand-written runtime every generated ``dhis2_sdk`` package carries.

Stage: runtime (not generated). The generator copies this folder verbatim into
``dhis2_sdk/runtime/``; it is checked by ruff and pyright where it stands.

Importing this package is cheap on purpose: generated model modules import
``runtime.model`` and must not pay for httpx. Public names load on first access
(PEP 562); ``_EXPORTS`` maps each public name to the module that defines it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .auth import BasicAuth as BasicAuth
    from .auth import Dhis2Auth as Dhis2Auth
    from .auth import OAuth2Auth as OAuth2Auth
    from .auth import PatAuth as PatAuth
    from .client import DEFAULT_LIMITS as DEFAULT_LIMITS
    from .client import Dhis2Client as Dhis2Client
    from .client import Params as Params
    from .errors import AuthenticationError as AuthenticationError
    from .errors import BadRequestError as BadRequestError
    from .errors import ConflictError as ConflictError
    from .errors import Dhis2ApiError as Dhis2ApiError
    from .errors import Dhis2ClientError as Dhis2ClientError
    from .errors import Dhis2TimeoutError as Dhis2TimeoutError
    from .errors import Dhis2TransportError as Dhis2TransportError
    from .errors import ErrorReport as ErrorReport
    from .errors import InvalidProfileNameError as InvalidProfileNameError
    from .errors import NoProfileError as NoProfileError
    from .errors import NotConnectedError as NotConnectedError
    from .errors import NotFoundError as NotFoundError
    from .errors import OAuth2FlowError as OAuth2FlowError
    from .errors import PermissionDeniedError as PermissionDeniedError
    from .errors import RateLimitError as RateLimitError
    from .errors import ServerError as ServerError
    from .errors import TaskError as TaskError
    from .errors import TaskTimeoutError as TaskTimeoutError
    from .errors import UnsupportedVersionError as UnsupportedVersionError
    from .errors import WebMessage as WebMessage
    from .errors import error_from_response as error_from_response
    from .lazy import LazyModels as LazyModels
    from .model import Dhis2DateTime as Dhis2DateTime
    from .model import Dhis2Enum as Dhis2Enum
    from .model import Dhis2Model as Dhis2Model
    from .model import Reference as Reference
    from .paging import Page as Page
    from .paging import Pager as Pager
    from .profiles import AuthKind as AuthKind
    from .profiles import Profile as Profile
    from .profiles import open_client as open_client
    from .profiles import profile_from_env_raw as profile_from_env_raw
    from .profiles import validate_profile_name as validate_profile_name
    from .ratelimit import RateLimitTransport as RateLimitTransport
    from .ratelimit import TokenBucket as TokenBucket
    from .retry import RetryPolicy as RetryPolicy
    from .retry import RetryTransport as RetryTransport
    from .streaming import ResponseStream as ResponseStream
    from .system import Me as Me
    from .system import SystemApi as SystemApi
    from .system import SystemInfo as SystemInfo
    from .tasks import JobRef as JobRef
    from .tasks import TaskNotification as TaskNotification
    from .tasks import TasksApi as TasksApi
    from .uids import UID_RE as UID_RE
    from .uids import generate_uid as generate_uid
    from .uids import generate_uids as generate_uids
    from .uids import is_valid_uid as is_valid_uid
    from .versions import DhisVersion as DhisVersion
    from .versions import GeneratedVersion as GeneratedVersion
    from .versions import available_versions as available_versions
    from .versions import load_version as load_version
    from .versions import parse_version as parse_version
    from .versions import select_version as select_version

_EXPORTS: dict[str, str] = {
    "AuthKind": "profiles",
    "AuthenticationError": "errors",
    "BadRequestError": "errors",
    "BasicAuth": "auth",
    "ConflictError": "errors",
    "DEFAULT_LIMITS": "client",
    "Dhis2ApiError": "errors",
    "Dhis2Auth": "auth",
    "Dhis2Client": "client",
    "Dhis2ClientError": "errors",
    "Dhis2DateTime": "model",
    "Dhis2Enum": "model",
    "Dhis2Model": "model",
    "Dhis2TimeoutError": "errors",
    "Dhis2TransportError": "errors",
    "DhisVersion": "versions",
    "ErrorReport": "errors",
    "GeneratedVersion": "versions",
    "InvalidProfileNameError": "errors",
    "JobRef": "tasks",
    "LazyModels": "lazy",
    "Me": "system",
    "NoProfileError": "errors",
    "NotConnectedError": "errors",
    "NotFoundError": "errors",
    "OAuth2Auth": "auth",
    "OAuth2FlowError": "errors",
    "Params": "client",
    "PatAuth": "auth",
    "PermissionDeniedError": "errors",
    "Profile": "profiles",
    "RateLimitError": "errors",
    "RateLimitTransport": "ratelimit",
    "Reference": "model",
    "Page": "paging",
    "Pager": "paging",
    "ResponseStream": "streaming",
    "RetryPolicy": "retry",
    "RetryTransport": "retry",
    "ServerError": "errors",
    "SystemApi": "system",
    "SystemInfo": "system",
    "TaskError": "errors",
    "TaskNotification": "tasks",
    "TaskTimeoutError": "errors",
    "TasksApi": "tasks",
    "TokenBucket": "ratelimit",
    "UID_RE": "uids",
    "UnsupportedVersionError": "errors",
    "WebMessage": "errors",
    "available_versions": "versions",
    "error_from_response": "errors",
    "generate_uid": "uids",
    "generate_uids": "uids",
    "is_valid_uid": "uids",
    "load_version": "versions",
    "open_client": "profiles",
    "parse_version": "versions",
    "profile_from_env_raw": "profiles",
    "select_version": "versions",
    "validate_profile_name": "profiles",
}

__all__ = [
    "DEFAULT_LIMITS",
    "UID_RE",
    "AuthKind",
    "AuthenticationError",
    "BadRequestError",
    "BasicAuth",
    "ConflictError",
    "Dhis2ApiError",
    "Dhis2Auth",
    "Dhis2Client",
    "Dhis2ClientError",
    "Dhis2DateTime",
    "Dhis2Enum",
    "Dhis2Model",
    "Dhis2TimeoutError",
    "Dhis2TransportError",
    "DhisVersion",
    "ErrorReport",
    "GeneratedVersion",
    "InvalidProfileNameError",
    "JobRef",
    "LazyModels",
    "Me",
    "NoProfileError",
    "NotConnectedError",
    "NotFoundError",
    "OAuth2Auth",
    "OAuth2FlowError",
    "Page",
    "Pager",
    "Params",
    "PatAuth",
    "PermissionDeniedError",
    "Profile",
    "RateLimitError",
    "RateLimitTransport",
    "Reference",
    "ResponseStream",
    "RetryPolicy",
    "RetryTransport",
    "ServerError",
    "SystemApi",
    "SystemInfo",
    "TaskError",
    "TaskNotification",
    "TaskTimeoutError",
    "TasksApi",
    "TokenBucket",
    "UnsupportedVersionError",
    "WebMessage",
    "available_versions",
    "error_from_response",
    "generate_uid",
    "generate_uids",
    "is_valid_uid",
    "load_version",
    "open_client",
    "parse_version",
    "profile_from_env_raw",
    "select_version",
    "validate_profile_name",
]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
