"""The pure parts without HTTP: JSON Patch (RFC 6902 examples), fields parsing, filters, the
sorted-collection cache, UIDs."""

from __future__ import annotations

import pytest

from dhis2_standin.jsontypes import JsonObject, JsonValue
from dhis2_standin.patch import PatchError, apply_patch
from dhis2_standin.query import (
    Field,
    Order,
    QueryError,
    SortedViews,
    filter_matches,
    parse_fields,
    parse_filter,
    select,
)
from dhis2_standin.uids import is_uid, new_uid


def _same(ref: JsonObject) -> JsonObject:
    return ref


@pytest.mark.parametrize(
    ("doc", "patch", "expected"),
    [
        (
            {"foo": "bar"},
            [{"op": "add", "path": "/baz", "value": "qux"}],
            {"foo": "bar", "baz": "qux"},
        ),
        (
            {"foo": ["bar", "baz"]},
            [{"op": "add", "path": "/foo/1", "value": "qux"}],
            {"foo": ["bar", "qux", "baz"]},
        ),
        ({"foo": [1]}, [{"op": "add", "path": "/foo/-", "value": 2}], {"foo": [1, 2]}),
        ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
        (
            {"foo": ["bar", "qux", "baz"]},
            [{"op": "remove", "path": "/foo/1"}],
            {"foo": ["bar", "baz"]},
        ),
        ({"baz": "qux"}, [{"op": "replace", "path": "/baz", "value": "boo"}], {"baz": "boo"}),
        (
            {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
            [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
            {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
        ),
        (
            {"a/b": 1, "m~n": 2},
            [{"op": "copy", "from": "/a~1b", "path": "/m~0n"}],
            {"a/b": 1, "m~n": 1},
        ),
        ({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "qux"}], {"baz": "qux"}),
    ],
)
def test_rfc6902_examples(doc: JsonValue, patch: JsonValue, expected: JsonValue) -> None:
    assert apply_patch(doc, patch) == expected


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ([{"op": "test", "path": "/baz", "value": "bar"}], "Test failed: value at `/baz` differs"),
        ([{"op": "add", "path": "/baz/bat", "value": "qux"}], "Path `/baz/bat` does not exist"),
        ([{"op": "remove", "path": "/list/5"}], "Array index 5 is out of bounds"),
        ([{"op": "frobnicate", "path": "/baz"}], "Unknown JSON Patch operation `frobnicate`"),
        (
            [{"op": "add", "path": "baz", "value": 1}],
            "Invalid JSON pointer `baz`: it must start with `/`",
        ),
        ({"op": "add"}, "A JSON Patch must be an array of operations"),
    ],
)
def test_patch_errors(patch: JsonValue, message: str) -> None:
    doc: JsonObject = {"baz": "qux", "list": [1]}
    with pytest.raises(PatchError) as info:
        apply_patch(doc, patch)
    assert str(info.value) == message
    assert doc == {"baz": "qux", "list": [1]}  # untouched


def test_parse_fields_grammar() -> None:
    assert parse_fields(
        "id,name, categoryCombo[id,categories(id,name)],!href,items::size,:owner"
    ) == (
        Field("id"),
        Field("name"),
        Field("categoryCombo", (Field("id"), Field("categories", (Field("id"), Field("name"))))),
        Field("href", exclude=True),
        Field("items", transforms=(("size", ""),)),
        Field(":owner"),
    )
    assert parse_fields("name~rename(label)") == (Field("name", transforms=(("rename", "label"),)),)
    with pytest.raises(QueryError, match="Missing `]`"):
        parse_fields("a[b")


def test_select_keeps_absent_fields_absent() -> None:
    obj: JsonObject = {"id": "a", "name": "A", "items": [1, 2, 3]}
    assert select(obj, parse_fields("id,code,items::isNotEmpty"), _same) == {
        "id": "a",
        "items": True,
    }


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("level:gt:2", True),
        ("level:le:2", False),
        ("level:in:[1,3]", True),
        ("level:!in:[1,3]", False),
        ("tags:eq:b", True),
        ("tags:!eq:b", False),
        ("tags:empty", False),
        ("name:ieq:clinic", True),
        ("name:like$:nic", True),
        ("name:!like:lin", False),
        ("name:token:CLIN", True),
    ],
)
def test_filter_operators(text: str, matches: bool) -> None:
    obj: JsonObject = {"name": "Clinic", "level": 3, "tags": ["a", "b"]}
    assert filter_matches(obj, parse_filter(text), _same) is matches


def test_sorted_views_sort_once_per_store_generation() -> None:
    objects: list[JsonObject] = [{"name": "b"}, {"name": "c"}, {"name": "a"}]
    cache = SortedViews(limit=2)
    by_name = ("dataElements", (Order("name"),), "http://x/api")
    first = cache.get(by_name, 7, lambda: list(objects))
    assert [obj["name"] for obj in first] == ["a", "b", "c"]
    assert cache.get(by_name, 7, lambda: list(objects)) is first  # the next page: no new sort
    assert cache.builds == 1

    objects.append({"name": "0"})  # a write moves the store's generation
    assert cache.get(by_name, 8, lambda: list(objects))[0] == {"name": "0"}
    by_name_desc = ("dataElements", (Order("name", descending=True),), "http://x/api")
    cache.get(by_name_desc, 8, lambda: list(objects))
    cache.get(by_name, 8, lambda: list(objects))  # past the limit of 2: everything is rebuilt
    assert cache.builds == 4


def test_filtered_views_filter_once_per_store_generation() -> None:
    """Paging through a filtered collection filters it once, not once per page."""
    objects: list[JsonObject] = [{"name": "b"}, {"name": "a"}, {"name": "ab"}]
    cache = SortedViews()
    by_name = ("dataElements", (Order("name"),), "http://x/api")
    query = ((parse_filter("name:like:a"),), False)
    runs: list[int] = []

    def keep(views: list[JsonObject]) -> list[JsonObject]:
        runs.append(len(views))
        return [view for view in views if "a" in str(view["name"])]

    views = cache.get(by_name, 7, lambda: list(objects))
    for _ in range(3):  # three pages of the same query
        found = cache.filtered(by_name, query, 7, cache.get(by_name, 7, lambda: []), keep)
        assert [obj["name"] for obj in found] == ["a", "ab"]
    assert runs == [3]
    other = ((parse_filter("name:eq:b"),), False)
    cache.filtered(by_name, other, 7, views, keep)
    objects.append({"name": "abc"})  # a write moves the store's generation
    views = cache.get(by_name, 8, lambda: list(objects))
    assert [obj["name"] for obj in cache.filtered(by_name, query, 8, views, keep)] == [
        "a",
        "ab",
        "abc",
    ]
    assert runs == [3, 3, 4]


def test_uids() -> None:
    generated = {new_uid() for _ in range(200)}
    assert len(generated) == 200
    assert all(is_uid(u) for u in generated)
    assert not is_uid("1abcdefghij")
    assert not is_uid("abcdefghij")
    assert not is_uid("abcdefghij-")
