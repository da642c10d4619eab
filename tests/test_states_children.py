"""The planner's tables for what hangs off a version (kinds/version_states.py) against the
sandbox's behaviour, state by state.

As in tests/test_states.py, the sandbox is asked what it does (a write through its HTTP
interface is accepted or refused) rather than compared with by table name, so the core and the
simulator cannot drift apart unnoticed.
"""

from __future__ import annotations

import httpx
import pytest

from reconciler.kinds.version_states import (
    BUILD_ATTACH_STATES,
    EDITABLE_STATES,
    LOCALE_CREATE_STATES,
    PHASED_CREATE_STATES,
    PROMOTIONAL_TEXT_STATES,
    ROLLOUT_STATES,
)
from reconciler.sandbox import SandboxApp, SandboxState
from tests.openapi import document

STATES = document()["components"]["schemas"]["AppVersionState"]["enum"]


def _account(state_name: str) -> tuple[SandboxState, str, str]:
    """An app with a released 1.0 and a 2.0 in `state_name` (an update, so R15 is out of
    the way), with an en-US localization; returns the state, 2.0's id and the app's id."""
    state = SandboxState()
    app_id = state.add_app("com.example.states")
    state.add_version(app_id, version_string="1.0", app_version_state="REPLACED_WITH_NEW_VERSION")
    version_id = state.add_version(
        app_id, version_string="2.0", app_version_state=state_name, release_type="MANUAL"
    )
    state.add_localization(version_id, "en-US", whats_new="Old", promotional_text="Old")
    return state, version_id, app_id


def _client(state: SandboxState) -> httpx.Client:
    return httpx.Client(base_url="https://sandbox.test", transport=SandboxApp(state).transport())


def _localization_id(state: SandboxState, version_id: str) -> str:
    return state.localizations_of(version_id)[0].id


@pytest.mark.parametrize("state_name", STATES)
def test_a_locale_can_be_added_exactly_where_the_planner_creates_one(state_name: str) -> None:
    state, version_id, _ = _account(state_name)
    body = {
        "data": {
            "type": "appStoreVersionLocalizations",
            "attributes": {"locale": "de-DE"},
            "relationships": {
                "appStoreVersion": {"data": {"type": "appStoreVersions", "id": version_id}}
            },
        }
    }
    with _client(state) as client:
        answer = client.post("/v1/appStoreVersionLocalizations", json=body)
    assert (answer.status_code == 201) == (state_name in LOCALE_CREATE_STATES), answer.text


@pytest.mark.parametrize(
    ("attribute", "states"),
    [("whatsNew", EDITABLE_STATES), ("promotionalText", PROMOTIONAL_TEXT_STATES)],
)
@pytest.mark.parametrize("state_name", STATES)
def test_each_text_changes_exactly_where_the_planner_updates_it(
    state_name: str, attribute: str, states: frozenset[str]
) -> None:
    state, version_id, _ = _account(state_name)
    loc_id = _localization_id(state, version_id)
    body = {
        "data": {
            "type": "appStoreVersionLocalizations",
            "id": loc_id,
            "attributes": {attribute: "New"},
        }
    }
    with _client(state) as client:
        answer = client.patch(f"/v1/appStoreVersionLocalizations/{loc_id}", json=body)
    assert (answer.status_code == 200) == (state_name in states), answer.text


@pytest.mark.parametrize("state_name", STATES)
def test_a_build_is_attached_exactly_where_the_planner_attaches_one(state_name: str) -> None:
    state, version_id, app_id = _account(state_name)
    build_id = state.add_build(app_id, version="2.0", number="7")
    body = {"data": {"type": "builds", "id": build_id}}
    with _client(state) as client:
        answer = client.patch(f"/v1/appStoreVersions/{version_id}/relationships/build", json=body)
    assert (answer.status_code == 204) == (state_name in BUILD_ATTACH_STATES), answer.text


@pytest.mark.parametrize("state_name", STATES)
def test_a_phased_release_is_created_exactly_where_the_planner_creates_one(
    state_name: str,
) -> None:
    state, version_id, _ = _account(state_name)
    body = {
        "data": {
            "type": "appStoreVersionPhasedReleases",
            "attributes": {"phasedReleaseState": "INACTIVE"},
            "relationships": {
                "appStoreVersion": {"data": {"type": "appStoreVersions", "id": version_id}}
            },
        }
    }
    with _client(state) as client:
        answer = client.post("/v1/appStoreVersionPhasedReleases", json=body)
    assert (answer.status_code == 201) == (state_name in PHASED_CREATE_STATES), answer.text


@pytest.mark.parametrize("state_name", STATES)
def test_a_rollout_is_paused_exactly_where_the_planner_pauses_one(state_name: str) -> None:
    state, version_id, _ = _account(state_name)
    phased_id = state.add_phased_release(version_id, "ACTIVE")
    body = {
        "data": {
            "type": "appStoreVersionPhasedReleases",
            "id": phased_id,
            "attributes": {"phasedReleaseState": "PAUSED"},
        }
    }
    with _client(state) as client:
        answer = client.patch(f"/v1/appStoreVersionPhasedReleases/{phased_id}", json=body)
    assert (answer.status_code == 200) == (state_name in ROLLOUT_STATES), answer.text
