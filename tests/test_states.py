"""The planner's state table (kinds/version_states.py) against Apple's enums and the sandbox.

The sandbox is a second, independent reading of Apple's rules; these tests ask it how it
behaves for each state (can the version be changed, does it block a new version) rather than
comparing two tables by name, so a disagreement fails here instead of at apply time.
"""

from __future__ import annotations

import pytest

from reconciler.kinds.version_states import (
    APP_STORE_STATE_NAMES,
    DONE_STATES,
    EDITABLE_STATES,
    IN_FLIGHT_STATES,
    StateGroup,
    current_state,
    state_group,
)
from reconciler.sandbox import rules
from reconciler.sandbox.state import APP_STORE_STATE_OF, SandboxState
from tests.openapi import document

SCHEMAS = document()["components"]["schemas"]
APP_VERSION_STATES = SCHEMAS["AppVersionState"]["enum"]
APP_STORE_STATES = SCHEMAS["AppStoreVersionState"]["enum"]


def test_the_three_groups_name_every_app_version_state_once() -> None:
    groups = [EDITABLE_STATES, IN_FLIGHT_STATES, DONE_STATES]
    assert sorted(s for group in groups for s in group) == sorted(APP_VERSION_STATES)


def test_every_deprecated_app_store_state_has_a_meaning() -> None:
    assert sorted(APP_STORE_STATE_NAMES) == sorted(APP_STORE_STATES)
    for meaning in APP_STORE_STATE_NAMES.values():
        assert meaning in APP_VERSION_STATES or meaning == "NOT_APPLICABLE"


def _sandbox_group(state_name: str) -> StateGroup:
    """How the sandbox treats a version in this state: editable when a PATCH of its copyright
    is accepted; done when it lets a new, higher version be created next to it."""
    state = SandboxState()
    app_id = state.add_app("com.example.states")
    version_id = state.add_version(
        app_id, version_string="1.0", app_version_state=state_name, release_type="MANUAL"
    )
    version = state.version_records[version_id]
    if rules.check_update(version, state, {"copyright": "2026"}) is None:
        return StateGroup.EDITABLE
    create = {"platform": "IOS", "versionString": "2.0", "releaseType": "MANUAL"}
    if rules.check_create(state, app_id, create) is None:
        return StateGroup.DONE
    return StateGroup.IN_FLIGHT


@pytest.mark.parametrize("state_name", APP_VERSION_STATES)
def test_the_planner_and_the_sandbox_group_each_state_alike(state_name: str) -> None:
    assert state_group(state_name) is _sandbox_group(state_name)


@pytest.mark.parametrize("state_name", APP_VERSION_STATES)
def test_the_old_name_the_sandbox_serves_reads_back_as_the_same_state(state_name: str) -> None:
    old = APP_STORE_STATE_OF[state_name]
    assert old in APP_STORE_STATES
    assert current_state(None, old) == state_name


@pytest.mark.parametrize(
    ("old", "group"),
    [
        ("READY_FOR_SALE", StateGroup.DONE),
        ("PROCESSING_FOR_APP_STORE", StateGroup.IN_FLIGHT),
        ("REMOVED_FROM_SALE", StateGroup.DONE),
        ("DEVELOPER_REMOVED_FROM_SALE", StateGroup.DONE),
        ("PREORDER_READY_FOR_SALE", StateGroup.DONE),
        ("PENDING_CONTRACT", StateGroup.IN_FLIGHT),
        ("NOT_APPLICABLE", StateGroup.IN_FLIGHT),
        ("PREPARE_FOR_SUBMISSION", StateGroup.EDITABLE),
    ],
)
def test_a_version_with_only_the_deprecated_state_is_grouped_by_it(
    old: str, group: StateGroup
) -> None:
    assert state_group(current_state(None, old)) is group


def test_app_version_state_wins_over_the_deprecated_one_and_nothing_is_unknown() -> None:
    assert current_state("PREPARE_FOR_SUBMISSION", "READY_FOR_SALE") == "PREPARE_FOR_SUBMISSION"
    assert current_state(None, None) == "UNKNOWN"
    assert state_group("UNKNOWN") is StateGroup.IN_FLIGHT
    assert state_group(current_state(None, "SOMETHING_NEW")) is StateGroup.IN_FLIGHT


@pytest.mark.parametrize(
    ("state_name", "group"),
    [
        ("PREPARE_FOR_SUBMISSION", StateGroup.EDITABLE),
        ("WAITING_FOR_REVIEW", StateGroup.EDITABLE),
        ("REJECTED", StateGroup.EDITABLE),
        ("IN_REVIEW", StateGroup.IN_FLIGHT),
        ("READY_FOR_REVIEW", StateGroup.IN_FLIGHT),
        ("PENDING_DEVELOPER_RELEASE", StateGroup.IN_FLIGHT),
        ("PROCESSING_FOR_DISTRIBUTION", StateGroup.IN_FLIGHT),
        ("READY_FOR_DISTRIBUTION", StateGroup.DONE),
        ("REPLACED_WITH_NEW_VERSION", StateGroup.DONE),
        ("SOMETHING_NEW_FROM_APPLE", StateGroup.IN_FLIGHT),
    ],
)
def test_state_groups(state_name: str, group: StateGroup) -> None:
    assert state_group(state_name) is group
