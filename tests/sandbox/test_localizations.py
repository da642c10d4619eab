"""Version localizations: reads, creates, updates, deletes and Apple's rules (FACTS-2 §9)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reconciler.sandbox import SandboxApp, SandboxState
from reconciler.sandbox.locales import LOCALES
from tests.sandbox.conformance import check
from tests.sandbox.conftest import (
    BASE,
    CHESS,
    NOTES,
    PODCASTS,
    WEATHER,
    create_body,
    fixed_clock,
    only_error,
    version_id,
)


def loc_body(version: str, locale: str, **attrs: Any) -> Any:
    return {
        "data": {
            "type": "appStoreVersionLocalizations",
            "attributes": {"locale": locale, **attrs},
            "relationships": {
                "appStoreVersion": {"data": {"type": "appStoreVersions", "id": version}}
            },
        }
    }


def loc_patch(localization_id: str, **attrs: Any) -> Any:
    return {
        "data": {"type": "appStoreVersionLocalizations", "id": localization_id, "attributes": attrs}
    }


def localization_of(state: SandboxState, version: str, locale: str) -> str:
    return next(r.id for r in state.localizations_of(version) if r.locale == locale)


def test_there_are_fifty_locales() -> None:
    assert len(LOCALES) == 50 and {"en-US", "no", "zh-Hant", "bn-BD", "ur-PK"} <= LOCALES


def test_the_list_of_a_version(client: httpx.Client, state: SandboxState) -> None:
    live = version_id(state, WEATHER, "IOS", "2.3.0")
    response = client.get(f"/v1/appStoreVersions/{live}/appStoreVersionLocalizations")
    check(response)
    body = response.json()
    assert [d["attributes"]["locale"] for d in body["data"]] == ["en-US", "de-DE", "fr-FR"]
    assert body["data"][0]["attributes"]["whatsNew"].startswith("An hourly rain radar")
    assert body["meta"]["paging"]["total"] == 3
    assert set(body["data"][0]["relationships"]) == {
        "appScreenshotSets",
        "appPreviewSets",
        "searchKeywords",
    }
    response = client.get(
        f"/v1/appStoreVersions/{live}/appStoreVersionLocalizations",
        params={"filter[locale]": "de-DE", "fields[appStoreVersionLocalizations]": "whatsNew"},
    )
    check(response)
    (only,) = response.json()["data"]
    assert only["attributes"] == {"whatsNew": only["attributes"]["whatsNew"]}
    paged = client.get(
        f"/v1/appStoreVersions/{live}/appStoreVersionLocalizations", params={"limit": 2}
    )
    check(paged)
    assert len(paged.json()["data"]) == 2 and "next" in paged.json()["links"]
    assert client.get("/v1/appStoreVersions/nope/appStoreVersionLocalizations").status_code == 404
    too_many = client.get(
        f"/v1/appStoreVersions/{live}/appStoreVersionLocalizations", params={"limit": 201}
    )
    assert too_many.status_code == 400


def test_the_bare_collection_is_forbidden(client: httpx.Client) -> None:
    response = client.get("/v1/appStoreVersionLocalizations")
    check(response)
    assert response.status_code == 403
    assert only_error(response)["detail"] == (
        "The resource 'appStoreVersionLocalizations' does not allow 'GET_COLLECTION'. "
        "Allowed operations are: CREATE, DELETE, GET_INSTANCE, UPDATE"
    )


def test_create_read_update_delete(client: httpx.Client, state: SandboxState) -> None:
    editable = version_id(state, WEATHER, "IOS", "2.3.1")
    created = client.post(
        "/v1/appStoreVersionLocalizations",
        json=loc_body(editable, "ja", whatsNew="バグ修正", supportUrl="https://example.com/ja"),
    )
    check(created)
    assert created.status_code == 201
    new_id = created.json()["data"]["id"]
    assert created.json()["links"]["self"] == f"{BASE}/v1/appStoreVersionLocalizations/{new_id}"
    read = client.get(f"/v1/appStoreVersionLocalizations/{new_id}")
    check(read)
    assert read.json()["data"]["attributes"]["whatsNew"] == "バグ修正"
    patched = client.patch(
        f"/v1/appStoreVersionLocalizations/{new_id}",
        json=loc_patch(new_id, whatsNew="Bug fixes", keywords=None),
    )
    check(patched)
    assert patched.status_code == 200
    assert patched.json()["data"]["attributes"]["whatsNew"] == "Bug fixes"
    deleted = client.delete(f"/v1/appStoreVersionLocalizations/{new_id}")
    check(deleted)
    assert deleted.status_code == 204
    gone = client.get(f"/v1/appStoreVersionLocalizations/{new_id}")
    check(gone)
    assert gone.status_code == 404


def test_an_unknown_locale_is_e18(client: httpx.Client, state: SandboxState) -> None:
    editable = version_id(state, WEATHER, "IOS", "2.3.1")
    for locale in ("fa-IR", "bn", "nb"):
        response = client.post("/v1/appStoreVersionLocalizations", json=loc_body(editable, locale))
        check(response)
        error = only_error(response)
        assert response.status_code == 409
        assert error["detail"] == f"Un-supported locale: {locale}"
        assert error["source"] == {"pointer": "/data/attributes/locale"}


def test_a_second_localization_of_a_locale_is_a_duplicate(
    client: httpx.Client, state: SandboxState
) -> None:
    editable = version_id(state, WEATHER, "IOS", "2.3.1")
    response = client.post("/v1/appStoreVersionLocalizations", json=loc_body(editable, "de-DE"))
    check(response)
    error = only_error(response)
    assert response.status_code == 409
    assert error["code"] == "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE"
    assert error["detail"] == "Entity with locale: de-DE already exists. Try updating."


@pytest.mark.parametrize(
    ("app_id", "platform", "version", "allowed"),
    [
        (WEATHER, "IOS", "2.3.1", True),  # PREPARE_FOR_SUBMISSION
        (NOTES, "MAC_OS", "3.0.1", True),  # REJECTED
        (PODCASTS, "IOS", "4.9.0", False),  # IN_REVIEW
        (CHESS, "IOS", "1.2", False),  # READY_FOR_DISTRIBUTION
    ],
)
def test_locales_are_added_only_before_submission_e11(
    client: httpx.Client,
    state: SandboxState,
    app_id: str,
    platform: str,
    version: str,
    allowed: bool,
) -> None:
    vid = version_id(state, app_id, platform, version)
    response = client.post("/v1/appStoreVersionLocalizations", json=loc_body(vid, "it"))
    check(response)
    if allowed:
        assert response.status_code == 201
        return
    assert response.status_code == 409
    assert only_error(response)["detail"] == (
        "Cannot create localization after the app version has been submitted for review."
    )


@pytest.mark.parametrize("version_state", ["WAITING_FOR_REVIEW", "INVALID_BINARY"])
def test_the_stricter_reading_of_r19(version_state: str) -> None:
    state = SandboxState()
    app_id = state.add_app("com.example.a")
    state.add_version(app_id, version_string="1.0", app_version_state="READY_FOR_DISTRIBUTION")
    vid = state.add_version(app_id, version_string="1.1", app_version_state=version_state)
    with httpx.Client(transport=SandboxApp(state).transport(), base_url=BASE) as http:
        response = http.post("/v1/appStoreVersionLocalizations", json=loc_body(vid, "it"))
    assert response.status_code == 409
    assert "submitted for review" in only_error(response)["detail"]


def first_version_state() -> tuple[SandboxState, str, str]:
    state = SandboxState()
    app_id = state.add_app("com.example.first")
    vid = state.add_version(app_id, platform="MAC_OS")
    state.add_version(app_id, platform="IOS", app_version_state="READY_FOR_DISTRIBUTION")
    return state, vid, state.add_localization(vid, "en-US")


def test_whats_new_on_a_first_version_is_e10_and_refuses_the_whole_patch() -> None:
    state, vid, loc = first_version_state()
    with httpx.Client(transport=SandboxApp(state).transport(), base_url=BASE) as http:
        response = http.patch(
            f"/v1/appStoreVersionLocalizations/{loc}",
            json=loc_patch(loc, whatsNew="New!", description="Changed"),
        )
        check(response)
        error = only_error(response)
        assert response.status_code == 409 and error["code"] == "STATE_ERROR"
        assert error["detail"] == "Attribute 'whatsNew' cannot be edited at this time"
        assert state.localizations[loc].description is None  # nothing was applied
        created = http.post(
            "/v1/appStoreVersionLocalizations", json=loc_body(vid, "fr-FR", whatsNew="x")
        )
        check(created)
        assert created.status_code == 409
        assert only_error(created)["detail"] == "Attribute 'whatsNew' cannot be edited at this time"
        fine = http.patch(
            f"/v1/appStoreVersionLocalizations/{loc}", json=loc_patch(loc, description="Changed")
        )
        assert fine.status_code == 200


def test_locale_cannot_be_sent_in_a_patch(client: httpx.Client, state: SandboxState) -> None:
    loc = localization_of(state, version_id(state, WEATHER, "IOS", "2.3.1"), "en-US")
    response = client.patch(
        f"/v1/appStoreVersionLocalizations/{loc}", json=loc_patch(loc, locale="en-GB")
    )
    check(response)
    error = only_error(response)
    assert response.status_code == 409
    assert error["code"] == "ENTITY_ERROR.ATTRIBUTE.NOT_ALLOWED"
    assert error["source"] == {"pointer": "/data/attributes/locale"}


def test_a_live_version_takes_only_promotional_text(
    client: httpx.Client, state: SandboxState
) -> None:
    loc = localization_of(state, version_id(state, WEATHER, "IOS", "2.3.0"), "en-US")
    response = client.patch(
        f"/v1/appStoreVersionLocalizations/{loc}",
        json=loc_patch(loc, description="x", whatsNew="y", promotionalText="z"),
    )
    check(response)
    errors = response.json()["errors"]
    assert response.status_code == 409
    assert [e["detail"] for e in errors] == [
        "Attribute 'description' cannot be edited at this time",
        "Attribute 'whatsNew' cannot be edited at this time",
    ]
    ok = client.patch(
        f"/v1/appStoreVersionLocalizations/{loc}", json=loc_patch(loc, promotionalText="Sale!")
    )
    check(ok)
    assert ok.status_code == 200
    assert ok.json()["data"]["attributes"]["promotionalText"] == "Sale!"


def test_in_review_only_promotional_text_is_refused_too(
    client: httpx.Client, state: SandboxState
) -> None:
    loc = localization_of(state, version_id(state, PODCASTS, "IOS", "4.9.0"), "en-US")
    response = client.patch(
        f"/v1/appStoreVersionLocalizations/{loc}", json=loc_patch(loc, promotionalText="x")
    )
    check(response)
    assert response.status_code == 409
    assert only_error(response)["source"] == {"pointer": "/data/attributes/promotionalText"}


@pytest.mark.parametrize(
    ("name", "ok", "too_long"),
    [
        ("whatsNew", "é" * 4000, "é" * 4001),
        ("promotionalText", "x" * 170, "x" * 171),
        ("description", "日" * 4000, "日" * 4001),
        ("keywords", "a" * 100, "é" * 51),  # 102 bytes, 51 characters
    ],
)
def test_lengths(
    client: httpx.Client, state: SandboxState, name: str, ok: str, too_long: str
) -> None:
    loc = localization_of(state, version_id(state, WEATHER, "IOS", "2.3.1"), "en-US")
    fine = client.patch(
        f"/v1/appStoreVersionLocalizations/{loc}", json=loc_patch(loc, **{name: ok})
    )
    assert fine.status_code == 200
    response = client.patch(
        f"/v1/appStoreVersionLocalizations/{loc}", json=loc_patch(loc, **{name: too_long})
    )
    check(response)
    error = only_error(response)
    assert response.status_code == 409
    assert error["code"] == "ENTITY_ERROR.ATTRIBUTE.INVALID"
    assert error["source"] == {"pointer": f"/data/attributes/{name}"}


def test_request_bodies_are_checked_against_the_schema(
    client: httpx.Client, state: SandboxState
) -> None:
    editable = version_id(state, WEATHER, "IOS", "2.3.1")
    bad_url = client.post(
        "/v1/appStoreVersionLocalizations", json=loc_body(editable, "it", supportUrl="not a url")
    )
    check(bad_url)
    assert only_error(bad_url)["source"] == {"pointer": "/data/attributes/supportUrl"}
    no_version = client.post(
        "/v1/appStoreVersionLocalizations",
        json={"data": {"type": "appStoreVersionLocalizations", "attributes": {"locale": "it"}}},
    )
    check(no_version)
    assert only_error(no_version)["code"] == "ENTITY_ERROR.RELATIONSHIP.REQUIRED"
    unknown = client.post("/v1/appStoreVersionLocalizations", json=loc_body("nope", "it"))
    check(unknown)
    assert only_error(unknown)["code"] == "ENTITY_ERROR.RELATIONSHIP.INVALID"


def test_a_new_version_copies_the_previous_locales_without_whats_new(
    client: httpx.Client, state: SandboxState
) -> None:
    live = version_id(state, CHESS, "IOS", "1.2")
    response = client.post("/v1/appStoreVersions", json=create_body(CHESS, "IOS", "1.3"))
    assert response.status_code == 201
    new = response.json()["data"]["id"]
    (old,) = state.localizations_of(live)
    (copy,) = state.localizations_of(new)
    assert copy.locale == old.locale and copy.id != old.id
    assert (copy.description, copy.keywords, copy.support_url, copy.promotional_text) == (
        old.description,
        old.keywords,
        old.support_url,
        old.promotional_text,
    )
    assert old.whats_new is not None and copy.whats_new is None


def test_a_first_version_gets_the_primary_locale(client: httpx.Client, state: SandboxState) -> None:
    state.apps[PODCASTS].primary_locale = "de-DE"
    response = client.post("/v1/appStoreVersions", json=create_body(PODCASTS, "VISION_OS", "1.0"))
    assert response.status_code == 201
    (only,) = state.localizations_of(response.json()["data"]["id"])
    assert only.locale == "de-DE" and only.whats_new is None and only.description is None


def test_deleting_a_version_removes_its_children(client: httpx.Client, state: SandboxState) -> None:
    never = version_id(state, WEATHER, "TV_OS", "1.0")
    state.add_phased_release(never)
    (loc,) = state.localizations_of(never)
    assert client.delete(f"/v1/appStoreVersions/{never}").status_code == 204
    assert loc.id not in state.localizations
    assert state.phased_release_of(never) is None
    assert not any(p.version_id == never for p in state.phased_releases.values())
    assert client.get(f"/v1/appStoreVersionLocalizations/{loc.id}").status_code == 404


def test_a_localization_of_a_submitted_version_cannot_be_deleted(
    client: httpx.Client, state: SandboxState
) -> None:
    loc = localization_of(state, version_id(state, PODCASTS, "IOS", "4.9.0"), "en-US")
    response = client.delete(f"/v1/appStoreVersionLocalizations/{loc}")
    check(response)
    assert response.status_code == 403


def test_version_lists_include_localizations_capped_at_ten_by_default() -> None:
    state = SandboxState()
    app_id = state.add_app("com.example.many")
    vid = state.add_version(app_id)
    for locale in sorted(LOCALES)[:50]:
        state.add_localization(vid, locale)
    with httpx.Client(
        transport=SandboxApp(state, clock=fixed_clock).transport(), base_url=BASE
    ) as http:
        path = f"/v1/apps/{app_id}/appStoreVersions"
        default = http.get(path, params={"include": "appStoreVersionLocalizations"})
        check(default)
        relationship = default.json()["data"][0]["relationships"]["appStoreVersionLocalizations"]
        assert len(relationship["data"]) == 10
        assert relationship["meta"]["paging"] == {"total": 50, "limit": 10}
        assert len(default.json()["included"]) == 10
        full = http.get(
            path,
            params={
                "include": "appStoreVersionLocalizations",
                "limit[appStoreVersionLocalizations]": "50",
            },
        )
        check(full)
        assert len(full.json()["included"]) == 50
        over = http.get(path, params={"limit[appStoreVersionLocalizations]": "51"})
        assert over.status_code == 400


def test_version_lists_include_build_and_phased_release(
    client: httpx.Client, state: SandboxState
) -> None:
    response = client.get(
        f"/v1/apps/{CHESS}/appStoreVersions",
        params={
            "filter[platform]": "IOS",
            "include": "appStoreVersionLocalizations,build,appStoreVersionPhasedRelease",
            "limit[appStoreVersionLocalizations]": "50",
        },
    )
    check(response)
    body = response.json()
    by_version = {d["attributes"]["versionString"]: d["relationships"] for d in body["data"]}
    live, old = by_version["1.2"], by_version["1.1"]
    assert live["build"]["data"]["type"] == "builds"
    assert live["appStoreVersionPhasedRelease"]["data"]["type"] == "appStoreVersionPhasedReleases"
    assert old["build"]["data"] is None and old["appStoreVersionPhasedRelease"]["data"] is None
    types = sorted(i["type"] for i in body["included"])
    assert types == [
        "appStoreVersionLocalizations",
        "appStoreVersionLocalizations",
        "appStoreVersionPhasedReleases",
        "builds",
    ]


def test_without_include_relationships_carry_only_links(
    client: httpx.Client, state: SandboxState
) -> None:
    response = client.get(f"/v1/apps/{CHESS}/appStoreVersions")
    check(response)
    for version in response.json()["data"]:
        for name in ("appStoreVersionLocalizations", "build", "appStoreVersionPhasedRelease"):
            assert set(version["relationships"][name]) == {"links"}


def test_sparse_fieldsets_on_included_resources(client: httpx.Client, state: SandboxState) -> None:
    a = version_id(state, WEATHER, "IOS", "2.3.0")
    b = version_id(state, WEATHER, "IOS", "2.3.1")
    response = client.get(
        f"/v1/apps/{WEATHER}/appStoreVersions",
        params={
            "filter[id]": f"{a},{b}",
            "include": "appStoreVersionLocalizations,build,appStoreVersionPhasedRelease",
            "fields[appStoreVersions]": "versionString,appStoreVersionLocalizations,build",
            "fields[appStoreVersionLocalizations]": "locale,whatsNew",
            "fields[builds]": "version",
            "fields[appStoreVersionPhasedReleases]": "phasedReleaseState",
        },
    )
    check(response)
    body = response.json()
    assert sorted(d["id"] for d in body["data"]) == sorted([a, b])
    for version in body["data"]:
        assert set(version["attributes"]) == {"versionString"}
        assert set(version["relationships"]) == {"appStoreVersionLocalizations", "build"}
        assert "data" in version["relationships"]["build"]
    for resource in body["included"]:
        expected = {
            "appStoreVersionLocalizations": {"locale", "whatsNew"},
            "builds": {"version"},
        }[resource["type"]]
        assert set(resource["attributes"]) == expected
