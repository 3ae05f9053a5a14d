"""``Dhis2Client``: one shared connection pool, version detection, JSON and error mapping.

Stage: runtime (hand-written). Layers, outermost first, as in httpx:

``Dhis2Client`` (base URL, JSON, error mapping, concurrency permits)
→ ``HttpSession`` (``session.py``: httpx's request building, cookies and auth flow, on a
short path) → auth (``httpx.Auth`` from ``auth.py``; a fixed Basic or PAT header is set once)
→ ``RetryTransport`` (``retry.py``) → ``RateLimitTransport`` (``ratelimit.py``, optional)
→ ``BodyTransport`` (``bodies.py``: each attempt read within ``max_body_size`` and ``timeout``)
→ the pool, sized by ``http_limits``: ``httpx.AsyncHTTPTransport``, or with
``backend="aiohttp"`` an ``aiohttp`` session behind the same httpx interface (``aiohttp.py``).

One ``HttpSession`` per ``Dhis2Client`` carries every call. ``connect()`` builds it once,
reads ``/api/system/info`` and loads the matching generated ``vNN`` package through
``versions.py``; the per-version ``Dhis2Client`` subclasses generated in ``vNN/client.py`` only
set ``PINNED_VERSION``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json as jsonlib
from collections.abc import AsyncIterable, AsyncIterator, Mapping, Sequence
from types import TracebackType
from typing import Any, ClassVar, Literal, Self, TypeVar, cast

import httpx
from pydantic import BaseModel, ValidationError

from ._analytics import AnalyticsApi
from ._auth import Dhis2Auth, resolve_auth
from ._bodies import DEFAULT_MAX_BODY_SIZE, BodyTransport, check_max_body_size, mark_streamed
from ._data_values import DataValuesApi
from ._errors import (
    CrossOriginError,
    Dhis2TimeoutError,
    Dhis2TransportError,
    NotConnectedError,
    ResponseShapeError,
    error_from_response,
)
from ._gc import gc_paused
from ._metadata import MetadataApi
from ._model import Dhis2Model
from ._paging import Page, page_type
from ._ratelimit import RateLimitTransport, TokenBucket
from ._resources import Resources
from ._retry import RetryPolicy, RetryTransport
from ._session import HttpSession
from ._streaming import ResponseStream
from ._system import SystemApi
from ._tasks import TasksApi
from ._tracker import TrackerApi
from ._versions import (
    DhisVersion,
    GeneratedVersion,
    available_versions,
    load_version,
    normalize_version_key,
    parse_version,
    select_version,
)

__all__ = ["DEFAULT_LIMITS", "Dhis2Client", "Params"]

ModelT = TypeVar("ModelT", bound=BaseModel)
ItemT = TypeVar("ItemT", bound=Dhis2Model)
ResourcesT = TypeVar("ResourcesT", bound=Resources)
MetadataT = TypeVar("MetadataT", bound=Dhis2Model)

Backend = Literal["httpx", "aiohttp"]
_BACKENDS: tuple[Backend, ...] = ("httpx", "aiohttp")

_Primitive = str | int | float | bool | None
Params = Mapping[str, _Primitive | Sequence[_Primitive]]
"""Query parameters: values are strings, numbers, booleans or lists of them (repeated keys)."""

DEFAULT_LIMITS = httpx.Limits(max_connections=10, max_keepalive_connections=10)
"""Ten connections, every one kept alive (DHIS2 clients send bursts; reconnecting costs more).

Ten, not more: a small DHIS2 (a few cores behind Tomcat) answers no faster with more requests
in flight, and httpcore's CPU per request grows with its pool (measured at 50 concurrent calls
on a trivial server: 244 req/s through 10 connections, 128 through 50; aiohttp's pool showed no
difference). For a large instance pass ``http_limits=httpx.Limits(max_connections=50, …)``."""

_USER_AGENT = "dhis2-sdk (python; httpx)"
_PACKAGE = __name__.split(".")[0]
"""The package this runtime is in (``dhis2_sdk``, or a vendored copy's name), for messages."""


class _Permits:
    """At most ``limit`` requests in flight; the rest wait here in FIFO order.

    httpx's pool also queues requests beyond ``max_connections``, but its queue is scanned on
    every release, which gets slow for thousands of waiters; a semaphore in front is O(1).
    """

    __slots__ = ("_semaphore",)

    def __init__(self, limit: int | None) -> None:
        self._semaphore = asyncio.Semaphore(limit) if limit else None

    async def acquire(self) -> None:
        if self._semaphore is not None:
            await self._semaphore.acquire()

    def release(self) -> None:
        if self._semaphore is not None:
            self._semaphore.release()


class Dhis2Client:
    """An async DHIS2 API client: ``async with Dhis2Client(url, auth=...) as client: ...``.

    ``auth`` is ``BasicAuth``, ``PatAuth``, ``OAuth2Auth`` (or any ``httpx.Auth``, or a
    ``(username, password)`` tuple). ``timeout`` bounds each attempt whole, from its first byte
    sent to its last byte read, and waiting for a pooled connection; ``connect_timeout`` bounds
    opening a connection, apart from ``timeout``. ``version`` (``"v42"`` or ``"42"``) pins the
    generated version instead of detecting it; ``allow_version_fallback`` lets a newer server be
    served by the nearest lower generated version. ``retry_policy`` defaults to
    ``RetryPolicy()`` (pass ``RetryPolicy(max_attempts=1)`` for none), ``http_limits`` to
    ``DEFAULT_LIMITS``; ``rate_limit`` caps requests per second. ``transport`` replaces the
    network (an ``httpx.MockTransport`` in tests); retries and rate limit still wrap it.
    ``backend`` picks the connection pool: ``"httpx"`` (httpcore, the default) or ``"aiohttp"``
    (far less CPU per request, for bulk jobs; needs ``pip install 'dhis2-sdk[aiohttp]'``); both
    behave the same above the pool. ``headers`` are sent with every request. Requests beyond
    ``http_limits.max_connections`` (10 by default) wait for a free slot without a pool timeout:
    the pool size is the concurrency limit.

    Against a hostile or broken server: a server dripping bytes cannot stretch ``timeout``, and
    a timed-out attempt is retried like a read timeout (a GET, never a POST), so one call lasts
    at most about ``retry_policy.max_attempts`` times ``timeout``, plus backoff and connecting.
    A ``stream()`` body is bounded by the per-read timeout only: a stream is for bodies that
    may rightly take long. ``max_body_size`` (``DEFAULT_MAX_BODY_SIZE``, 512 MiB) caps every
    body read into memory, after decompression, error bodies included
    (``ResponseTooLargeError``); ``stream()`` has no size limit and yields chunks of at most
    64 KiB. A GET whose body is cut off mid-transfer is retried like a dropped connection.
    """

    PINNED_VERSION: ClassVar[str | None] = None
    """Set by the generated per-version subclasses (``"v42"``); the default for ``version=``."""

    def __init__(
        self,
        base_url: str,
        auth: httpx.Auth | tuple[str, str] | None = None,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 60.0,
        allow_version_fallback: bool = False,
        version: str | None = None,
        retry_policy: RetryPolicy | None = None,
        http_limits: httpx.Limits | None = None,
        rate_limit: float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
        backend: Backend = "httpx",
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    ) -> None:
        _check_backend(backend, transport)
        url = httpx.URL(base_url.rstrip("/") + "/")
        if not url.is_absolute_url:
            raise ValueError(
                f"base_url must be absolute, like 'https://dhis2.example.org', got {base_url!r}"
            )
        if url.userinfo:
            raise ValueError(
                "Do not put credentials in base_url (they would leak into logs and errors): "
                "pass auth=BasicAuth(username, password) or auth=PatAuth(token) instead."
            )
        self.base_url = url
        self.auth: httpx.Auth | None = resolve_auth(auth)
        if isinstance(self.auth, Dhis2Auth):
            self.auth.bind(url, self._send_without_auth)
        self.timeout: httpx.Timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self.allow_version_fallback = allow_version_fallback
        pinned = self.PINNED_VERSION
        if version is not None:
            wanted = normalize_version_key(version)
            if pinned is not None and normalize_version_key(pinned) != wanted:
                raise ValueError(
                    f"{type(self).__qualname__} is generated for {pinned}; for {wanted} use "
                    f"{_PACKAGE}.{wanted}.Dhis2Client or the untyped {_PACKAGE}.Dhis2Client."
                )
            pinned = wanted
        self.pinned_version: str | None = None if pinned is None else normalize_version_key(pinned)
        self.retry_policy: RetryPolicy = retry_policy if retry_policy is not None else RetryPolicy()
        self.http_limits: httpx.Limits = http_limits if http_limits is not None else DEFAULT_LIMITS
        self.rate_limit = rate_limit
        self.max_body_size: int = check_max_body_size(max_body_size)
        self._transport = transport
        self.backend: Backend = backend
        self._headers = {"User-Agent": _USER_AGENT, "Accept": "application/json", **(headers or {})}
        self._http: HttpSession | None = None
        self._permits = _Permits(self.http_limits.max_connections)
        self._connect_lock = asyncio.Lock()
        self._version: GeneratedVersion | None = None
        self.server_version: DhisVersion | None = None
        self.version_key: str | None = None
        """The generated version in use (``"v42"``), set by ``connect()``."""
        self.raw_version: str | None = None
        """The server's own version string (``"2.42.4-SNAPSHOT"``), set by ``connect()``."""
        self._system: SystemApi | None = None
        self._tasks: TasksApi | None = None
        self._resources: Resources | None = None
        self._metadata: MetadataApi[Dhis2Model] | None = None
        self._data_values: DataValuesApi | None = None
        self._analytics: AnalyticsApi | None = None
        self._tracker: TrackerApi | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def _build_http(self) -> HttpSession:
        transport: httpx.AsyncBaseTransport = self._transport or self._build_pool()
        transport = BodyTransport(
            transport,
            max_body_size=self.max_body_size,
            timeout=self.timeout,
            sends_at_once=self.backend == "aiohttp",  # never with transport= (refused)
        )
        if self.rate_limit is not None:
            transport = RateLimitTransport(transport, TokenBucket(self.rate_limit))
        transport = RetryTransport(transport, self.retry_policy)
        return HttpSession(
            self.base_url,
            auth=self.auth,
            timeout=self.timeout,
            transport=transport,
            headers=self._headers,
        )

    def _build_pool(self) -> httpx.AsyncBaseTransport:
        if self.backend == "aiohttp":
            from ._aiohttp import AiohttpTransport  # imports aiohttp: only for this backend

            return AiohttpTransport(self.http_limits)
        return httpx.AsyncHTTPTransport(limits=self.http_limits)

    async def connect(self) -> Self:
        """Open the connection pool (once), read the server's version, load its models.

        Calling it again is safe: it refreshes the system info and the version choice.
        Raises ``UnsupportedVersionError`` when no generated version fits.
        """
        async with self._connect_lock:
            created = self._http is None
            if self._http is None:
                self._http = self._build_http()
            try:
                info = await self.system.info(refresh=True)
                server = parse_version(info.version)
                key = select_version(
                    server,
                    available_versions(),
                    pinned=self.pinned_version,
                    allow_fallback=self.allow_version_fallback,
                )
                self._version = load_version(key)
            except BaseException:
                if created:
                    await self.close()
                raise
            self.server_version = server
            self.raw_version = info.version
            self.version_key = key
        return self

    async def close(self) -> None:
        """Close every pooled connection. The client can ``connect()`` again afterwards."""
        http, self._http = self._http, None
        if http is not None:
            await http.aclose()

    async def __aenter__(self) -> Self:
        return await self.connect()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def is_connected(self) -> bool:
        """True between ``connect()`` and ``close()``."""
        return self._http is not None

    @property
    def models(self) -> Mapping[str, type[Dhis2Model]]:
        """The loaded version's ``MODELS`` (schema name → model class), after ``connect()``."""
        return self.generated_version.models

    @property
    def generated_version(self) -> GeneratedVersion:
        """The generated ``vNN`` package serving this server, after ``connect()``."""
        if self._version is None:
            raise NotConnectedError(
                "No DHIS2 version is loaded yet: use `async with client:` or "
                "`await client.connect()` first."
            )
        return self._version

    @property
    def system(self) -> SystemApi:
        """System info (cached) and the current user."""
        if self._system is None:
            self._system = SystemApi(self)
        return self._system

    @property
    def resources(self) -> Resources:
        """Accessors of the loaded version's collections, after ``connect()``.

        Typed exactly on a pinned client (``dhis2_sdk.v42.Dhis2Client``); here the object is the
        loaded version's ``Resources`` (``client.resources.data_elements`` works) typed as the
        base class: use ``dhis2_sdk.v42.Resources(client)`` for the typed accessors, or
        ``client.resources.resource("dataElements")``.
        """
        module = self.generated_version.module
        return self._bound_resources(cast("type[Resources]", module.Resources))

    def _bound_resources(self, cls: type[ResourcesT]) -> ResourcesT:
        if not isinstance(self._resources, cls):
            self._resources = cls(self)
        return self._resources

    @property
    def metadata(self) -> MetadataApi[Dhis2Model]:
        """Typed ``/api/metadata`` import and export of the loaded version, after ``connect()``
        (exactly typed on a pinned client, ``dhis2_sdk.v42.Dhis2Client``)."""
        module = self.generated_version.module
        return self._bound_metadata(cast("type[Dhis2Model]", module.Metadata))

    def _bound_metadata(self, model: type[MetadataT]) -> MetadataApi[MetadataT]:
        if self._metadata is None or self._metadata.model is not model:
            self._metadata = cast("MetadataApi[Dhis2Model]", MetadataApi(self, model))
        return cast("MetadataApi[MetadataT]", self._metadata)

    @property
    def tasks(self) -> TasksApi:
        """Start DHIS2 background jobs and poll them until they complete."""
        if self._tasks is None:
            self._tasks = TasksApi(self)
        return self._tasks

    @property
    def data_values(self) -> DataValuesApi:
        """Aggregate data values of ``/api/dataValueSets``: streamed ``export`` and ``import_``."""
        if self._data_values is None:
            self._data_values = DataValuesApi(self)
        return self._data_values

    @property
    def analytics(self) -> AnalyticsApi:
        """``/api/analytics`` queries answered as a typed ``AnalyticsResponse``."""
        if self._analytics is None:
            self._analytics = AnalyticsApi(self)
        return self._analytics

    @property
    def tracker(self) -> TrackerApi:
        """``/api/tracker``: imports with a typed report, and paged tracked entities, enrollments
        and events."""
        if self._tracker is None:
            self._tracker = TrackerApi(self)
        return self._tracker

    # -- requests --------------------------------------------------------------------------

    async def _send_without_auth(self, request: httpx.Request) -> httpx.Response:
        """Send a request of the auth provider's own (an OAuth2 token request) through this
        client's transports (retries, rate limit, pool), without auth."""
        return await self._http_client().send(request, auth=None)

    def _http_client(self) -> HttpSession:
        if self._http is None:
            raise NotConnectedError(
                f"{type(self).__name__} is not connected: use `async with client:` or "
                "`await client.connect()` before sending requests (and not after close())."
            )
        return self._http

    def _build_request(
        self,
        method: str,
        path: str,
        params: Params | None,
        json: object,
        headers: Mapping[str, str] | None,
        content: bytes | AsyncIterable[bytes] | None = None,
    ) -> httpx.Request:
        http = self._http_client()
        self._check_origin(method, path)
        if content is not None:
            return http.build_request(method, path, params=params, content=content, headers=headers)
        if isinstance(json, BaseModel):
            content = json.model_dump_json(by_alias=True, exclude_unset=True).encode()
            merged = {"Content-Type": "application/json", **(headers or {})}
            return http.build_request(method, path, params=params, content=content, headers=merged)
        if json is None:
            return http.build_request(method, path, params=params, headers=headers)
        return http.build_request(method, path, params=params, json=json, headers=headers)

    def _check_origin(self, method: str, path: str) -> None:
        """Absolute URLs must be on ``base_url``'s origin: credentials go to no other host."""
        if path.startswith("/"):
            return  # a path has no scheme: never absolute, no need to parse it
        url = httpx.URL(path)
        if not url.is_absolute_url:
            return
        base = self.base_url
        if (url.scheme, url.host, _port(url)) != (base.scheme, base.host, _port(base)):
            raise CrossOriginError(
                f"Refusing {method} {path}: it is not on {str(base).rstrip('/')} (scheme, host "
                "and port must match), and the client's credentials go to no other server. "
                "Use a path relative to base_url, or another client for that server."
            )

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: object = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | AsyncIterable[bytes] | None = None,
    ) -> httpx.Response:
        """Send one request and return the read ``httpx.Response`` (error statuses raise).

        ``path`` is relative to ``base_url`` (``"/api/dataElements"``) or absolute (a
        ``pager.nextPage`` link). ``json`` may be a pydantic model (sent by alias); ``content``
        is a raw body instead, bytes or an async iterable of bytes (streamed, never retried).
        """
        request = self._build_request(method, path, params, json, headers, content)
        http = self._http_client()
        await self._permits.acquire()
        try:
            response = await http.send(request)
        except httpx.RequestError as exc:
            raise _transport_error(exc, request) from exc
        finally:
            self._permits.release()
        _check_redirect(request, response)
        if response.status_code >= 400:
            raise error_from_response(
                response.status_code,
                response.content,
                method=request.method,
                url=str(request.url),
                reason=response.reason_phrase,
            )
        return response

    async def get(self, path: str, *, model: type[ModelT], params: Params | None = None) -> ModelT:
        """GET ``path`` and validate the JSON body as ``model`` (straight from bytes)."""
        response = await self.request("GET", path, params=params)
        return _validate(model, response, path)

    async def get_page(
        self, path: str, *, model: type[ItemT], params: Params | None = None
    ) -> Page[ItemT]:
        """GET one page of a collection (``/api/dataElements``) as typed ``items`` and ``pager``,
        validated from the response bytes in one pass."""
        response = await self.request("GET", path, params=params)
        page = _validate(page_type(model), response, path)
        if "items" not in page.model_fields_set:
            others = [k for k, v in (page.model_extra or {}).items() if isinstance(v, list)]
            if others:
                raise ResponseShapeError(
                    f"GET {path} answered a {others[0]!r} list, not the "
                    f"{model.dhis2_plural!r} that {model.__name__} reads: pass the model of "
                    "that collection"
                )
        return page

    async def iterate(
        self,
        path: str,
        *,
        model: type[ItemT],
        params: Params | None = None,
        page_size: int = 50,
    ) -> AsyncIterator[ItemT]:
        """Every object of a collection, fetched page by page (``page``/``pageSize``)."""
        number = 1
        while True:
            query: dict[str, _Primitive | Sequence[_Primitive]] = {
                **(params or {}),
                "page": number,
                "pageSize": page_size,
            }
            page = await self.get_page(path, model=model, params=query)
            _check_pager(path, number, page)
            for item in page.items:
                yield item
            if not page.has_next:
                return
            number += 1

    async def get_raw(self, path: str, *, params: Params | None = None) -> dict[str, Any]:
        """GET ``path``; return the JSON body as a dict (any other root as ``{"data": …}``)."""
        return _decode(await self.request("GET", path, params=params))

    async def post_raw(
        self, path: str, *, params: Params | None = None, json: object = None
    ) -> dict[str, Any]:
        """POST ``json`` to ``path``; return the JSON answer as a dict (``{}`` when empty)."""
        return _decode(await self.request("POST", path, params=params, json=json))

    async def put_raw(
        self, path: str, *, params: Params | None = None, json: object = None
    ) -> dict[str, Any]:
        """PUT ``json`` to ``path``; return the JSON answer as a dict (``{}`` when empty)."""
        return _decode(await self.request("PUT", path, params=params, json=json))

    async def patch_raw(
        self, path: str, *, params: Params | None = None, json: object = None
    ) -> dict[str, Any]:
        """PATCH ``path`` (DHIS2 expects a JSON Patch list); return the answer as a dict."""
        headers = {"Content-Type": "application/json-patch+json"} if _is_list(json) else None
        return _decode(await self.request("PATCH", path, params=params, json=json, headers=headers))

    async def delete_raw(self, path: str, *, params: Params | None = None) -> dict[str, Any]:
        """DELETE ``path``; return the JSON answer as a dict (``{}`` when empty)."""
        return _decode(await self.request("DELETE", path, params=params))

    def stream(
        self,
        path: str,
        *,
        params: Params | None = None,
        method: str = "GET",
        json: object = None,
        chunk_size: int | None = None,
    ) -> ResponseStream:
        """Stream a response body as bytes chunks without holding it in memory.

        ``async for chunk in client.stream(path): ...``, or ``async with client.stream(path) as
        s:`` to see ``s.response`` headers first, then ``async for chunk in s``. Chunks are
        decompressed and at most 64 KiB (exactly ``chunk_size`` if given, but the last); the
        body has no size limit and only the per-read timeout: wrap the loop in
        ``asyncio.timeout()`` to bound it as a whole.
        """
        request = self._build_request(method, path, params, json, None)
        mark_streamed(request)
        return ResponseStream(
            opener=lambda: self._open_stream(request),
            closer=self._close_stream,
            wrap_error=lambda exc: _transport_error(exc, request),
            chunk_size=chunk_size,
        )

    async def _open_stream(self, request: httpx.Request) -> httpx.Response:
        http = self._http_client()
        await self._permits.acquire()
        try:
            response = await http.send(request, stream=True)
        except httpx.RequestError as exc:
            self._permits.release()
            raise _transport_error(exc, request) from exc
        except BaseException:
            self._permits.release()
            raise
        if 300 <= response.status_code < 400:
            await self._close_stream(response)
            _check_redirect(request, response)
        if response.status_code >= 400:
            try:
                body = await response.aread()
            finally:
                await self._close_stream(response)
            raise error_from_response(
                response.status_code,
                body,
                method=request.method,
                url=str(request.url),
                reason=response.reason_phrase,
            )
        return response

    async def _close_stream(self, response: httpx.Response) -> None:
        try:
            await response.aclose()
        finally:
            self._permits.release()

    def __repr__(self) -> str:
        version = f", version_key={self.version_key!r}" if self.version_key else ""
        return (
            f"{type(self).__name__}(base_url={str(self.base_url)!r}, auth={self.auth!r}{version})"
        )


def _check_backend(backend: str, transport: httpx.AsyncBaseTransport | None) -> None:
    if backend not in _BACKENDS:
        raise ValueError(f"backend must be 'httpx' or 'aiohttp', got {backend!r}")
    if backend == "aiohttp" and transport is not None:
        raise ValueError(
            "transport= replaces the network, so backend='aiohttp' would be ignored: "
            "pass one of them, not both."
        )
    if backend == "aiohttp" and importlib.util.find_spec("aiohttp") is None:
        raise ImportError(
            "backend='aiohttp' needs the aiohttp package, which is not installed: "
            "pip install 'dhis2-sdk[aiohttp]' (or use the default backend='httpx')."
        )


def _port(url: httpx.URL) -> int | None:
    return url.port or {"http": 80, "https": 443}.get(url.scheme)


def _check_redirect(request: httpx.Request, response: httpx.Response) -> None:
    if 300 <= response.status_code < 400:
        target = response.headers.get("Location", "?")
        raise ResponseShapeError(
            f"{request.method} {request.url} was redirected ({response.status_code}) to "
            f"{target}. DHIS2's API does not redirect; a login page or a proxy in front of it "
            "does: check base_url (the server's own address) and the credentials."
        )


def _first_bytes(content: bytes) -> str:
    return content[:120].decode("utf-8", "replace")


def _not_json(response: httpx.Response, why: str) -> ResponseShapeError:
    request = response.request
    kind = response.headers.get("Content-Type", "no content type").split(";")[0]
    return ResponseShapeError(
        f"{request.method} {request.url} answered {response.status_code} with {kind}, {why}: "
        f"{_first_bytes(response.content)!r}. Something other than DHIS2's API answered (a "
        "login page, a proxy): check base_url and the credentials."
    )


def _validate(model: type[ModelT], response: httpx.Response, path: str) -> ModelT:
    """The body as ``model``; a body of another shape is a ``ResponseShapeError``."""
    method = response.request.method
    if not response.content.strip():
        raise ResponseShapeError(
            f"{method} {path} answered {response.status_code} with an empty body, not a "
            f"{model.__name__}"
        )
    try:
        with gc_paused():  # validation frees by refcount; collections only cost time (_gc.py)
            return model.model_validate_json(response.content)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'body'}: {error['msg']}"
            for error in exc.errors(include_url=False)[:5]
        )
        raise ResponseShapeError(
            f"{method} {path} answered a body that is not a {model.__name__} ({problems}): "
            f"{_first_bytes(response.content)!r}"
        ) from exc
    except RecursionError:
        raise _not_json(response, "JSON nested too deep to read") from None


def _check_pager(path: str, number: int, page: Page[ItemT]) -> None:
    """A pager that repeats a page or promises pages it never fills ends the walk."""
    pager = page.pager
    if pager is None:
        return
    if pager.page != number:
        raise ResponseShapeError(
            f"GET {path}: asked for page {number}, the server sent page {pager.page}; "
            "stopping instead of walking the same page again"
        )
    if not page.items and page.has_next:
        raise ResponseShapeError(
            f"GET {path}: page {number} of {pager.page_count} came back empty although the "
            f"pager counts {pager.total} objects; stopping instead of requesting empty pages"
        )


def _decode(response: httpx.Response) -> dict[str, Any]:
    content = response.content
    if not content.strip():
        return {}
    try:
        data: object = jsonlib.loads(content)
    except RecursionError:
        raise _not_json(response, "JSON nested too deep to read") from None
    except ValueError:
        if response.headers.get("Content-Type", "").startswith("text/plain"):
            return {"data": response.text}  # /api/system/ping and other plain-text answers
        raise _not_json(response, "not JSON") from None
    if isinstance(data, dict):
        return cast(dict[str, Any], data)
    return {"data": data}


def _is_list(value: object) -> bool:
    """A JSON Patch document is a list (a helper, so the caller's type is not narrowed)."""
    return isinstance(value, list | tuple)


def _transport_error(exc: httpx.RequestError, request: httpx.Request) -> Dhis2TransportError:
    method, url = request.method, str(request.url)
    reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return Dhis2TimeoutError(
            method,
            url,
            reason,
            "The server did not accept a connection in time: check the URL "
            "and network, or raise connect_timeout.",
        )
    if isinstance(exc, httpx.PoolTimeout):
        return Dhis2TimeoutError(
            method,
            url,
            reason,
            "No pooled connection became free in time: raise timeout, or "
            "http_limits=httpx.Limits(max_connections=...).",
        )
    if isinstance(exc, httpx.TimeoutException):
        return Dhis2TimeoutError(
            method,
            url,
            reason,
            "The server was too slow to answer: raise timeout= (seconds), "
            "or ask for less (fields=, paging) per request.",
        )
    if isinstance(exc, httpx.ConnectError):
        return Dhis2TransportError(
            method,
            url,
            reason,
            "Could not connect: check base_url, that the server is up and "
            "reachable from here (proxy, VPN, TLS certificates).",
        )
    return Dhis2TransportError(method, url, reason)
