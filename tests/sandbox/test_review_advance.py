"""`sandbox advance` keeps a version and its review submission in step; submissions survive the
state file; the delay knobs parse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.sandbox import FaultSpec, FaultSpecError, SandboxState, advance
from tests.sandbox.conftest import NOW
from tests.sandbox.reviewing import (
    APP_ID,
    account,
    item_body,
    sandbox,
    submission_body,
    version_state,
)

BUNDLE = "com.example.review"


def test_submit_by_hand_makes_the_submission_the_web_interface_makes() -> None:
    state, version = account()
    moved = advance(state, BUNDLE, "IOS", "submit", NOW)
    assert moved == f"{BUNDLE} IOS 1.1: PREPARE_FOR_SUBMISSION -> WAITING_FOR_REVIEW"
    [submission] = state.reviews.submissions.values()
    assert (submission.state, submission.submitted_date) == (
        "WAITING_FOR_REVIEW",
        "2026-11-29T12:00:00Z",
    )
    [item] = state.reviews.items_of(submission.id)
    assert (item.version_id, item.state) == (version, "READY_FOR_REVIEW")
    advance(state, BUNDLE, "IOS", "review", NOW)
    assert submission.state == "IN_REVIEW"
    advance(state, BUNDLE, "IOS", "approve", NOW)
    assert (submission.state, item.state) == ("COMPLETE", "APPROVED")
    assert state.version_records[version].app_version_state == "READY_FOR_DISTRIBUTION"


def test_reject_then_submit_again_in_the_same_submission() -> None:
    state, version = account()
    advance(state, BUNDLE, "IOS", "submit", NOW)
    advance(state, BUNDLE, "IOS", "reject", NOW)
    [submission] = state.reviews.submissions.values()
    [item] = state.reviews.items_of(submission.id)
    assert (submission.state, item.state) == ("UNRESOLVED_ISSUES", "REJECTED")
    assert state.version_records[version].app_version_state == "REJECTED"
    advance(state, BUNDLE, "IOS", "submit", NOW)
    assert list(state.reviews.submissions) == [submission.id]
    assert (submission.state, item.state) == ("WAITING_FOR_REVIEW", "READY_FOR_REVIEW")


def test_submit_sends_what_the_api_prepared() -> None:
    state, version = account()
    _, http = sandbox(state)
    submission = http.post("/v1/reviewSubmissions", json=submission_body()).json()["data"]["id"]
    http.post("/v1/reviewSubmissionItems", json=item_body(submission, version))
    moved = advance(state, BUNDLE, "IOS", "submit", NOW)
    assert moved == f"{BUNDLE} IOS 1.1: READY_FOR_REVIEW -> WAITING_FOR_REVIEW"
    assert list(state.reviews.submissions) == [submission]
    assert state.reviews.submissions[submission].state == "WAITING_FOR_REVIEW"
    # An empty draft left by a half-failed run is the one a hand submit fills.
    other_state, other_version = account()
    draft = other_state.reviews.add_submission(APP_ID)
    advance(other_state, BUNDLE, "IOS", "submit", NOW)
    assert [i.version_id for i in other_state.reviews.items_of(draft)] == [other_version]


def test_a_manual_release_after_approval_then_the_release_request_path() -> None:
    state, version = account(release_type="MANUAL")
    advance(state, BUNDLE, "IOS", "submit", NOW)
    advance(state, BUNDLE, "IOS", "approve", NOW)
    [submission] = state.reviews.submissions.values()
    assert submission.state == "COMPLETE"
    assert state.version_records[version].app_version_state == "PENDING_DEVELOPER_RELEASE"
    moved = advance(state, BUNDLE, "IOS", "release", NOW)
    assert moved == f"{BUNDLE} IOS 1.1: PENDING_DEVELOPER_RELEASE -> READY_FOR_DISTRIBUTION"


def test_versions_without_a_submission_move_as_before() -> None:
    state, version = account()
    state.version_records[version].set_state("WAITING_FOR_REVIEW")  # a file from before
    for action in ("review", "reject"):
        advance(state, BUNDLE, "IOS", action, NOW)
    assert state.version_records[version].app_version_state == "REJECTED"
    assert state.reviews.submissions == {}


def test_the_demo_account_has_podcasts_in_review(state: SandboxState) -> None:
    podcasts = next(a.id for a in state if a.bundle_id == "com.example.podcasts")
    [submission] = state.reviews.of_app(podcasts)
    [item] = state.reviews.items_of(submission.id)
    version = state.version_records[item.version_id]
    assert (submission.state, version.version_string, version.app_version_state) == (
        "IN_REVIEW",
        "4.9.0",
        "IN_REVIEW",
    )
    moved = advance(state, "com.example.podcasts", "IOS", "approve", NOW)
    assert moved == "com.example.podcasts IOS 4.9.0: IN_REVIEW -> READY_FOR_DISTRIBUTION"
    assert (submission.state, item.state) == ("COMPLETE", "APPROVED")


def test_submissions_survive_the_state_file(tmp_path: Path) -> None:
    state, version = account()
    advance(state, BUNDLE, "IOS", "submit", NOW)
    advance(state, BUNDLE, "IOS", "reject", NOW)
    issued = state.reviews.next_release_request_id()
    path = tmp_path / "state.json"
    state.save(path)
    loaded = SandboxState.load(path)
    assert loaded.to_json() == state.to_json()
    [entry] = json.loads(path.read_text())["apps"][0]["reviewSubmissions"]
    assert entry["state"] == "UNRESOLVED_ISSUES"
    assert entry["items"][0]["appStoreVersion"] == version
    # Ids keep counting up after a reload: no id is handed out twice.
    assert loaded.reviews.add_submission(APP_ID) not in state.reviews.submissions
    assert loaded.reviews.next_release_request_id() != issued


def test_a_file_without_submissions_writes_no_submission_keys() -> None:
    data = account()[0].to_json()
    assert "next_review_submission_number" not in data
    assert all("reviewSubmissions" not in app for app in data["apps"])


def test_a_state_file_must_name_its_own_versions() -> None:
    state, _ = account()
    data = state.to_json()
    data["apps"][0]["reviewSubmissions"] = [
        {"platform": "IOS", "items": [{"appStoreVersion": "not-a-version"}]}
    ]
    with pytest.raises(Exception, match="no version with id not-a-version"):
        SandboxState.from_json(data)
    data["apps"][0]["reviewSubmissions"] = [{"platform": "IOS", "colour": "red"}]
    with pytest.raises(Exception, match="unknown review submission keys: colour"):
        SandboxState.from_json(data)


def test_what_was_pending_when_the_file_was_written_settles_on_the_next_read(
    tmp_path: Path,
) -> None:
    state, version = account()
    _, http = sandbox(state, faults="ready-delay=5")
    submission = http.post("/v1/reviewSubmissions", json=submission_body()).json()["data"]["id"]
    http.post("/v1/reviewSubmissionItems", json=item_body(submission, version))
    assert version_state(http, version) == "PREPARE_FOR_SUBMISSION"
    path = tmp_path / "state.json"
    state.save(path)
    _, fresh = sandbox(SandboxState.load(path))  # another process: no timers
    assert version_state(fresh, version) == "READY_FOR_REVIEW"


def test_the_delay_knobs_parse() -> None:
    spec = FaultSpec.parse("ready-delay=3,cancel-delay=0")
    assert (spec.ready_delay, spec.cancel_delay) == (3, 0)
    assert (FaultSpec().ready_delay, FaultSpec().cancel_delay) == (0, 1)
    with pytest.raises(FaultSpecError):
        FaultSpec.parse("ready-delay=soon")


def test_cancel_delay_zero_completes_at_once() -> None:
    state, version = account()
    _, http = sandbox(state, faults="cancel-delay=0")
    submission = http.post("/v1/reviewSubmissions", json=submission_body()).json()["data"]["id"]
    canceled = http.patch(
        f"/v1/reviewSubmissions/{submission}",
        json={
            "data": {
                "type": "reviewSubmissions",
                "id": submission,
                "attributes": {"canceled": True},
            }
        },
    )
    assert canceled.json()["data"]["attributes"]["state"] == "COMPLETE"
    assert version_state(http, version) == "PREPARE_FOR_SUBMISSION"
