"""Typed resource accessors: ``client.resources.data_elements.get(uid)`` and the like.

Stage: runtime (hand-written). :class:`Resource` is the one generic implementation; each
generated ``vNN/resources.py`` only declares, per schema with an API endpoint, a property that
binds it to the schema's model and to the ``Literal`` of its wire property names (so that a
misspelt field, filter or order name is a pyright error). A resource imports its model on first
use, so touching ``client.resources`` loads only the models of the resources used.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar, Generic, Literal, TypeVar, cast
from urllib.parse import quote

from pydantic import JsonValue

from ._errors import Dhis2ClientError, UnsupportedVersionError
from ._model import Dhis2Model
from ._paging import Page
from ._patch import PatchOperation
from ._query import FieldSelection, FilterSpec, OrderSpec, fields_param, filter_param, order_param
from ._responses import ObjectReportResponse

if TYPE_CHECKING:
    from ._client import Dhis2Client, Params

__all__ = ["MeResource", "Resource", "Resources"]

ModelT = TypeVar("ModelT", bound=Dhis2Model)
NameT = TypeVar("NameT", bound=str)


class Resource(Generic[ModelT, NameT]):
    """One DHIS2 collection endpoint (``/api/dataElements``) bound to its model.

    ``NameT`` is the ``Literal`` of the schema's wire property names: ``fields``, ``filters``
    and ``order`` take them (typed), or a raw DHIS2 string.
    """

    def __init__(self, client: Dhis2Client, path: str, model: type[ModelT]) -> None:
        self._client = client
        self.path = path
        """The collection path, ``/api/dataElements``."""
        self.model = model
        """The model every object of this collection validates into."""

    def __repr__(self) -> str:
        return f"Resource({self.path!r}, {self.model.__name__})"

    def _object_path(self, uid: str) -> str:
        if not uid:
            raise ValueError(f"an object id is a non-empty string (a DHIS2 UID), not {uid!r}")
        return f"{self.path}/{quote(uid, safe='')}"

    async def get(self, uid: str, *, fields: FieldSelection[NameT] | None = None) -> ModelT:
        """The object with this id; ``NotFoundError`` when there is none."""
        params: dict[str, str] = {} if fields is None else {"fields": fields_param(fields)}
        return await self._client.get(self._object_path(uid), model=self.model, params=params)

    def iterate(
        self,
        *,
        fields: FieldSelection[NameT] | None = None,
        filters: Sequence[FilterSpec[NameT]] | None = None,
        order: Sequence[OrderSpec[NameT]] | str | None = None,
        root_junction: Literal["AND", "OR"] = "AND",
        page_size: int = 100,
    ) -> AsyncIterator[ModelT]:
        """Every matching object, page by page: memory holds one page at a time."""
        params = _query(fields, filters, order, root_junction)
        # The client's own page walk, returned as it is: no second generator per object.
        return self._client.iterate(self.path, model=self.model, params=params, page_size=page_size)

    async def create(self, obj: ModelT | Mapping[str, JsonValue]) -> ObjectReportResponse:
        """POST a new object (its write payload: wire keys, no read-only or unset properties,
        unknown fields kept); the answer's ``response.uid`` is the id DHIS2 gave it. Invalid
        objects raise ``ConflictError`` with DHIS2's error reports."""
        return await self._write("POST", self.path, _payload(obj))

    async def update(self, obj: ModelT) -> ObjectReportResponse:
        """PUT the whole object (``obj.id`` names it) as its write payload."""
        uid = getattr(obj, "id", None)
        if not isinstance(uid, str):
            raise ValueError(f"update() needs the object's id: set {type(obj).__name__}(id=...)")
        return await self._write("PUT", self._object_path(uid), obj.to_write_payload())

    async def patch(self, uid: str, ops: Sequence[PatchOperation]) -> ObjectReportResponse:
        """Apply JSON Patch operations (``[{"op": "replace", "path": "/name", "value": …}]``)."""
        body = [dict(op) for op in ops]
        return await self._write(
            "PATCH",
            self._object_path(uid),
            body,
            headers={"Content-Type": "application/json-patch+json"},
        )

    async def delete(self, uid: str) -> ObjectReportResponse:
        """DELETE the object; a missing one raises ``NotFoundError``."""
        return await self._write("DELETE", self._object_path(uid), None)

    async def _write(
        self,
        method: str,
        path: str,
        body: object,
        headers: Mapping[str, str] | None = None,
    ) -> ObjectReportResponse:
        response = await self._client.request(method, path, json=body, headers=headers)
        content = response.content.strip()
        return ObjectReportResponse.model_validate_json(content or b"{}")

    async def list(
        self,
        *,
        fields: FieldSelection[NameT] | None = None,
        filters: Sequence[FilterSpec[NameT]] | None = None,
        order: Sequence[OrderSpec[NameT]] | str | None = None,
        root_junction: Literal["AND", "OR"] = "AND",
        page: int = 1,
        page_size: int = 50,
        paging: bool = True,
    ) -> Page[ModelT]:
        """One page (``.items`` and DHIS2's ``.pager``); ``paging=False`` is one unpaged
        response with every matching object."""
        params = _query(fields, filters, order, root_junction)
        if paging:
            if page < 1 or page_size < 1:
                raise ValueError(f"page and page_size start at 1, got {page} and {page_size}")
            params.update({"page": page, "pageSize": page_size})
        else:
            params["paging"] = "false"
        return await self._client.get_page(self.path, model=self.model, params=params)


def _payload(obj: Dhis2Model | Mapping[str, JsonValue]) -> dict[str, JsonValue]:
    if isinstance(obj, Dhis2Model):
        return obj.to_write_payload()
    return dict(obj)


def _query(
    fields: Sequence[object] | str | None,
    filters: Sequence[object] | None,
    order: Sequence[object] | str | None,
    root_junction: str,
) -> dict[str, str | int | Sequence[str]]:
    params: dict[str, str | int | Sequence[str]] = {}
    if fields is not None:
        params["fields"] = fields_param(fields)
    if filters:
        params["filter"] = [filter_param(spec) for spec in filters]
        if root_junction != "AND":
            params["rootJunction"] = root_junction
    if order is not None:
        params["order"] = order if isinstance(order, str) else [order_param(o) for o in order]
    return params


class MeResource(Generic[ModelT]):
    """``/api/me``: the user the client is authenticated as, as the version's ``User``."""

    def __init__(self, client: Dhis2Client, model: type[ModelT]) -> None:
        self._client = client
        self.model = model

    async def get(self, *, fields: str | None = None) -> ModelT:
        """The current user (``fields`` as DHIS2 takes it, ``"*"`` by default on the server)."""
        params: Params = {} if fields is None else {"fields": fields}
        return await self._client.get("/api/me", model=self.model, params=params)


class Resources:
    """``client.resources``: one accessor per collection of a generated version.

    The generated ``vNN.Resources`` declares them (``.data_elements``, ``.organisation_units``,
    …). A client pinned to a version (``dhis2_sdk.v42.Dhis2Client``) types them exactly; for a
    client that detects its version, ``dhis2_sdk.v42.Resources(client)`` gives the same typed
    accessors once it is connected to a 2.42 server, and ``client.resources.resource(
    "dataElements")`` reaches any collection untyped.
    """

    VERSION_KEY: ClassVar[str] = ""
    """Set by each generated subclass (``"v42"``)."""
    _ENDPOINTS: ClassVar[dict[str, tuple[str, str, str]]] = {}
    """Collection key -> (API path, model module, model class), set by each generated subclass."""

    def __init__(self, client: Dhis2Client) -> None:
        if client.version_key is not None and client.version_key != self.VERSION_KEY:
            raise UnsupportedVersionError(
                f"{type(self).__module__}.{type(self).__name__} is for {self.VERSION_KEY}, but "
                f"this client serves {client.version_key}: use "
                f"{type(self).__module__.rsplit('.', 2)[0]}.{client.version_key}.Resources",
                server_version=client.raw_version,
                available=(self.VERSION_KEY,),
            )
        self._client = client
        self._loaded: dict[str, Resource[Dhis2Model, str]] = {}

    def _resource(self, key: str) -> Resource[Dhis2Model, str]:
        loaded = self._loaded.get(key)
        if loaded is None:
            path, module_name, class_name = self._ENDPOINTS[key]
            model = self._model(module_name, class_name)
            loaded = self._loaded[key] = Resource(self._client, path, model)
        return loaded

    def _model(self, module_name: str, class_name: str) -> type[Dhis2Model]:
        """A model of this version, imported on first use (``.models.data_element``)."""
        package = type(self).__module__.rpartition(".")[0]
        module = importlib.import_module(module_name, package)
        return cast("type[Dhis2Model]", getattr(module, class_name))

    def resource(self, key: str) -> Resource[Dhis2Model, str]:
        """The accessor of a collection by its key (``"dataElements"``), untyped."""
        if key not in self._ENDPOINTS:
            raise Dhis2ClientError(
                f"{self.VERSION_KEY} has no collection {key!r} with an API endpoint; "
                f"known: {', '.join(sorted(self._ENDPOINTS)[:8])}, …"
            )
        return self._resource(key)

    def _me(self, module_name: str, class_name: str) -> MeResource[Dhis2Model]:
        return MeResource(self._client, self._model(module_name, class_name))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.VERSION_KEY}, {len(self._ENDPOINTS)} collections)"
