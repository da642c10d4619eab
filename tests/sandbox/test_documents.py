"""Every operation, success and error paths, validates against Apple's OpenAPI subset; shapes
(links, paging, included relationship paging, sparse fieldsets) are Apple's."""

from __future__ import annotations

import httpx
import pytest

from reconciler.sandbox import SandboxState
from tests.sandbox.conformance import check
from tests.sandbox.conftest import (
    BASE,
    CHESS,
    PODCASTS,
    WEATHER,
    create_body,
    patch_body,
    version_id,
)


def requests_for_every_operation(state: SandboxState) -> list[tuple[str, str, object]]:
    editable = version_id(state, WEATHER, "IOS", "2.3.1")
    live = version_id(state, CHESS, "IOS", "1.2")
    never = version_id(state, WEATHER, "TV_OS", "1.0")
    return [
        ("GET", "/v1/apps", None),
        ("GET", "/v1/apps?include=appStoreVersions&limit[appStoreVersions]=1&limit=2", None),
        ("GET", "/v1/apps?fields[apps]=bundleId,name&sort=-bundleId", None),
        ("GET", "/v1/apps?filter[appStoreVersions.platform]=TV_OS", None),
        ("GET", "/v1/apps?limit=201", None),
        ("GET", "/v1/apps?filter[nope]=1", None),
        ("GET", "/v1/apps?fields[apps]=nope", None),
        ("GET", "/v1/apps?cursor=zzz", None),
        ("GET", f"/v1/apps/{WEATHER}", None),
        (
            "GET",
            f"/v1/apps/{WEATHER}?include=appStoreVersions&fields[appStoreVersions]=platform",
            None,
        ),
        ("GET", "/v1/apps/0", None),
        ("GET", f"/v1/apps/{WEATHER}?limit=2", None),
        ("GET", f"/v1/apps/{WEATHER}/appStoreVersions", None),
        (
            "GET",
            f"/v1/apps/{WEATHER}/appStoreVersions?filter[platform]=IOS&include=app&limit=1",
            None,
        ),
        ("GET", f"/v1/apps/{WEATHER}/appStoreVersions?filter[platform]=ANDROID", None),
        ("GET", f"/v1/apps/{WEATHER}/appStoreVersions?limit=0", None),
        ("GET", "/v1/apps/0/appStoreVersions", None),
        ("GET", f"/v1/appStoreVersions/{live}", None),
        ("GET", f"/v1/appStoreVersions/{live}?include=app", None),
        ("GET", f"/v1/appStoreVersions/{live}?limit[appStoreVersionLocalizations]=51", None),
        ("GET", "/v1/appStoreVersions/nope", None),
        ("POST", "/v1/appStoreVersions", create_body(PODCASTS, "VISION_OS", "1.0")),
        ("POST", "/v1/appStoreVersions", create_body(WEATHER, "IOS", "2.3.1")),
        ("POST", "/v1/appStoreVersions", create_body(WEATHER, "IOS", "3.0")),
        ("POST", "/v1/appStoreVersions", {"data": {"type": "apps"}}),
        ("POST", "/v1/appStoreVersions", create_body("0")),
        ("POST", "/v1/appStoreVersions?include=app", create_body(CHESS, "MAC_OS", "1.0")),
        ("PATCH", f"/v1/appStoreVersions/{editable}", patch_body(editable, copyright="2027 X")),
        ("PATCH", f"/v1/appStoreVersions/{live}", patch_body(live, copyright="2027 X")),
        ("PATCH", f"/v1/appStoreVersions/{editable}", patch_body("other", copyright="x")),
        ("PATCH", f"/v1/appStoreVersions/{editable}", patch_body(editable, platform="IOS")),
        ("PATCH", "/v1/appStoreVersions/nope", patch_body("nope", copyright="x")),
        ("DELETE", f"/v1/appStoreVersions/{never}", None),
        ("DELETE", f"/v1/appStoreVersions/{live}", None),
        ("DELETE", "/v1/appStoreVersions/nope", None),
    ]


def test_every_operation_answers_on_schema_error_paths_included(
    client: httpx.Client, state: SandboxState
) -> None:
    statuses = set()
    for method, path, body in requests_for_every_operation(state):
        response = client.request(method, path, json=body) if body else client.request(method, path)
        check(response)
        statuses.add((method, response.status_code))
    assert statuses >= {
        ("GET", 200),
        ("GET", 400),
        ("GET", 404),
        ("POST", 201),
        ("POST", 409),
        ("POST", 422),
        ("POST", 400),
        ("PATCH", 200),
        ("PATCH", 409),
        ("PATCH", 404),
        ("DELETE", 204),
        ("DELETE", 403),
        ("DELETE", 404),
    }


def test_every_resource_and_relationship_has_absolute_links(client: httpx.Client) -> None:
    document = client.get("/v1/apps?include=appStoreVersions").json()
    resources = document["data"] + document["included"]
    assert {r["type"] for r in resources} == {"apps", "appStoreVersions"}
    for resource in resources:
        assert resource["links"]["self"] == f"{BASE}/v1/{resource['type']}/{resource['id']}"
        for name, relationship in resource["relationships"].items():
            assert relationship["links"]["related"].startswith(f"{BASE}/v1/"), name
    assert document["links"]["self"] == f"{BASE}/v1/apps?include=appStoreVersions"


def test_app_documents_carry_every_attribute_and_relationship_of_the_spec(
    client: httpx.Client,
) -> None:
    app = client.get(f"/v1/apps/{WEATHER}").json()["data"]
    assert app["attributes"]["bundleId"] == "com.example.weather"
    assert app["attributes"]["name"] == "Weather"
    assert len(app["attributes"]) == 12 and len(app["relationships"]) == 43


def test_paging_follows_links_next_until_it_is_absent(client: httpx.Client) -> None:
    seen, url, pages = [], "/v1/apps?limit=2", 0
    while url:
        document = client.get(url).json()
        pages += 1
        assert document["meta"]["paging"]["total"] == 5
        assert document["meta"]["paging"]["limit"] == 2
        seen += [a["id"] for a in document["data"]]
        url = document["links"].get("next")
        assert url is None or url.startswith(BASE)
    assert pages == 3 and len(seen) == len(set(seen)) == 5


def test_included_versions_say_when_an_app_has_more_than_were_included(
    client: httpx.Client,
) -> None:
    response = client.get(
        "/v1/apps",
        params={
            "filter[id]": WEATHER,
            "include": "appStoreVersions",
            "limit[appStoreVersions]": "2",
        },
    )
    relationship = response.json()["data"][0]["relationships"]["appStoreVersions"]
    assert len(relationship["data"]) == 2
    assert relationship["meta"] == {"paging": {"total": 4, "limit": 2}}
    assert len(response.json()["included"]) == 2


def test_limit_of_included_versions_is_at_most_50(client: httpx.Client) -> None:
    response = client.get("/v1/apps?include=appStoreVersions&limit[appStoreVersions]=51")
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"] == {"parameter": "limit[appStoreVersions]"}


def test_sparse_fieldsets_keep_only_the_named_fields(client: httpx.Client) -> None:
    response = client.get(
        f"/v1/apps/{WEATHER}/appStoreVersions",
        params={"fields[appStoreVersions]": "versionString,appVersionState"},
    )
    for version in response.json()["data"]:
        assert set(version["attributes"]) == {"versionString", "appVersionState"}
        assert "relationships" not in version


def test_versions_list_filters_by_platform_and_state(client: httpx.Client) -> None:
    response = client.get(
        f"/v1/apps/{WEATHER}/appStoreVersions",
        params={"filter[platform]": "IOS", "filter[appVersionState]": "PREPARE_FOR_SUBMISSION"},
    )
    assert [v["attributes"]["versionString"] for v in response.json()["data"]] == ["2.3.1"]
    response = client.get(
        f"/v1/apps/{WEATHER}/appStoreVersions", params={"filter[appStoreState]": "READY_FOR_SALE"}
    )
    assert len(response.json()["data"]) == 2


def test_both_states_are_kept_consistent(client: httpx.Client) -> None:
    document = client.get("/v1/apps?include=appStoreVersions&limit[appStoreVersions]=50").json()
    pairs = {
        (v["attributes"]["appVersionState"], v["attributes"]["appStoreState"])
        for v in document["included"]
    }
    assert ("READY_FOR_DISTRIBUTION", "READY_FOR_SALE") in pairs
    assert all(a == b for a, b in pairs if a not in {"READY_FOR_DISTRIBUTION"})


def test_create_answers_201_with_the_new_version_and_its_created_date(
    client: httpx.Client, state: SandboxState
) -> None:
    response = client.post(
        "/v1/appStoreVersions",
        json=create_body(CHESS, "MAC_OS", "1.0", copyright="2026 Example Inc."),
    )
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["attributes"]["createdDate"] == "2026-11-29T12:00:00Z"
    assert data["relationships"]["app"]["data"] == {"type": "apps", "id": CHESS}
    assert response.json()["links"]["self"] == f"{BASE}/v1/appStoreVersions/{data['id']}"
    assert state.version(data["id"]) is not None


@pytest.mark.parametrize("sort", ["name", "-name", "bundleId", "-sku"])
def test_apps_sort(client: httpx.Client, sort: str) -> None:
    data = client.get(f"/v1/apps?sort={sort}").json()["data"]
    key = {"name": "name", "bundleId": "bundleId", "sku": "sku"}[sort.lstrip("-")]
    values = [a["attributes"][key] for a in data]
    assert values == sorted(values, reverse=sort.startswith("-"))


def test_every_response_carries_the_rate_limit_header(client: httpx.Client) -> None:
    first = client.get("/v1/apps").headers["X-Rate-Limit"]
    second = client.get("/v1/nope").headers["X-Rate-Limit"]
    assert first == "user-hour-lim:3500;user-hour-rem:3499;"
    assert second == "user-hour-lim:3500;user-hour-rem:3498;"
