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


def test_a_release_starts_an_inactive_phased_release(state: SandboxState) -> None:
    notes = next(v for v in state.versions(NOTES, "IOS") if v.version_string == "3.1.0")
    notes.release_type = "MANUAL"
    phased_id = state.add_phased_release(notes.id)
    for action in ("submit", "approve"):
        advance(state, "com.example.notes", "IOS", action, NOW)
    assert state.phased_releases[phased_id].state == "INACTIVE"
    moved = advance(state, "com.example.notes", "IOS", "release", NOW)
    assert moved.endswith("; phased release ACTIVE, day 1")
    phased = state.phased_releases[phased_id]
    assert (phased.state, phased.current_day_number, phased.start_date) == (
        "ACTIVE",
        1,
        "2026-11-29T12:00:00Z",
    )


def test_approve_to_ready_for_distribution_starts_it_too(state: SandboxState) -> None:
    in_review = state.versions(PODCASTS, "IOS")[0]
    phased_id = state.add_phased_release(in_review.id)
    advance(state, "com.example.podcasts", "IOS", "approve", NOW)
    assert state.phased_releases[phased_id].state == "ACTIVE"


def test_process_finishes_processing_builds(state: SandboxState) -> None:
    moved = advance(state, "com.example.weather", "IOS", "process", NOW)
    assert moved == "com.example.weather IOS builds 2.4.0 (2041): PROCESSING -> VALID"
    assert {
        b.number: b.processing_state for b in state.builds_of(WEATHER) if b.train == "2.4.0"
    } == {
        "2040": "VALID",
        "2041": "VALID",
    }
    with pytest.raises(LifecycleError, match="no build in PROCESSING"):
        advance(state, "com.example.weather", "IOS", "process", NOW)


def test_process_one_build_by_number(state: SandboxState) -> None:
    state.add_build(WEATHER, version="2.4.0", number="2042", processing_state="PROCESSING")
    advance(state, "com.example.weather", "IOS", "process", NOW, build="2042")
    states_by_number = {b.number: b.processing_state for b in state.builds_of(WEATHER)}
    assert states_by_number["2042"] == "VALID" and states_by_number["2041"] == "PROCESSING"
    with pytest.raises(LifecycleError, match="no build 9 in PROCESSING"):
        advance(state, "com.example.weather", "IOS", "process", NOW, build="9")
    with pytest.raises(LifecycleError, match="goes with the action process"):
        advance(state, "com.example.weather", "IOS", "submit", NOW, build="2041")


def test_rollout_moves_a_day_and_completes_after_day_seven(state: SandboxState) -> None:
    moves = [advance(state, "com.example.chess", "IOS", "rollout", NOW) for _ in range(5)]
    assert moves[0] == "com.example.chess IOS 1.2: phased release day 4 of 7"
    assert moves[-1] == "com.example.chess IOS 1.2: phased release COMPLETE"
    (phased,) = [p for p in state.phased_releases.values() if p.state == "COMPLETE"]
    assert phased.current_day_number == 7
    with pytest.raises(LifecycleError, match="no ACTIVE phased release"):
        advance(state, "com.example.chess", "IOS", "rollout", NOW)
    with pytest.raises(LifecycleError, match="no ACTIVE phased release"):
        advance(state, "com.example.weather", "IOS", "rollout", NOW)
