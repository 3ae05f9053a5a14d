"""DHIS2 list-query semantics: ``fields``, ``filter``, ``order`` and paging.

Each is parsed from the query string into a small frozen value, then applied to rendered
objects (dicts). References inside objects are ``{"id": ...}``; a ``Resolver`` expands one to
the object it names when a nested field selection or a filter path needs its other properties.
``NotOwned`` names the keys of an object its schema does not own (``displayName``, ``href``),
which the ``:owner`` preset leaves out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from dhis2_standin.jsontypes import JsonObject, JsonValue

Resolver = Callable[[JsonObject], JsonObject]
"""Expands a reference ``{"id": X}`` to the object X (or returns it unchanged)."""
NotOwned = Callable[[JsonObject], Collection[str]]
"""The keys of an object that its schema marks ``owner: false`` (computed or inverse)."""


def _owns_all(obj: JsonObject) -> Collection[str]:
    return ()


class QueryError(ValueError):
    """A ``fields``/``filter``/``order``/paging parameter DHIS2 would answer with 400."""


# ---------------------------------------------------------------------------- fields

ALL_PRESETS = frozenset({"*", ":all", ":persisted", ":simple"})
OWNER_PRESET = ":owner"
_PRESET_FIELDS = {
    ":identifiable": ("id", "name", "code", "created", "lastUpdated", "href"),
    ":nameable": ("id", "name", "shortName", "code", "description", "created", "lastUpdated"),
}
DEFAULT_LIST_FIELDS = "id,displayName"


@dataclass(frozen=True, slots=True)
class Field:
    """One entry of a ``fields`` list: ``categoryCombo[id,name]``, ``!href``, ``items::size``."""

    name: str
    children: tuple[Field, ...] | None = None
    exclude: bool = False
    transforms: tuple[tuple[str, str], ...] = ()


class _FieldParser:
    _STOP = ",[]()~:!"

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in self._STOP:
            self.pos += 1
        return self.text[start : self.pos].strip()

    def parse(self, closer: str = "") -> tuple[Field, ...]:
        fields: list[Field] = []
        while self.pos < len(self.text):
            if self._peek() == closer:
                self.pos += 1
                return tuple(fields)
            if self._peek() == ",":
                self.pos += 1
                continue
            fields.append(self._field())
        if closer:
            raise QueryError(f"Missing `{closer}` in fields `{self.text}`")
        return tuple(fields)

    def _field(self) -> Field:
        exclude = self._peek() == "!"
        if exclude:
            self.pos += 1
        if self._peek() == ":" and not self.text.startswith("::", self.pos):
            self.pos += 1
            name = ":" + self._word()
        else:
            name = self._word()
        if not name:
            raise QueryError(f"Empty field name at position {self.pos} in fields `{self.text}`")
        transforms: list[tuple[str, str]] = []
        children: tuple[Field, ...] | None = None
        while True:
            if self.text.startswith("::", self.pos) or self._peek() == "~":
                self.pos += 2 if self._peek() == ":" else 1
                transforms.append(self._transform())
            elif self._peek() in ("[", "(") and children is None:
                closer = "]" if self._peek() == "[" else ")"
                self.pos += 1
                children = self.parse(closer)
            else:
                break
        return Field(name, children, exclude, tuple(transforms))

    def _transform(self) -> tuple[str, str]:
        name = self._word()
        argument = ""
        if self._peek() == "(":
            end = self.text.find(")", self.pos)
            if end < 0:
                raise QueryError(f"Missing `)` after transformer `{name}`")
            argument = self.text[self.pos + 1 : end]
            self.pos = end + 1
        return name, argument


def parse_fields(text: str) -> tuple[Field, ...]:
    """Parse a ``fields`` parameter."""
    return _FieldParser(text).parse()


def _transform(value: JsonValue, name: str, argument: str) -> JsonValue:
    if name == "size":
        return len(value) if isinstance(value, list | dict | str) else 0
    if name == "isEmpty":
        return not value
    if name == "isNotEmpty":
        return bool(value)
    if name == "pluck" and isinstance(value, list):
        key = argument or "id"
        return [item.get(key) for item in value if isinstance(item, dict)]
    if name in ("rename", "keyBy"):
        return value
    raise QueryError(f"Unknown field transformer `{name}`")


def _nested(
    value: JsonValue, fields: Sequence[Field], resolve: Resolver, not_owned: NotOwned
) -> JsonValue:
    if isinstance(value, dict):
        return select(resolve(value), fields, resolve, not_owned)
    if isinstance(value, list):
        return [
            select(resolve(item), fields, resolve, not_owned) if isinstance(item, dict) else item
            for item in value
        ]
    return value


def select(
    obj: JsonObject,
    fields: Sequence[Field],
    resolve: Resolver,
    not_owned: NotOwned = _owns_all,
) -> JsonObject:
    """The part of ``obj`` that ``fields`` asks for, in DHIS2's way (absent values omitted)."""
    out: JsonObject = {}
    included = {f.name for f in fields if not f.exclude}
    if included & ALL_PRESETS:
        out.update(obj)
    elif OWNER_PRESET in included:
        hidden = not_owned(obj)
        out.update((key, value) for key, value in obj.items() if key not in hidden)
    for field in fields:
        if field.exclude:
            continue
        for name in _PRESET_FIELDS.get(field.name, ()):
            if name in obj:
                out[name] = obj[name]
        if field.name in ALL_PRESETS or field.name in _PRESET_FIELDS or field.name == OWNER_PRESET:
            continue
        key = field.name
        if key not in obj and not field.transforms:
            continue
        value = obj.get(key)
        if field.children is not None:
            value = _nested(value, field.children, resolve, not_owned)
        for name, argument in field.transforms:
            value = _transform(value, name, argument)
            if name == "rename" and argument:
                key = argument
        out[key] = value
    for field in fields:
        if field.exclude:
            out.pop(field.name, None)
    return out


# ---------------------------------------------------------------------------- filters

_UNARY_OPS = frozenset({"null", "!null", "empty", "!empty"})
_NEGATED = {
    **{"ne": "eq", "neq": "eq", "!eq": "eq", "!in": "in", "!like": "like", "!ilike": "ilike"},
    **{"!$like": "$like", "!like$": "like$", "!$ilike": "$ilike", "!ilike$": "ilike$"},
    "!token": "token",
}
_POSITIVE = frozenset(
    {
        "eq",
        "ieq",
        "in",
        "like",
        "ilike",
        "$like",
        "like$",
        "$ilike",
        "ilike$",
        "gt",
        "ge",
        "lt",
        "le",
    }
    | {"startsWith", "endsWith", "token"}
)


@dataclass(frozen=True, slots=True)
class Filter:
    """``categoryCombo.id:eq:X`` as path ``("categoryCombo", "id")``, op ``eq``, value ``X``."""

    path: tuple[str, ...]
    op: str
    value: str


def parse_filter(text: str) -> Filter:
    """Parse one ``filter`` parameter (``prop:op:value`` or ``prop:null``)."""
    parts = text.split(":", 2)
    if len(parts) < 2 or not parts[0]:
        raise QueryError(f"Invalid filter `{text}`: expected property:operator:value")
    prop, op = parts[0], parts[1]
    if op not in _UNARY_OPS and op not in _NEGATED and op not in _POSITIVE:
        raise QueryError(f"`{op}` is not a valid operator in filter `{text}`")
    if op not in _UNARY_OPS and len(parts) < 3:
        raise QueryError(f"Filter `{text}` needs a value after `{op}`")
    return Filter(tuple(prop.split(".")), op, parts[2] if len(parts) > 2 else "")


def values_at(obj: JsonObject, path: Sequence[str], resolve: Resolver) -> list[JsonValue]:
    """Every value at ``path``, stepping into lists and through references."""
    current: list[JsonValue] = [obj]
    for segment in path:
        found: list[JsonValue] = []
        for item in current:
            if not isinstance(item, dict):
                continue
            holder = item if segment in item else resolve(item)
            if segment in holder:
                value = holder[segment]
                found.extend(value if isinstance(value, list) else [value])
        current = found
    return current


def _equals(actual: JsonValue, expected: str, ignore_case: bool = False) -> bool:
    if isinstance(actual, bool):
        return expected.lower() == str(actual).lower()
    if isinstance(actual, int | float):
        try:
            return float(expected) == actual
        except ValueError:
            return False
    if isinstance(actual, str):
        return actual.lower() == expected.lower() if ignore_case else actual == expected
    return False


def _compare(actual: JsonValue, expected: str) -> int | None:
    if isinstance(actual, int | float) and not isinstance(actual, bool):
        try:
            number = float(expected)
        except ValueError:
            return None
        return (actual > number) - (actual < number)
    if isinstance(actual, str):
        return (actual > expected) - (actual < expected)
    return None


def _matches(actual: JsonValue, op: str, expected: str) -> bool:
    if op == "eq":
        return _equals(actual, expected)
    if op == "ieq":
        return _equals(actual, expected, ignore_case=True)
    if op == "in":
        items = expected.strip()
        if items.startswith("[") and items.endswith("]"):
            items = items[1:-1]
        return any(_equals(actual, item.strip()) for item in items.split(","))
    if op in ("gt", "ge", "lt", "le"):
        order = _compare(actual, expected)
        return (
            order is not None
            and {"gt": order > 0, "ge": order >= 0, "lt": order < 0, "le": order <= 0}[op]
        )
    if actual is None or isinstance(actual, dict | list):
        return False
    text = str(actual).lower() if isinstance(actual, bool) else str(actual)
    if op == "token":
        return _tokens_match(text, expected)
    if op.startswith("$i") or op.startswith("i"):
        text, expected = text.lower(), expected.lower()
    if op in ("like", "ilike"):
        return expected in text
    if op in ("$like", "$ilike", "startsWith"):
        return text.startswith(expected)
    return text.endswith(expected)


_WORD = re.compile(r"\w+")


def _tokens_match(text: str, query: str) -> bool:
    """``token``: every word of the query starts a word of the value, ignoring case
    (``token:anc vis`` matches ``ANC 1st visit``)."""
    words = _WORD.findall(text.lower())
    return all(
        any(word.startswith(token) for word in words) for token in _WORD.findall(query.lower())
    )


def filter_matches(obj: JsonObject, flt: Filter, resolve: Resolver) -> bool:
    """Whether ``obj`` passes one filter (any value at the path may satisfy it)."""
    values = values_at(obj, flt.path, resolve)
    if flt.op == "null":
        return all(value is None for value in values)
    if flt.op == "!null":
        return any(value is not None for value in values)
    if flt.op == "empty":
        return not values
    if flt.op == "!empty":
        return bool(values)
    positive = _NEGATED.get(flt.op)
    if positive is not None:
        # As in DHIS2's SQL, an absent value is neither equal nor unequal to anything.
        present = [value for value in values if value is not None]
        return bool(present) and not any(_matches(v, positive, flt.value) for v in present)
    return any(_matches(value, flt.op, flt.value) for value in values)


def parse_junction(text: str | None) -> bool:
    """``rootJunction``: False for ``AND`` (the default), True for ``OR``."""
    junction = (text or "AND").upper()
    if junction not in ("AND", "OR"):
        raise QueryError(f"Invalid rootJunction `{text}`: expected AND or OR")
    return junction == "OR"


def apply_filters(
    objects: list[JsonObject], filters: Sequence[Filter], resolve: Resolver, *, any_of: bool
) -> list[JsonObject]:
    """Objects passing all filters (``rootJunction=AND``) or any (``OR``)."""
    if not filters:
        return objects
    combine = any if any_of else all
    return [obj for obj in objects if combine(filter_matches(obj, f, resolve) for f in filters)]


# ---------------------------------------------------------------------------- order

_DIRECTIONS = frozenset({"asc", "desc", "iasc", "idesc"})


@dataclass(frozen=True, slots=True)
class Order:
    """``name:iasc`` as property ``name``, descending False, ignore_case True."""

    prop: str
    descending: bool = False
    ignore_case: bool = False


def parse_order(text: str) -> tuple[Order, ...]:
    """Parse an ``order`` parameter: ``prop[:asc|desc|iasc|idesc]``, comma-separated."""
    orders: list[Order] = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        prop, _, direction = item.partition(":")
        direction = direction or "asc"
        if direction not in _DIRECTIONS:
            raise QueryError(f"Unable to parse order param: `{item}`")
        orders.append(Order(prop, direction.endswith("desc"), direction.startswith("i")))
    return tuple(orders)


def _sort_key(value: JsonValue, ignore_case: bool) -> tuple[int, float, str]:
    if isinstance(value, bool):
        return (0, float(value), "")
    if isinstance(value, int | float):
        return (0, float(value), "")
    if isinstance(value, str):
        return (1, 0.0, value.lower() if ignore_case else value)
    return (2, 0.0, "")


def apply_order(objects: list[JsonObject], orders: Sequence[Order]) -> list[JsonObject]:
    """Sorted by each order in turn; missing values last ascending, first descending."""
    result = list(objects)
    for order in reversed(orders):
        present = [obj for obj in result if obj.get(order.prop) is not None]
        missing = [obj for obj in result if obj.get(order.prop) is None]
        present.sort(
            key=lambda obj: _sort_key(obj.get(order.prop), order.ignore_case),
            reverse=order.descending,
        )
        result = missing + present if order.descending else present + missing
    return result


ViewKey = tuple[str, tuple[Order, ...], str]
"""A collection in one order: plural, orders, API root."""
FilterKey = tuple[tuple[Filter, ...], bool]
"""A query on it: filters and whether any of them suffices (``rootJunction=OR``)."""


class SortedViews:
    """Sorted (and filtered) collections kept between requests, so paging through one sorts and
    filters it once instead of once per page: an index per query, as a database keeps one.

    An entry is a collection's rendered objects in one order (``get``), or the part of such a
    list that passes one set of filters (``filtered``); every entry is dropped when the store's
    ``generation`` moves (any write or reset), and all of them past ``limit`` entries.
    """

    def __init__(self, limit: int = 64) -> None:
        self.limit = limit
        self.builds = 0
        """How many sorted lists were built (a test counts them)."""
        self._generation: int | None = None
        self._entries: dict[ViewKey | tuple[ViewKey, FilterKey], list[JsonObject]] = {}

    def _current(self, generation: int) -> None:
        if generation != self._generation or len(self._entries) >= self.limit:
            self._entries.clear()
            self._generation = generation

    def get(
        self, key: ViewKey, generation: int, views: Callable[[], list[JsonObject]]
    ) -> list[JsonObject]:
        """The sorted list for ``key`` (plural, orders, API root), built by ``views`` if needed."""
        self._current(generation)
        found = self._entries.get(key)
        if found is None:
            found = self._entries[key] = apply_order(views(), key[1])
            self.builds += 1
        return found

    def filtered(
        self,
        key: ViewKey,
        query: FilterKey,
        generation: int,
        views: list[JsonObject],
        keep: Callable[[list[JsonObject]], list[JsonObject]],
    ) -> list[JsonObject]:
        """The part of ``views`` (``get(key)``'s list) that passes ``query``, filtered by
        ``keep`` if needed."""
        self._current(generation)
        found = self._entries.get((key, query))
        if found is None:
            found = self._entries[(key, query)] = keep(views)
        return found


# ---------------------------------------------------------------------------- paging

DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Paging:
    """``page``/``pageSize``/``paging`` of a list request."""

    enabled: bool = True
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def _positive_int(name: str, text: str | None, default: int) -> int:
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise QueryError(f"Invalid value `{text}` for parameter `{name}`: not an integer") from None
    if value < 1:
        raise QueryError(f"Invalid value `{text}` for parameter `{name}`: must be at least 1")
    return value


def parse_paging(page: str | None, page_size: str | None, paging: str | None) -> Paging:
    """Paging parameters; ``paging=false`` turns paging off."""
    enabled = (paging or "true").lower() != "false"
    return Paging(
        enabled,
        _positive_int("page", page, 1),
        _positive_int("pageSize", page_size, DEFAULT_PAGE_SIZE),
    )


def page_count(total: int, page_size: int) -> int:
    """DHIS2's Pager.getPageCount: at least 1, even for no items."""
    return max(1, -(-total // page_size))


def paginate(
    items: list[JsonObject], paging: Paging, link: Callable[[int], str]
) -> tuple[list[JsonObject], JsonObject]:
    """One page of ``items`` and DHIS2's ``pager`` (page clamped into 1..pageCount)."""
    total = len(items)
    count = page_count(total, paging.page_size)
    page = min(max(paging.page, 1), count)
    start = (page - 1) * paging.page_size
    pager: JsonObject = {"page": page, "total": total, "pageSize": paging.page_size}
    if page < count:
        pager["nextPage"] = link(page + 1)
    if page > 1:
        pager["prevPage"] = link(page - 1)
    pager["pageCount"] = count
    return items[start : start + paging.page_size], pager
