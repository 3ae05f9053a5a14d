"""Typed pages of DHIS2 collections: ``{"pager": {...}, "<plural>": [...]}`` in one pass.

Stage: runtime. ``page_type(DataElement)`` is a pydantic model whose ``items`` read the
``dataElements`` key, so a list response is validated straight from the response bytes
(``model_validate_json``), about 2-3x the cost of ``json.loads`` instead of 4-5x for
``json.loads`` followed by per-item validation. Built once per model class and cached.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, create_model

from ._model import Dhis2Model

__all__ = ["Page", "Pager"]

ItemT = TypeVar("ItemT", bound=Dhis2Model)


class Pager(BaseModel):
    """DHIS2's ``pager`` block (absent with ``paging=false``)."""

    model_config: ClassVar[ConfigDict] = ConfigDict(
        extra="allow", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    page: int = 1
    page_count: int = Field(
        default=1, validation_alias="pageCount", serialization_alias="pageCount"
    )
    total: int = 0
    page_size: int = Field(default=50, validation_alias="pageSize", serialization_alias="pageSize")
    next_page: str | None = Field(
        default=None, validation_alias="nextPage", serialization_alias="nextPage"
    )
    prev_page: str | None = Field(
        default=None, validation_alias="prevPage", serialization_alias="prevPage"
    )


class Page(BaseModel, Generic[ItemT]):
    """One page of a collection: ``pager`` (``None`` with ``paging=false``) and typed ``items``."""

    model_config: ClassVar[ConfigDict] = ConfigDict(extra="allow")

    pager: Pager | None = None
    items: list[ItemT] = Field(default_factory=list[ItemT])

    @property
    def has_next(self) -> bool:
        """True when DHIS2 says there is a further page."""
        return self.pager is not None and self.pager.page < self.pager.page_count


_PAGE_TYPES: dict[type[Dhis2Model], type[Page[Dhis2Model]]] = {}


def page_type(model: type[ItemT]) -> type[Page[ItemT]]:
    """The page model for ``model``: ``items`` read from ``model.dhis2_plural`` (cached)."""
    cached = _PAGE_TYPES.get(model)
    if cached is None:
        cached = _PAGE_TYPES[model] = cast("type[Page[Dhis2Model]]", _build(model))
    return cast("type[Page[ItemT]]", cached)


def _build(model: type[ItemT]) -> type[Page[ItemT]]:
    key = model.dhis2_plural
    if not key:
        raise ValueError(
            f"{model.__name__} is not a DHIS2 collection (no dhis2_plural); "
            "use client.get(path, model=...) for single objects"
        )
    base = Page[model]
    annotation = base.model_fields["items"].annotation
    assert annotation is not None  # list[model], from the base class
    return create_model(
        f"{model.__name__}Page",
        __base__=base,
        items=(annotation, Field(default_factory=list, validation_alias=key)),
    )
