"""`advance`: walking a version through App Review, as Apple would."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reconciler.sandbox import LifecycleError, SandboxState, advance
from tests.sandbox.conftest import CHESS, NOTES, PODCASTS, WEATHER

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def states(state: SandboxState, app_id: str, platform: str) -> dict[str, str]:
    return {v.version_string: v.app_version_state for v in state.versions(app_id, platform)}


def test_a_manual_version_waits_for_the_developer_then_replaces_the_live_one(
    state: SandboxState,
) -> None:
    steps = [
        advance(state, "com.example.weather", "IOS", a, NOW)
        for a in ("submit", "review", "approve")
    ]
    assert steps[-1] == "com.example.weather IOS 2.3.1: IN_REVIEW -> PENDING_DEVELOPER_RELEASE"
    assert states(state, WEATHER, "IOS")["2.3.0"] == "READY_FOR_DISTRIBUTION"
    advance(state, "com.example.weather", "IOS", "release", NOW)
    assert states(state, WEATHER, "IOS") == {
        "2.3.1": "READY_FOR_DISTRIBUTION",
        "2.3.0": "REPLACED_WITH_NEW_VERSION",
    }
    version = state.versions(WEATHER, "IOS")[0]
    assert version.app_store_state == "READY_FOR_SALE" and version.submitted


def test_after_approval_releases_on_approve(state: SandboxState) -> None:
    advance(state, "com.example.podcasts", "IOS", "approve", NOW)
    assert states(state, PODCASTS, "IOS") == {
        "4.9.0": "READY_FOR_DISTRIBUTION",
        "4.8": "REPLACED_WITH_NEW_VERSION",
    }


def test_scheduled_in_the_future_waits_for_apple(state: SandboxState) -> None:
    state.add_version(
        CHESS,
        platform="TV_OS",
        version_string="1.2",
        release_type="SCHEDULED",
        earliest_release_date="2026-12-24T08:00:00Z",
        app_version_state="IN_REVIEW",
    )
    advance(state, "com.example.chess", "TV_OS", "approve", NOW)
    assert states(state, CHESS, "TV_OS")["1.2"] == "PENDING_APPLE_RELEASE"
    advance(state, "com.example.chess", "TV_OS", "release", NOW)
    assert states(state, CHESS, "TV_OS") == {
        "1.2": "READY_FOR_DISTRIBUTION",
        "1.1": "REPLACED_WITH_NEW_VERSION",
    }


def test_reject_then_resubmit(state: SandboxState) -> None:
    advance(state, "com.example.podcasts", "IOS", "reject", NOW)
    assert states(state, PODCASTS, "IOS")["4.9.0"] == "REJECTED"
    advance(state, "com.example.podcasts", "IOS", "submit", NOW)
    assert states(state, PODCASTS, "IOS")["4.9.0"] == "WAITING_FOR_REVIEW"
    advance(state, "com.example.notes", "MAC_OS", "submit", NOW)
    assert states(state, NOTES, "MAC_OS")["3.0.1"] == "WAITING_FOR_REVIEW"


@pytest.mark.parametrize(
    ("bundle", "platform", "action", "message"),
    [
        ("com.example.nope", "IOS", "submit", "no app with bundle id"),
        ("com.example.weather", "ANDROID", "submit", "platform must be one of"),
        ("com.example.weather", "IOS", "ship", "action must be one of"),
        ("com.example.chess", "IOS", "submit", "has no version waiting"),
        ("com.example.weather", "IOS", "release", "cannot release"),
        ("com.example.podcasts", "IOS", "submit", "it is IN_REVIEW"),
    ],
)
def test_actions_that_do_not_apply_say_why(
    state: SandboxState, bundle: str, platform: str, action: str, message: str
) -> None:
    with pytest.raises(LifecycleError, match=message):
        advance(state, bundle, platform, action, NOW)
