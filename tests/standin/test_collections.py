"""Metadata collections: paging, fields, filters, order, CRUD and JSON Patch over HTTP."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from dhis2_standin.jsontypes import JsonObject, JsonValue
from dhis2_standin.uids import is_uid
from tests.standin.conftest import data_element, seed, uid

COMBO: JsonObject = {"id": "cc000000001", "name": "Age and sex", "shortName": "Age/sex"}


def _root(api: httpx.Client) -> str:
    return str(api.base_url).rstrip("/")


def _names(body: JsonObject, key: str = "dataElements") -> list[JsonValue]:
    items = body[key]
    assert isinstance(items, list)
    return [item.get("name", item.get("displayName")) for item in items if isinstance(item, dict)]


@pytest.fixture
def sample(api: httpx.Client) -> None:
    """Four data elements, three in one category combo."""
    combo_ref: JsonValue = {"id": COMBO["id"]}
    seed(
        api,
        {
            "categoryCombos": [COMBO],
            "dataElements": [
                data_element(
                    uid("de", 1),
                    "ANC 1st visit",
                    code="ANC1",
                    categoryCombo=combo_ref,
                    legendSets=[{"id": uid("ls", 1)}],
                ),
                data_element(uid("de", 2), "ANC 2nd visit", code="ANC2", categoryCombo=combo_ref),
                data_element(uid("de", 3), "anc booster", zeroIsSignificant=True),
                data_element(uid("de", 4), "Measles", code="MEAS", categoryCombo=combo_ref),
            ],
        },
    )


# ------------------------------------------------------------------------ paging


def test_paging_math_and_links(api: httpx.Client) -> None:
    seed(api, {"dataElements": [data_element(uid("de", i), f"DE {i:03d}") for i in range(120)]})
    first = api.get("/dataElements").json()
    assert first["pager"] == {
        "page": 1,
        "total": 120,
        "pageSize": 50,
        "nextPage": f"{_root(api)}/dataElements?page=2",
        "pageCount": 3,
    }
    assert len(first["dataElements"]) == 50

    last = api.get("/dataElements", params={"page": 3, "fields": "id"}).json()
    assert len(last["dataElements"]) == 20
    assert "nextPage" not in last["pager"]
    prev = urlsplit(str(last["pager"]["prevPage"]))
    assert parse_qs(prev.query) == {"page": ["2"], "fields": ["id"]}

    small = api.get("/dataElements", params={"pageSize": 7, "page": 2}).json()
    assert small["pager"]["pageCount"] == 18
    assert _names(small) == [f"DE {i:03d}" for i in range(7, 14)]
    assert parse_qs(urlsplit(str(small["pager"]["prevPage"])).query) == {"pageSize": ["7"]}

    unpaged = api.get("/dataElements", params={"paging": "false"}).json()
    assert list(unpaged) == ["dataElements"]
    assert len(unpaged["dataElements"]) == 120


def test_pages_see_every_write(api: httpx.Client, sample: None) -> None:
    params = {"fields": "name", "pageSize": 2}
    assert _names(api.get("/dataElements", params=params).json()) == [ANC_1, ANC_2]
    api.post("/dataElements", json=data_element(uid("de", 9), "AAA first"))
    assert _names(api.get("/dataElements", params=params).json()) == ["AAA first", ANC_1]
    api.delete(f"/dataElements/{uid('de', 9)}")
    api.put(f"/dataElements/{uid('de', 1)}", json=data_element(uid("de", 1), "Zzz last"))
    assert _names(api.get("/dataElements", params={**params, "page": 2}).json()) == [
        MEASLES,
        "Zzz last",
    ]


def test_page_past_the_end_is_clamped_to_the_last(api: httpx.Client, sample: None) -> None:
    body = api.get("/dataElements", params={"pageSize": 3, "page": 9}).json()
    assert body["pager"]["page"] == 2
    assert _names(body) == ["Measles"]


def test_empty_collection_has_one_page(api: httpx.Client) -> None:
    body = api.get("/indicators").json()
    assert body == {
        "pager": {"page": 1, "total": 0, "pageSize": 50, "pageCount": 1},
        "indicators": [],
    }


@pytest.mark.parametrize("params", [{"page": "0"}, {"pageSize": "x"}])
def test_bad_paging_parameters_are_400(api: httpx.Client, params: dict[str, str]) -> None:
    response = api.get("/dataElements", params=params)
    assert response.status_code == 400
    assert response.json()["httpStatus"] == "Bad Request"


# ------------------------------------------------------------------------ fields


def test_default_list_fields_are_id_and_display_name(api: httpx.Client, sample: None) -> None:
    first = api.get("/dataElements").json()["dataElements"][0]
    assert first == {"id": uid("de", 1), "displayName": "ANC 1st visit"}


def test_star_fields_and_exclusion(api: httpx.Client, sample: None) -> None:
    everything = api.get("/dataElements", params={"fields": "*", "pageSize": 1}).json()
    obj = everything["dataElements"][0]
    assert obj["code"] == "ANC1"
    assert obj["categoryCombo"] == {"id": COMBO["id"]}
    assert obj["href"] == f"{_root(api)}/dataElements/{uid('de', 1)}"
    assert {"created", "lastUpdated", "displayName", "displayShortName"} <= set(obj)
    trimmed = api.get("/dataElements", params={"fields": ":all,!href,!code", "pageSize": 1})
    assert {"href", "code"}.isdisjoint(trimmed.json()["dataElements"][0])


def test_owner_preset_leaves_out_what_the_schema_does_not_own(
    api: httpx.Client, sample: None
) -> None:
    obj = api.get(f"/dataElements/{uid('de', 1)}", params={"fields": ":owner"}).json()
    assert {"id", "name", "shortName", "code", "categoryCombo", "created", "lastUpdated"} <= set(
        obj
    )
    computed = {"displayName", "displayShortName", "displayFormName", "href"}
    assert computed.isdisjoint(obj)
    everything = api.get(f"/dataElements/{uid('de', 1)}", params={"fields": ":all"}).json()
    assert set(everything) - set(obj) == computed


def test_identifiable_and_nameable_presets(api: httpx.Client, sample: None) -> None:
    path = f"/dataElements/{uid('de', 1)}"
    identifiable = api.get(path, params={"fields": ":identifiable"}).json()
    assert set(identifiable) == {"id", "name", "code", "created", "lastUpdated", "href"}
    nameable = api.get(path, params={"fields": ":nameable,!created,!lastUpdated"}).json()
    assert nameable == {"id": uid("de", 1), "name": ANC_1, "shortName": ANC_1, "code": "ANC1"}


def test_presets_and_exclusions_inside_nested_selections(api: httpx.Client, sample: None) -> None:
    params = {"fields": "name,categoryCombo[:identifiable,!href,!created,!lastUpdated]"}
    obj = api.get(f"/dataElements/{uid('de', 1)}", params=params).json()
    assert obj == {
        "name": ANC_1,
        "categoryCombo": {"id": COMBO["id"], "name": "Age and sex"},
    }
    params = {"fields": "categoryCombo[*,!name,!href]"}
    combo = api.get(f"/dataElements/{uid('de', 1)}", params=params).json()["categoryCombo"]
    assert combo["shortName"] == "Age/sex"
    assert {"name", "href"}.isdisjoint(combo)


def test_nested_fields_resolve_references(api: httpx.Client, sample: None) -> None:
    params = {"fields": "id,name,categoryCombo[id,name],code~rename(key)", "pageSize": 1}
    obj = api.get("/dataElements", params=params).json()["dataElements"][0]
    assert obj == {
        "id": uid("de", 1),
        "name": "ANC 1st visit",
        "categoryCombo": {"id": COMBO["id"], "name": "Age and sex"},
        "key": "ANC1",
    }


def test_size_transformer(api: httpx.Client) -> None:
    seed(
        api,
        {
            "optionSets": [
                {
                    "id": uid("os", 1),
                    "name": "Sex",
                    "valueType": "TEXT",
                    "options": [{"id": uid("op", 1)}, {"id": uid("op", 2)}],
                }
            ]
        },
    )
    body = api.get("/optionSets", params={"fields": "name,options::size"}).json()
    assert body["optionSets"] == [{"name": "Sex", "options": 2}]


def test_unbalanced_fields_are_400(api: httpx.Client) -> None:
    response = api.get("/dataElements", params={"fields": "id,categoryCombo[id"})
    assert response.status_code == 400
    assert response.json()["message"] == "Missing `]` in fields `id,categoryCombo[id`"


# ------------------------------------------------------------------------ filters


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["name:eq:Measles"], ["Measles"]),
        (["name:ne:Measles"], ["ANC 1st visit", "ANC 2nd visit", "anc booster"]),
        (["name:like:ANC"], ["ANC 1st visit", "ANC 2nd visit"]),
        (["name:ilike:anc"], ["ANC 1st visit", "ANC 2nd visit", "anc booster"]),
        (["code:in:[ANC2,MEAS]"], ["ANC 2nd visit", "Measles"]),
        (["code:null"], ["anc booster"]),
        (["code:!null"], ["ANC 1st visit", "ANC 2nd visit", "Measles"]),
        (["name:ilike:anc", "code:!null"], ["ANC 1st visit", "ANC 2nd visit"]),
        (
            ["categoryCombo.id:eq:cc000000001", "name:like:visit"],
            ["ANC 1st visit", "ANC 2nd visit"],
        ),
        (["categoryCombo.name:eq:Age and sex"], ["ANC 1st visit", "ANC 2nd visit", "Measles"]),
        (["zeroIsSignificant:eq:true"], ["anc booster"]),
        (["name:$like:ANC 2"], ["ANC 2nd visit"]),
    ],
)
def test_filters(api: httpx.Client, sample: None, filters: list[str], expected: list[str]) -> None:
    body = api.get("/dataElements", params={"filter": filters, "fields": "name"}).json()
    assert _names(body) == expected


ANC_1, ANC_2, BOOSTER, MEASLES = "ANC 1st visit", "ANC 2nd visit", "anc booster", "Measles"


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ("name:eq:Measles", [MEASLES]),
        ("name:!eq:Measles", [ANC_1, ANC_2, BOOSTER]),
        ("code:ne:MEAS", [ANC_1, ANC_2]),  # an absent code is not "not MEAS" (SQL's NULL)
        ("code:gt:ANC1", [ANC_2, MEASLES]),
        ("code:ge:ANC2", [ANC_2, MEASLES]),
        ("code:lt:ANC2", [ANC_1]),
        ("code:le:ANC2", [ANC_1, ANC_2]),
        ("name:like:anc", [BOOSTER]),
        ("name:!like:ANC", [BOOSTER, MEASLES]),
        ("name:ilike:ANC", [ANC_1, ANC_2, BOOSTER]),
        ("name:!ilike:anc", [MEASLES]),
        ("name:$like:ANC", [ANC_1, ANC_2]),
        ("name:!$like:ANC", [BOOSTER, MEASLES]),
        ("name:$ilike:anc", [ANC_1, ANC_2, BOOSTER]),
        ("name:!$ilike:anc", [MEASLES]),
        ("name:like$:visit", [ANC_1, ANC_2]),
        ("name:!like$:visit", [BOOSTER, MEASLES]),
        ("name:ilike$:VISIT", [ANC_1, ANC_2]),
        ("name:!ilike$:VISIT", [BOOSTER, MEASLES]),
        ("code:in:[ANC2,MEAS]", [ANC_2, MEASLES]),
        ("code:!in:[ANC2,MEAS]", [ANC_1]),
        ("code:null", [BOOSTER]),
        ("code:!null", [ANC_1, ANC_2, MEASLES]),
        ("legendSets:empty", [ANC_2, BOOSTER, MEASLES]),
        ("name:token:anc vis", [ANC_1, ANC_2]),
        ("name:token:isit", []),
        ("name:!token:anc vis", [BOOSTER, MEASLES]),
    ],
)
def test_every_filter_operator(
    api: httpx.Client, sample: None, flt: str, expected: list[str]
) -> None:
    body = api.get("/dataElements", params={"filter": flt, "fields": "name"}).json()
    assert _names(body) == expected


def test_root_junction_and_is_the_default(api: httpx.Client, sample: None) -> None:
    filters = ["name:ilike:anc", "code:!null"]
    both = api.get("/dataElements", params={"filter": filters, "rootJunction": "AND"}).json()
    assert _names(both) == _names(api.get("/dataElements", params={"filter": filters}).json())
    assert _names(both) == [ANC_1, ANC_2]
    bad = api.get("/dataElements", params={"filter": filters, "rootJunction": "XOR"})
    assert bad.status_code == 400
    assert bad.json()["message"] == "Invalid rootJunction `XOR`: expected AND or OR"


def test_root_junction_or(api: httpx.Client, sample: None) -> None:
    params = {
        "filter": ["code:eq:MEAS", "name:eq:anc booster"],
        "rootJunction": "OR",
        "fields": "name",
    }
    assert _names(api.get("/dataElements", params=params).json()) == ["anc booster", "Measles"]


def test_unknown_filter_operator_is_400(api: httpx.Client) -> None:
    response = api.get("/dataElements", params={"filter": "name:resembles:x"})
    assert response.status_code == 400
    assert (
        response.json()["message"]
        == "`resembles` is not a valid operator in filter `name:resembles:x`"
    )


# ------------------------------------------------------------------------ order


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (None, ["ANC 1st visit", "ANC 2nd visit", "anc booster", "Measles"]),
        ("name:asc", ["ANC 1st visit", "ANC 2nd visit", "Measles", "anc booster"]),
        ("name:desc", ["anc booster", "Measles", "ANC 2nd visit", "ANC 1st visit"]),
        ("name:iasc", ["ANC 1st visit", "ANC 2nd visit", "anc booster", "Measles"]),
        ("name:idesc", ["Measles", "anc booster", "ANC 2nd visit", "ANC 1st visit"]),
        ("code:desc,name:asc", ["anc booster", "Measles", "ANC 2nd visit", "ANC 1st visit"]),
    ],
)
def test_order(api: httpx.Client, sample: None, order: str | None, expected: list[str]) -> None:
    params = {"fields": "name"} | ({"order": order} if order else {})
    assert _names(api.get("/dataElements", params=params).json()) == expected


def test_several_order_parameters_apply_in_turn(api: httpx.Client, sample: None) -> None:
    params = {"fields": "name", "order": ["zeroIsSignificant:asc", "name:idesc"]}
    assert _names(api.get("/dataElements", params=params).json()) == [
        BOOSTER,  # the only one with zeroIsSignificant, then the ones without it, by name
        MEASLES,
        ANC_2,
        ANC_1,
    ]


# ------------------------------------------------------------------------ CRUD


def test_create_generates_a_uid_and_answers_a_web_message(api: httpx.Client) -> None:
    response = api.post("/dataElements", json={"name": "Weight", "shortName": "Weight"})
    assert response.status_code == 201
    body = response.json()
    new = body["response"]["uid"]
    assert body == {
        "httpStatus": "Created",
        "httpStatusCode": 201,
        "status": "OK",
        "response": {
            "responseType": "ObjectReport",
            "klass": "org.hisp.dhis.dataelement.DataElement",
            "uid": new,
            "errorReports": [],
        },
    }
    assert is_uid(new)
    assert response.headers["location"] == f"{_root(api)}/dataElements/{new}"
    assert api.get(f"/dataElements/{new}").json()["name"] == "Weight"


def test_create_with_missing_required_property_is_409(api: httpx.Client) -> None:
    response = api.post("/dataElements", json={"name": "No short name"})
    assert response.status_code == 409
    body = response.json()
    assert (body["httpStatus"], body["status"]) == ("Conflict", "WARNING")
    [error] = body["response"]["errorReports"]
    assert error["message"] == "Missing required property `shortName`."
    assert (error["errorCode"], error["errorProperty"]) == ("E4000", "shortName")
    assert error["mainKlass"] == "org.hisp.dhis.dataelement.DataElement"


def test_create_of_an_existing_uid_is_409_e5000(api: httpx.Client, sample: None) -> None:
    response = api.post("/dataElements", json=data_element(uid("de", 1), "Again"))
    assert response.status_code == 409
    assert response.json()["response"]["errorReports"][0]["errorCode"] == "E5000"


def test_duplicate_code_is_409_e5003(api: httpx.Client, sample: None) -> None:
    response = api.post("/dataElements", json=data_element(uid("de", 9), "Other", code="ANC1"))
    [error] = response.json()["response"]["errorReports"]
    assert error["errorCode"] == "E5003"
    assert error["message"] == (
        "Property `code` with value `ANC1` on object Other [de000000009] (DataElement) "
        "already exists on object de000000001."
    )


def test_get_missing_object_is_dhis2_404(api: httpx.Client) -> None:
    response = api.get("/dataElements/de000000404")
    assert response.status_code == 404
    assert response.json() == {
        "httpStatus": "Not Found",
        "httpStatusCode": 404,
        "status": "ERROR",
        "message": "DataElement with id de000000404 could not be found.",
        "errorCode": "E1005",
    }


def test_get_one_defaults_to_all_fields(api: httpx.Client, sample: None) -> None:
    obj = api.get(f"/dataElements/{uid('de', 4)}").json()
    assert (obj["name"], obj["code"], obj["displayName"]) == ("Measles", "MEAS", "Measles")
    assert api.get(f"/dataElements/{uid('de', 4)}", params={"fields": "code"}).json() == {
        "code": "MEAS"
    }


def test_put_replaces_and_delete_removes(api: httpx.Client, sample: None) -> None:
    path = f"/dataElements/{uid('de', 4)}"
    replaced = api.put(path, json={"name": "Measles doses", "shortName": "Measles doses"})
    assert replaced.status_code == 200
    assert replaced.json()["response"]["uid"] == uid("de", 4)
    obj = api.get(path).json()
    assert obj["name"] == "Measles doses"
    assert "code" not in obj  # PUT replaces the whole object
    assert api.delete(path).status_code == 200
    assert api.get(path).status_code == 404
    assert api.delete(path).status_code == 404


def test_json_patch(api: httpx.Client, sample: None) -> None:
    path = f"/dataElements/{uid('de', 1)}"
    patch = [
        {"op": "replace", "path": "/name", "value": "ANC first visit"},
        {"op": "add", "path": "/description", "value": "First antenatal care visit"},
        {"op": "remove", "path": "/code"},
    ]
    headers = {"Content-Type": "application/json-patch+json"}
    response = api.patch(path, json=patch, headers=headers)
    assert response.status_code == 200, response.text
    obj = api.get(path, params={"fields": "name,description,code"}).json()
    assert obj == {"name": "ANC first visit", "description": "First antenatal care visit"}

    bad = api.patch(path, json=[{"op": "remove", "path": "/nothing"}], headers=headers)
    assert bad.status_code == 400
    assert bad.json()["message"] == "Path `/nothing` does not exist"
    invalid = api.patch(path, json=[{"op": "remove", "path": "/name"}], headers=headers)
    assert invalid.status_code == 409
    assert invalid.json()["response"]["errorReports"][0]["errorCode"] == "E4000"
    wrong_type = api.patch(path, json=patch)
    assert wrong_type.status_code == 415


def test_json_patch_move_copy_and_test(api: httpx.Client, sample: None) -> None:
    path = f"/dataElements/{uid('de', 1)}"
    headers = {"Content-Type": "application/json-patch+json"}
    patch = [
        {"op": "test", "path": "/code", "value": "ANC1"},
        {"op": "copy", "from": "/name", "path": "/formName"},
        {"op": "move", "from": "/code", "path": "/description"},
    ]
    response = api.patch(path, json=patch, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["response"]["uid"] == uid("de", 1)
    obj = api.get(path, params={"fields": "name,formName,description,code"}).json()
    assert obj == {"name": ANC_1, "formName": ANC_1, "description": "ANC1"}

    failed = api.patch(path, json=[{"op": "test", "path": "/name", "value": "x"}], headers=headers)
    assert failed.status_code == 400
    assert failed.json()["message"] == "Test failed: value at `/name` differs"
    assert api.get(path, params={"fields": "name"}).json() == {"name": ANC_1}
