"""The fault spec and targeted faults cover the creates and reads of localizations, builds and
phased releases as they cover versions."""

from __future__ import annotations

import httpx
import pytest

from reconciler.sandbox import SandboxApp, SandboxState
from tests.sandbox.conftest import BASE, WEATHER, fixed_clock, version_id
from tests.sandbox.test_localizations import loc_body
from tests.sandbox.test_phased import phased_body


def client_for(app: SandboxApp) -> httpx.Client:
    return httpx.Client(transport=app.transport(), base_url=BASE)


def test_an_ambiguous_localization_create_commits_then_answers_500(state: SandboxState) -> None:
    app = SandboxApp(state, faults="ambiguous-create=1", clock=fixed_clock)
    editable = version_id(state, WEATHER, "IOS", "2.3.1")
    with client_for(app) as client:
        response = client.post("/v1/appStoreVersionLocalizations", json=loc_body(editable, "it"))
        assert response.status_code == 500
        assert "it" in [r.locale for r in state.localizations_of(editable)]
        retry = client.post("/v1/appStoreVersionLocalizations", json=loc_body(editable, "it"))
        assert retry.status_code == 409  # a blind retry finds the duplicate: re-read first


def test_an_ambiguous_phased_release_create(state: SandboxState) -> None:
    app = SandboxApp(state, faults="ambiguous-create=1", clock=fixed_clock)
    editable = version_id(state, WEATHER, "IOS", "2.3.1")
    with client_for(app) as client:
        assert (
            client.post("/v1/appStoreVersionPhasedReleases", json=phased_body(editable)).status_code
            == 500
        )
    assert state.phased_release_of(editable) is not None


def test_a_new_localization_is_invisible_to_list_reads_for_n_reads(state: SandboxState) -> None:
    app = SandboxApp(state, faults="invisible=2", clock=fixed_clock)
    editable = version_id(state, WEATHER, "IOS", "2.3.1")
    path = f"/v1/appStoreVersions/{editable}/appStoreVersionLocalizations"
    with client_for(app) as client:
        new = client.post("/v1/appStoreVersionLocalizations", json=loc_body(editable, "it"))
        new_id = new.json()["data"]["id"]
        included = client.get(
            f"/v1/apps/{WEATHER}/appStoreVersions",
            params={"filter[id]": editable, "include": "appStoreVersionLocalizations"},
        )
        ids = [r["id"] for r in included.json().get("included", [])]
        reads = [[d["id"] for d in client.get(path).json()["data"]] for _ in range(2)]
        direct = client.get(f"/v1/appStoreVersionLocalizations/{new_id}")
    assert new_id not in ids
    assert new_id not in reads[0] and new_id in reads[1]
    assert direct.status_code == 200


@pytest.mark.parametrize(
    ("method", "prefix", "path"),
    [
        ("POST", "/v1/appStoreVersionLocalizations", "/v1/appStoreVersionLocalizations"),
        ("PATCH", "/v1/appStoreVersions/", "/v1/appStoreVersions/x/relationships/build"),
        ("GET", "/v1/builds", "/v1/builds?filter[app]=1"),
        ("DELETE", "/v1/appStoreVersionPhasedReleases/", "/v1/appStoreVersionPhasedReleases/x"),
    ],
)
def test_targeted_faults_match_the_new_paths(
    state: SandboxState, method: str, prefix: str, path: str
) -> None:
    app = SandboxApp(state, clock=fixed_clock)
    app.fail_next(method, prefix, "503")
    with client_for(app) as client:
        assert client.request(method, path).status_code == 503
    assert app.targeted.pending == []
