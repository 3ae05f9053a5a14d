"""Every error the runtime raises, and the one function that maps an HTTP response to one.

Stage: runtime (hand-written, shared by every generated version).

The hierarchy::

    Dhis2ClientError                      anything this package raises on purpose
    ├── Dhis2ApiError                     the server answered with a 4xx/5xx status
    │   ├── BadRequestError               400
    │   ├── AuthenticationError           401: credentials missing, wrong or expired
    │   │   └── TokenEndpointError        the OAuth2 token endpoint refused, failed or did not
    │   │                                 answer (also an OAuth2FlowError)
    │   ├── PermissionDeniedError         403
    │   ├── NotFoundError                 404
    │   ├── ConflictError                 409: DHIS2's usual answer to invalid metadata
    │   ├── RateLimitError                429
    │   └── ServerError                   5xx
    ├── Dhis2TransportError               no usable HTTP response (connection refused, reset, …)
    │   └── Dhis2TimeoutError             connect, read, write or pool timeout
    ├── ResponseShapeError                a 2xx/3xx answer that is not what the call expects
    │   └── ResponseTooLargeError         a body (any status) beyond max_body_size, unread
    ├── CrossOriginError                  a URL on another origin than base_url (never sent)
    ├── OAuth2FlowError                   OAuth2 misused (sync client, relative token URL unbound)
    ├── UnsupportedVersionError           no generated version fits the server's DHIS2 version
    ├── NotConnectedError                 a request before ``connect()`` or after ``close()``
    ├── TaskError                         a followed DHIS2 job completed with an ERROR
    │   └── TaskTimeoutError              a followed DHIS2 job did not complete in time
    ├── NoProfileError                    no connection profile could be found
    ├── DataValueError                    a data value refused before sending (also a ValueError)
    ├── DataValueImportError              conflicts, with ``raise_on_conflict=True`` only
    ├── MissingExtraError                 to_pandas() & co. without the library (an ImportError)
    └── InvalidProfileNameError           a profile name breaks the naming rule (also a ValueError)

The three data side errors live beside what raises them (``_data_value``, ``_import_summary``,
``_analytics``).

``error_from_response`` is the only place that chooses an ``Dhis2ApiError`` subclass. It keeps
DHIS2's WebMessage body (``status``, ``message``, ``errorCode``, nested ``errorReports``) parsed
on the error, and every message ends with what the user can try next. Messages never contain
credentials: they are built from the method, the URL without user info, and the response body.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from pydantic import JsonValue

    from ._tasks import TaskCompletion, TaskNotification, TaskRef

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "CrossOriginError",
    "Dhis2ApiError",
    "Dhis2ClientError",
    "Dhis2TimeoutError",
    "Dhis2TransportError",
    "ErrorReport",
    "InvalidProfileNameError",
    "NoProfileError",
    "NotConnectedError",
    "NotFoundError",
    "OAuth2FlowError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseShapeError",
    "ResponseTooLargeError",
    "ServerError",
    "TaskError",
    "TaskTimeoutError",
    "TokenEndpointError",
    "UnsupportedVersionError",
    "WebMessage",
    "error_from_response",
]

# DHIS2 nests errorReports under response/typeReports/objectReports (metadata import) or under
# validationReport (tracker). Walking the whole body finds them all; the cap keeps a pathological
# body from costing much.
_MAX_ERROR_REPORTS = 200


class Dhis2ClientError(Exception):
    """Base class of every error raised on purpose by the DHIS2 runtime."""


@dataclass(frozen=True, slots=True)
class ErrorReport:
    """One entry of a DHIS2 ``errorReports`` list (metadata import, object or tracker report)."""

    message: str
    error_code: str | None = None
    main_klass: str | None = None
    error_klass: str | None = None
    error_property: str | None = None
    error_properties: tuple[str, ...] = ()
    uid: str | None = None
    tracker_type: str | None = None
    args: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ErrorReport:
        """Build a report from one raw ``errorReports`` item, ignoring keys it does not know."""
        return cls(
            message=str(data.get("message", "")),
            error_code=_opt_str(data.get("errorCode")),
            main_klass=_opt_str(data.get("mainKlass")),
            error_klass=_opt_str(data.get("errorKlass")),
            error_property=_opt_str(data.get("errorProperty")),
            error_properties=_str_tuple(data.get("errorProperties")),
            uid=_opt_str(data.get("uid")),
            tracker_type=_opt_str(data.get("trackerType")),
            args=_str_tuple(data.get("args")),
        )

    def to_json(self) -> dict[str, JsonValue]:
        """The report with DHIS2's keys (the ones it had; empty ones left out)."""
        pairs: tuple[tuple[str, str | tuple[str, ...] | None], ...] = (
            ("message", self.message),
            ("errorCode", self.error_code),
            ("mainKlass", self.main_klass),
            ("errorKlass", self.error_klass),
            ("errorProperty", self.error_property),
            ("errorProperties", self.error_properties),
            ("uid", self.uid),
            ("trackerType", self.tracker_type),
            ("args", self.args),
        )
        out: dict[str, JsonValue] = {}
        for key, value in pairs:
            if isinstance(value, tuple):
                if value:
                    out[key] = list(value)
            elif value is not None:
                out[key] = value
        return out

    def __str__(self) -> str:
        code = f"{self.error_code}: " if self.error_code else ""
        where = f" [{self.error_property}]" if self.error_property else ""
        return f"{code}{self.message}{where}"


@dataclass(frozen=True, slots=True)
class WebMessage:
    """DHIS2's standard response envelope (``httpStatus``, ``status``, ``message``, …), parsed.

    ``raw`` keeps the whole body as the server sent it; ``error_reports`` collects every
    ``errorReports`` item found anywhere inside it.
    """

    raw: dict[str, Any]
    http_status: str | None = None
    http_status_code: int | None = None
    status: str | None = None
    message: str | None = None
    dev_message: str | None = None
    error_code: str | None = None
    error_reports: tuple[ErrorReport, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WebMessage:
        """Parse a WebMessage (or any DHIS2 JSON error body) without ever failing."""
        code = data.get("httpStatusCode")
        return cls(
            raw=data,
            http_status=_opt_str(data.get("httpStatus")),
            http_status_code=code if isinstance(code, int) else None,
            status=_opt_str(data.get("status")),
            message=_opt_str(data.get("message")),
            dev_message=_opt_str(data.get("devMessage")),
            error_code=_opt_str(data.get("errorCode")),
            error_reports=tuple(_find_error_reports(data)),
        )


class Dhis2ApiError(Dhis2ClientError):
    """The server answered with an error status; the parsed WebMessage body is kept.

    Attributes: ``status_code``, ``message`` (DHIS2's own message, or the HTTP reason),
    ``web_message`` (``None`` when the body was not JSON), ``error_reports``, ``method``, ``url``.
    """

    hint = "Check the request against the DHIS2 API documentation for this version."

    def __init__(
        self,
        *,
        status_code: int,
        message: str,
        method: str,
        url: str,
        web_message: WebMessage | None = None,
        body_text: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.message = message
        self.method = method
        self.url = url
        self.web_message = web_message
        self.body_text = body_text
        super().__init__(self._render())

    @property
    def error_reports(self) -> tuple[ErrorReport, ...]:
        """Every DHIS2 ``errorReports`` item found in the body (empty when there were none)."""
        return self.web_message.error_reports if self.web_message else ()

    @property
    def error_code(self) -> str | None:
        """DHIS2's top-level ``errorCode`` (for example ``E1005``), when the body had one."""
        return self.web_message.error_code if self.web_message else None

    def _render(self) -> str:
        code = f" ({self.error_code})" if self.error_code else ""
        lines = [f"{self.method} {self.url} failed with {self.status_code}: {self.message}{code}"]
        reports = self.error_reports
        lines.extend(f"  - {report}" for report in reports[:10])
        if len(reports) > 10:
            lines.append(f"  … and {len(reports) - 10} more (see .error_reports)")
        lines.append(self.hint)
        return "\n".join(lines)


class BadRequestError(Dhis2ApiError):
    """400: DHIS2 could not understand the request (bad parameter, filter or JSON)."""

    hint = "Check the query parameters (fields=, filter=, paging) and the JSON body."


class AuthenticationError(Dhis2ApiError):
    """401: the credentials are missing, wrong or expired."""

    hint = (
        "Check the credentials: username and password for BasicAuth, a current token for "
        "PatAuth (tokens expire and may be limited to some IPs, methods or referrers), or the "
        "OAuth2 client id, secret and grant."
    )


class PermissionDeniedError(Dhis2ApiError):
    """403: the user is known but lacks the authority or sharing for this object."""

    hint = "Ask a DHIS2 administrator for the needed authority or sharing, or use another user."


class NotFoundError(Dhis2ApiError):
    """404: no such endpoint or object (or the user cannot see it)."""

    hint = (
        "Check the path, the UID and that the endpoint exists in this DHIS2 version; objects the "
        "user cannot read are reported as not found too."
    )


class ConflictError(Dhis2ApiError):
    """409: DHIS2 refused the change; ``error_reports`` says which objects and properties."""

    hint = "Fix the objects and properties listed above and send the request again."


class RateLimitError(Dhis2ApiError):
    """429: too many requests; retries were used up or disabled."""

    hint = "Slow down: pass rate_limit= to Dhis2Client, or a RetryPolicy with more attempts."


class ServerError(Dhis2ApiError):
    """5xx: the server (or a proxy in front of it) failed."""

    hint = (
        "The server failed, not the request: retry later (RetryPolicy retries 502/503/504 for "
        "idempotent requests) and check the DHIS2 server log if it persists."
    )


class Dhis2TransportError(Dhis2ClientError):
    """No usable HTTP response: the connection failed, broke or the protocol was violated.

    The original httpx exception is the ``__cause__``.
    """

    def __init__(self, method: str, url: str, reason: str, hint: str | None = None) -> None:
        self.method = method
        self.url = url
        self.reason = reason
        hint = hint or (
            "Check that the base URL is right and the server is reachable; transient failures "
            "are retried by RetryPolicy (pass retry_policy= to raise max_attempts)."
        )
        super().__init__(f"{method} {url} failed: {reason}\n{hint}")


class Dhis2TimeoutError(Dhis2TransportError):
    """A connect, read, write or pool timeout expired."""


class ResponseShapeError(Dhis2ClientError):
    """The server answered 2xx with a body of another shape than the call expects (a list of
    another collection, an HTML page, …); the message names the request and what came back."""


class ResponseTooLargeError(ResponseShapeError):
    """A response body (of any status) grew past ``max_body_size`` bytes once decompressed.

    Reading stopped there, so neither the body nor a decompression bomb is held in memory.
    Attributes: ``method``, ``url``, ``status_code``, ``limit`` (the ``max_body_size`` in bytes).
    """

    def __init__(self, method: str, url: str, status_code: int, limit: int) -> None:
        self.method = method
        self.url = url
        self.status_code = status_code
        self.limit = limit
        super().__init__(
            f"{method} {url} answered {status_code} with a body larger than max_body_size="
            f"{_bytes(limit)} once decompressed; reading stopped there. "
            "If such a body is expected, pass a larger Dhis2Client(max_body_size=...), or read "
            "it piece by piece with client.stream(path), which holds no whole body in memory."
        )


class CrossOriginError(Dhis2ClientError, ValueError):
    """A request to a URL whose origin (scheme, host, port) is not the client's ``base_url``.

    It is refused before anything is sent, so that credentials never reach another host (a
    ``pager.nextPage`` link or a redirect a hostile server made up).
    """


class OAuth2FlowError(Dhis2ClientError):
    """OAuth2 cannot work as set up (a sync client, a relative token URL without a base URL).

    Failures of the token endpoint itself are ``TokenEndpointError``, a subclass.
    """


class TokenEndpointError(AuthenticationError, OAuth2FlowError):
    """The OAuth2 token endpoint refused the grant, failed, did not answer, or sent no token.

    ``url`` is the token endpoint and ``grant`` the grant type asked for; ``status_code`` is the
    endpoint's HTTP status, or 0 when no answer came (then ``reason`` says why and
    ``__cause__`` is the httpx error); ``oauth_error`` and ``message`` are the RFC 6749
    ``error`` and ``error_description`` when the body had them. Built from the URL, the grant
    type and the answer only: the client secret and the password are never part of it.
    """

    def __init__(
        self,
        summary: str,
        *,
        hint: str,
        url: str,
        grant: str,
        status_code: int = 0,
        message: str = "",
        oauth_error: str | None = None,
        reason: str | None = None,
        body_text: str | None = None,
    ) -> None:
        self.summary = summary
        self.hint = hint
        self.grant = grant
        self.oauth_error = oauth_error
        self.reason = reason
        super().__init__(
            status_code=status_code,
            message=message or reason or summary,
            method="POST",
            url=url,
            body_text=body_text,
        )

    @property
    def token_url(self) -> str:
        """The token endpoint that failed (the same as ``url``)."""
        return self.url

    def _render(self) -> str:
        return f"{self.summary} {self.hint}"


class UnsupportedVersionError(Dhis2ClientError):
    """No generated version of the SDK can serve the server's DHIS2 version."""

    def __init__(self, message: str, *, server_version: str | None, available: tuple[str, ...]):
        self.server_version = server_version
        self.available = available
        super().__init__(message)


class NotConnectedError(Dhis2ClientError):
    """A request was made before ``connect()`` or after ``close()``."""


class TaskError(Dhis2ClientError):
    """A DHIS2 background job completed with an ERROR notification.

    ``ref`` names the job; ``notifications`` are those seen, oldest first; ``completion`` is the
    whole ``TaskCompletion`` (its ``final`` notification says what failed).
    """

    def __init__(
        self,
        message: str,
        *,
        ref: TaskRef | None = None,
        notifications: Sequence[TaskNotification] = (),
        completion: TaskCompletion | None = None,
    ) -> None:
        self.ref = ref
        self.notifications: tuple[TaskNotification, ...] = tuple(notifications)
        self.completion = completion
        super().__init__(message)


class TaskTimeoutError(TaskError):
    """A DHIS2 background job did not report ``completed`` before the deadline.

    ``completion`` is ``None``; ``notifications`` holds the progress seen until then.
    """


class NoProfileError(Dhis2ClientError):
    """No connection profile was given and none could be read from the environment."""


class InvalidProfileNameError(Dhis2ClientError, ValueError):
    """A profile name is not a letter followed by letters, digits or underscores (max 64)."""


_STATUS_ERRORS: dict[int, type[Dhis2ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def error_class_for_status(status_code: int) -> type[Dhis2ApiError]:
    """The ``Dhis2ApiError`` subclass raised for an HTTP status code."""
    if status_code >= 500:
        return ServerError
    return _STATUS_ERRORS.get(status_code, Dhis2ApiError)


def error_from_response(
    status_code: int,
    body: bytes,
    *,
    method: str,
    url: str,
    reason: str = "",
) -> Dhis2ApiError:
    """Map an HTTP error status and its (WebMessage) body to the matching ``Dhis2ApiError``.

    ``url`` must already be free of credentials. Non-JSON bodies are kept (shortened) as
    ``body_text``; DHIS2's own ``message`` is preferred over the HTTP reason phrase.
    """
    web_message: WebMessage | None = None
    body_text: str | None = None
    data = _parse_json_object(body)
    if data is not None:
        web_message = WebMessage.from_json(data)
        message = web_message.message or _opt_str(data.get("error_description")) or reason
    else:
        body_text = body[:500].decode("utf-8", errors="replace").strip() or None
        message = reason
    if not message:
        message = body_text or "no error message in the response"
    return error_class_for_status(status_code)(
        status_code=status_code,
        message=message,
        method=method,
        url=url,
        web_message=web_message,
        body_text=body_text,
    )


def _parse_json_object(body: bytes) -> dict[str, Any] | None:
    if not body.strip():
        return None
    try:
        data: object = json.loads(body)
    except ValueError:
        return None
    return cast(dict[str, Any], data) if isinstance(data, dict) else None


def _find_error_reports(data: object) -> Iterator[ErrorReport]:
    """Yield the ``errorReports`` items found anywhere in a JSON value (capped)."""
    return islice(_walk_reports(data, 0), _MAX_ERROR_REPORTS)


def _walk_reports(data: object, depth: int) -> Iterator[ErrorReport]:
    if depth > 12:
        return
    if isinstance(data, dict):
        mapping = cast(dict[str, object], data)
        for key, value in mapping.items():
            if key == "errorReports" and isinstance(value, list):
                for item in cast(list[object], value):
                    if isinstance(item, dict):
                        yield ErrorReport.from_json(cast(dict[str, Any], item))
            else:
                yield from _walk_reports(value, depth + 1)
    elif isinstance(data, list):
        for value in cast(list[object], data):
            yield from _walk_reports(value, depth + 1)


def _str_tuple(value: object) -> tuple[str, ...]:
    return tuple(str(item) for item in cast(list[object], value)) if isinstance(value, list) else ()


def _bytes(count: int) -> str:
    mib = f" ({count / 2**20:g} MiB)" if count >= 2**20 else ""
    return f"{count} bytes{mib}"


def _opt_str(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)
