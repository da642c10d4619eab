"""Review submissions over the in-process transport: Apple's three steps, every error with its
exact code, detail and associated errors, a failure at each step leaving what Apple leaves,
resubmission after a rejection, cancelling. Every answer goes through the conformance checker."""

from __future__ import annotations

import httpx
import pytest

from reconciler.sandbox import SandboxApp, SandboxServer, SandboxState, advance
from tests.sandbox.conformance import check
from tests.sandbox.conftest import NOW, fixed_clock, only_error
from tests.sandbox.reviewing import (
    APP_ID,
    account,
    captured,
    item_body,
    patch_body,
    release_body,
    sandbox,
    submission_body,
    version_state,
    without_ids,
)


def three_steps(http: httpx.Client, version: str) -> tuple[str, str, httpx.Response]:
    created = http.post("/v1/reviewSubmissions", json=submission_body())
    assert created.status_code == 201, created.json()
    submission = created.json()["data"]["id"]
    item = http.post("/v1/reviewSubmissionItems", json=item_body(submission, version))
    assert item.status_code == 201, item.json()
    submitted = http.patch(
        f"/v1/reviewSubmissions/{submission}", json=patch_body(submission, submitted=True)
    )
    return submission, item.json()["data"]["id"], submitted


def test_the_three_steps_send_a_version_to_review() -> None:
    state, version = account()
    _, http = sandbox(state)
    created = http.post("/v1/reviewSubmissions", json=submission_body())
    assert created.status_code == 201
    data = created.json()["data"]
    assert data["attributes"] == {
        "platform": "IOS",
        "submittedDate": None,
        "state": "READY_FOR_REVIEW",
    }
    assert set(data["relationships"]) == {"items"}  # linkage only when included (R33)
    item = http.post("/v1/reviewSubmissionItems", json=item_body(data["id"], version))
    assert item.status_code == 201
    assert item.json()["data"]["attributes"] == {"state": "READY_FOR_REVIEW"}
    assert version_state(http, version) == "READY_FOR_REVIEW"
    submitted = http.patch(
        f"/v1/reviewSubmissions/{data['id']}", json=patch_body(data["id"], submitted=True)
    )
    assert submitted.status_code == 200
    assert submitted.json()["data"]["attributes"] == {
        "platform": "IOS",
        "submittedDate": "2026-11-29T12:00:00Z",
        "state": "WAITING_FOR_REVIEW",
    }
    assert version_state(http, version) == "WAITING_FOR_REVIEW"
    assert state.version_records[version].submitted


def test_the_list_needs_filter_app_and_reads_what_is_included() -> None:
    state, version = account()
    _, http = sandbox(state)
    missing = http.get("/v1/reviewSubmissions")
    assert missing.status_code == 400
    assert only_error(missing) == {
        "status": "400",
        "code": "PARAMETER_ERROR.REQUIRED",
        "title": "A required parameter is missing.",
        "detail": "The parameter 'filter[app]' is required for this request",
        "source": {"parameter": "filter[app]"},
    }
    submission, item, _ = three_steps(http, version)
    listed = http.get(
        "/v1/reviewSubmissions",
        params={
            "filter[app]": APP_ID,
            "filter[state]": "READY_FOR_REVIEW,WAITING_FOR_REVIEW,IN_REVIEW",
            "filter[platform]": "IOS",
            "include": "items,appStoreVersionForReview,app",
        },
    )
    assert listed.status_code == 200
    [found] = listed.json()["data"]
    assert found["id"] == submission
    relationships = found["relationships"]
    assert relationships["items"]["data"] == [{"type": "reviewSubmissionItems", "id": item}]
    assert relationships["items"]["meta"] == {"paging": {"total": 1, "limit": 10}}
    assert relationships["appStoreVersionForReview"]["data"]["id"] == version
    assert relationships["app"]["data"] == {"type": "apps", "id": APP_ID}
    included = {(r["type"], r["id"]) for r in listed.json()["included"]}
    assert included == {
        ("reviewSubmissionItems", item),
        ("appStoreVersions", version),
        ("apps", APP_ID),
    }
    for params in ({"filter[state]": "READY_FOR_REVIEW"}, {"filter[platform]": "MAC_OS"}):
        none = http.get("/v1/reviewSubmissions", params={"filter[app]": APP_ID, **params})
        assert none.json()["data"] == []
    other_app = http.get("/v1/reviewSubmissions", params={"filter[app]": "9999999999"})
    assert other_app.json()["data"] == []
    bad = http.get("/v1/reviewSubmissions", params={"filter[app]": APP_ID, "filter[state]": "X"})
    assert bad.status_code == 400 and only_error(bad)["code"] == "PARAMETER_ERROR.INVALID"


def test_instance_and_items_reads() -> None:
    state, version = account()
    _, http = sandbox(state)
    submission, item, _ = three_steps(http, version)
    one = http.get(
        f"/v1/reviewSubmissions/{submission}",
        params={"fields[reviewSubmissions]": "state,items", "include": "items"},
    )
    assert one.json()["data"]["attributes"] == {"state": "WAITING_FOR_REVIEW"}
    assert [r["id"] for r in one.json()["included"]] == [item]
    assert "relationships" not in one.json()["included"][0]  # no nested linkage (R12)
    items = http.get(f"/v1/reviewSubmissions/{submission}/items")
    assert [i["id"] for i in items.json()["data"]] == [item]
    assert "relationships" not in items.json()["data"][0]
    with_version = http.get(
        f"/v1/reviewSubmissions/{submission}/items", params={"include": "appStoreVersion"}
    )
    [entry] = with_version.json()["data"]
    assert entry["relationships"]["appStoreVersion"]["data"]["id"] == version
    assert with_version.json()["included"][0]["id"] == version
    assert http.get("/v1/reviewSubmissions/nope").status_code == 404
    assert http.get("/v1/reviewSubmissions/nope/items").status_code == 404


def test_an_open_submission_blocks_a_second_one_e15() -> None:
    state, _ = account()
    _, http = sandbox(state)
    first = http.post("/v1/reviewSubmissions", json=submission_body()).json()["data"]["id"]
    again = http.post("/v1/reviewSubmissions", json=submission_body(platform=None))
    assert again.status_code == 409
    assert only_error(again) == {
        "status": "409",
        "code": "STATE_ERROR",
        "title": "The request cannot be fulfilled because of the state of another resource.",
        "detail": f"There is another reviewSubmissions with id {first} still in progress.",
    }
    mac = http.post("/v1/reviewSubmissions", json=submission_body(platform="MAC_OS"))
    assert mac.status_code == 201  # one per app and platform
    unknown = http.post("/v1/reviewSubmissions", json=submission_body(app_id="42"))
    assert only_error(unknown)["code"] == "ENTITY_ERROR.RELATIONSHIP.INVALID"
    assert len(state.reviews.submissions) == 2


@pytest.mark.parametrize(
    ("other", "blocks"),
    [
        ("WAITING_FOR_REVIEW", True),
        ("IN_REVIEW", True),
        ("CANCELING", True),
        ("COMPLETING", True),
        ("UNRESOLVED_ISSUES", False),
        ("COMPLETE", False),
    ],
)
def test_which_states_block_a_new_submission(other: str, blocks: bool) -> None:
    state, _ = account()
    state.reviews.add_submission(APP_ID, "IOS", other)
    _, http = sandbox(state, faults="cancel-delay=5")
    answer = http.post("/v1/reviewSubmissions", json=submission_body())
    assert answer.status_code == (409 if blocks else 201)


def test_the_captured_run_e16_then_e19() -> None:
    """The report behind the captures: a rejected 1.0 still in its UNRESOLVED_ISSUES submission,
    a new submission created, the item POST refused (E16), the empty one submitted (E19)."""
    state = SandboxState()
    state.add_app("com.example.captured", app_id="6774482124")
    state.add_version(
        "6774482124", version_id="886271058", app_version_state="REJECTED", version_string="1.0"
    )
    old = state.reviews.add_submission(
        "6774482124",
        "IOS",
        "UNRESOLVED_ISSUES",
        submission_id="200d7fd2-3f06-49ef-8be9-b98ef488728e",
    )
    state.reviews.add_item(old, "886271058", "REJECTED")
    _, http = sandbox(state)
    created = http.post("/v1/reviewSubmissions", json=submission_body(app_id="6774482124"))
    assert created.status_code == 201
    new = created.json()["data"]["id"]
    item = http.post("/v1/reviewSubmissionItems", json=item_body(new, "886271058"))
    assert item.status_code == 409
    assert item.json() == without_ids(
        captured("post_reviewSubmissionItems_409_item_part_of_another_submission.json")
    )
    empty = http.patch(f"/v1/reviewSubmissions/{new}", json=patch_body(new, submitted=True))
    assert empty.status_code == 409
    assert empty.json() == without_ids(
        captured("patch_reviewSubmissions_submitted_409_relationship_required.json")
    )
    # The empty one now blocks the next run (R26) until it is reused or cancelled.
    blocked = http.post("/v1/reviewSubmissions", json=submission_body(app_id="6774482124"))
    assert new in only_error(blocked)["detail"]


def test_e17_names_every_missing_piece_on_the_item_post() -> None:
    state, version = account(whats_new=None, build=None)
    localization = state.localizations_of(version)[0]
    localization.keywords = None
    _, http = sandbox(state)
    submission = http.post("/v1/reviewSubmissions", json=submission_body()).json()["data"]["id"]
    refused = http.post("/v1/reviewSubmissionItems", json=item_body(submission, version))
    assert refused.status_code == 409
    error = only_error(refused)
    outer = without_ids(captured("error_response_entity_state_invalid.json"))["errors"][0]
    assert error["code"] == outer["code"] == "STATE_ERROR.ENTITY_STATE_INVALID"
    assert error["title"] == f"appStoreVersions with id '{version}' is not in valid state."
    assert error["detail"] == outer["detail"]
    associated = error["meta"]["associatedErrors"]
    assert associated[f"/v1/appStoreVersions/{version}"] == [
        {
            "status": "409",
            "code": "ENTITY_ERROR.RELATIONSHIP.REQUIRED",
            "title": "The provided entity is missing a required relationship",
            "detail": "You must provide a value for the relationship 'build' with this request",
            "source": {"pointer": "/data/relationships/build"},
        }
    ]
    texts = associated[f"/v1/appStoreVersionLocalizations/{localization.id}"]
    assert [e["source"]["pointer"] for e in texts] == [
        "/data/attributes/keywords",
        "/data/attributes/whatsNew",
    ]
    keywords = next(iter(outer["meta"]["associatedErrors"].values()))[1]
    assert texts[0] == keywords  # the captured entry, word for word
    # The failed step 2 leaves an empty READY_FOR_REVIEW submission and the version as it was.
    assert state.reviews.submissions[submission].items == []
    assert version_state(http, version) == "PREPARE_FOR_SUBMISSION"


def test_e17_for_a_build_not_processed_and_none_for_a_first_version_without_whats_new() -> None:
    state, version = account(build="PROCESSING")
    _, http = sandbox(state)
    submission = http.post("/v1/reviewSubmissions", json=submission_body()).json()["data"]["id"]
    refused = http.post("/v1/reviewSubmissionItems", json=item_body(submission, version))
    build = state.version_records[version].build_id
    [entry] = only_error(refused)["meta"]["associatedErrors"][f"/v1/builds/{build}"]
    assert entry["detail"] == "The build is not in a valid processing state for this operation"
    first_state, first_version = account(first=True, whats_new=None)
    _, first_http = sandbox(first_state)
    submission, _, submitted = three_steps(first_http, first_version)
    assert submitted.status_code == 200


def test_items_are_refused_where_apple_refuses_them() -> None:
    state, version = account()
    in_review = state.add_version(APP_ID, platform="MAC_OS", app_version_state="IN_REVIEW")
    _, http = sandbox(state)
    submission = http.post("/v1/reviewSubmissions", json=submission_body()).json()["data"]["id"]
    unknown = http.post("/v1/reviewSubmissionItems", json=item_body("nope", version))
    assert only_error(unknown)["source"] == {"pointer": "/data/relationships/reviewSubmission"}
    other_platform = http.post("/v1/reviewSubmissionItems", json=item_body(submission, in_review))
    assert only_error(other_platform)["code"] == "ENTITY_ERROR.RELATIONSHIP.INVALID"
    mac = http.post("/v1/reviewSubmissions", json=submission_body(platform="MAC_OS"))
    mac_id = mac.json()["data"]["id"]
    not_addable = http.post("/v1/reviewSubmissionItems", json=item_body(mac_id, in_review))
    error = only_error(not_addable)
    assert error["code"] == "STATE_ERROR.ENTITY_STATE_INVALID"
    [why] = error["meta"]["associatedErrors"][f"/appStoreVersions/{in_review}"]
    assert why["code"] == "STATE_ERROR" and "IN_REVIEW" in why["detail"]
    event = item_body(submission, version)
    event["data"]["relationships"] = {
        "reviewSubmission": event["data"]["relationships"]["reviewSubmission"],
        "appEvent": {"data": {"type": "appEvents", "id": "e1"}},
    }
    assert only_error(http.post("/v1/reviewSubmissionItems", json=event))["source"] == {
        "pointer": "/data/relationships/appEvent"
    }
    del event["data"]["relationships"]["appEvent"]
    no_version = http.post("/v1/reviewSubmissionItems", json=event)
    assert only_error(no_version)["code"] == "ENTITY_ERROR.RELATIONSHIP.REQUIRED"
    assert http.post("/v1/reviewSubmissionItems", json=item_body(submission, version)).is_success
    twice = http.post("/v1/reviewSubmissionItems", json=item_body(submission, version))
    assert twice.status_code == 409  # already in a submission (this one)
    http.patch(f"/v1/reviewSubmissions/{submission}", json=patch_body(submission, submitted=True))
    late = state.add_version(APP_ID, platform="IOS", version_string="1.2")
    closed = http.post("/v1/reviewSubmissionItems", json=item_body(submission, late))
    assert only_error(closed)["source"] == {"pointer": "/data/relationships/reviewSubmission"}


def test_submitting_waits_for_ready_for_review_r28() -> None:
    state, version = account()
    _, http = sandbox(state, faults="ready-delay=2")
    submission = http.post("/v1/reviewSubmissions", json=submission_body()).json()["data"]["id"]
    http.post("/v1/reviewSubmissionItems", json=item_body(submission, version))
    assert version_state(http, version) == "PREPARE_FOR_SUBMISSION"  # 1st read
    early = http.patch(
        f"/v1/reviewSubmissions/{submission}", json=patch_body(submission, submitted=True)
    )
    assert early.status_code == 409
    assert only_error(early)["detail"] == "Version is not ready to be submitted yet"
    assert version_state(http, version) == "READY_FOR_REVIEW"  # 2nd read
    late = http.patch(
        f"/v1/reviewSubmissions/{submission}", json=patch_body(submission, submitted=True)
    )
    assert late.status_code == 200


def test_a_failure_at_each_step_leaves_what_apple_leaves() -> None:
    state, version = account()
    app, http = sandbox(state)
    app.fail_next("POST", "/v1/reviewSubmissions", "commit+timeout")
    with pytest.raises(httpx.ReadTimeout):
        http.post("/v1/reviewSubmissions", json=submission_body())
    listed = http.get("/v1/reviewSubmissions", params={"filter[app]": APP_ID, "include": "items"})
    [left] = listed.json()["data"]
    assert left["attributes"]["state"] == "READY_FOR_REVIEW"
    assert left["relationships"]["items"]["data"] == []  # empty: reuse it (R26)
    assert http.post("/v1/reviewSubmissions", json=submission_body()).status_code == 409
    app.fail_next("POST", "/v1/reviewSubmissionItems", "commit+timeout")
    with pytest.raises(httpx.ReadTimeout):
        http.post("/v1/reviewSubmissionItems", json=item_body(left["id"], version))
    items = http.get(f"/v1/reviewSubmissions/{left['id']}/items").json()["data"]
    assert len(items) == 1  # the item is there: do not add it again
    again = http.post("/v1/reviewSubmissionItems", json=item_body(left["id"], version))
    assert again.status_code == 409
    path = f"/v1/reviewSubmissions/{left['id']}"
    app.fail_next("PATCH", path, "commit+timeout")
    with pytest.raises(httpx.ReadTimeout):
        http.patch(path, json=patch_body(left["id"], submitted=True))
    assert http.get(path).json()["data"]["attributes"]["state"] == "WAITING_FOR_REVIEW"
    resent = http.patch(path, json=patch_body(left["id"], submitted=True))
    assert resent.status_code == 409  # re-read, do not re-send (R27)
    assert "WAITING_FOR_REVIEW" in only_error(resent)["detail"]
    assert len(state.reviews.submissions) == 1


@pytest.mark.parametrize("path", ["/v1/reviewSubmissions", "/v1/reviewSubmissionItems"])
def test_ambiguous_creates_commit_then_answer_500(path: str) -> None:
    state, version = account()
    faults = "ambiguous-create=1" if path == "/v1/reviewSubmissions" else "ambiguous-create=2"
    _, http = sandbox(state, faults=faults)
    created = http.post("/v1/reviewSubmissions", json=submission_body())
    if path == "/v1/reviewSubmissions":
        assert created.status_code == 500
        assert len(state.reviews.submissions) == 1
        return
    submission = created.json()["data"]["id"]
    item = http.post(path, json=item_body(submission, version))
    assert item.status_code == 500 and only_error(item)["code"] == "UNEXPECTED_ERROR"
    assert len(state.reviews.submissions[submission].items) == 1


def test_a_status_fault_commits_nothing() -> None:
    state, version = account()
    app, http = sandbox(state)
    submission = http.post("/v1/reviewSubmissions", json=submission_body()).json()["data"]["id"]
    app.fail_next("POST", "/v1/reviewSubmissionItems", "500")
    failed = http.post("/v1/reviewSubmissionItems", json=item_body(submission, version))
    assert failed.status_code == 500
    assert state.reviews.submissions[submission].items == []
    assert version_state(http, version) == "PREPARE_FOR_SUBMISSION"


def test_resubmission_after_a_rejection_in_place() -> None:
    state, version = account()
    _, http = sandbox(state)
    submission, item, _ = three_steps(http, version)
    advance(state, "com.example.review", "IOS", "reject", NOW)
    read = http.get(f"/v1/reviewSubmissions/{submission}", params={"include": "items"})
    assert read.json()["data"]["attributes"]["state"] == "UNRESOLVED_ISSUES"
    assert read.json()["included"][0]["attributes"]["state"] == "REJECTED"
    assert version_state(http, version) == "REJECTED"
    stuck = http.delete(f"/v1/reviewSubmissionItems/{item}")
    assert stuck.status_code == 409 and only_error(stuck)["code"] == "STATE_ERROR"
    localization = state.localizations_of(version)[0]
    localization.whats_new = None
    incomplete = http.patch(
        f"/v1/reviewSubmissions/{submission}", json=patch_body(submission, submitted=True)
    )
    assert only_error(incomplete)["code"] == "STATE_ERROR.ENTITY_STATE_INVALID"
    fixed = http.patch(
        f"/v1/appStoreVersionLocalizations/{localization.id}",
        json={
            "data": {
                "type": "appStoreVersionLocalizations",
                "id": localization.id,
                "attributes": {"whatsNew": "Fixed what review found"},
            }
        },
    )
    assert fixed.status_code == 200
    again = http.patch(
        f"/v1/reviewSubmissions/{submission}", json=patch_body(submission, submitted=True)
    )
    assert again.status_code == 200
    assert again.json()["data"]["attributes"]["state"] == "WAITING_FOR_REVIEW"
    assert state.reviews.items[item].state == "READY_FOR_REVIEW"
    assert version_state(http, version) == "WAITING_FOR_REVIEW"
    assert len(state.reviews.submissions) == 1


def test_cancel_frees_the_version_on_the_next_read() -> None:
    state, version = account()
    _, http = sandbox(state)
    submission, item, _ = three_steps(http, version)
    path = f"/v1/reviewSubmissions/{submission}"
    canceled = http.patch(path, json=patch_body(submission, canceled=True))
    assert canceled.status_code == 200
    assert canceled.json()["data"]["attributes"]["state"] == "CANCELING"
    assert canceled.json()["data"]["attributes"]["submittedDate"] == "2026-11-29T12:00:00Z"
    assert http.get(path).json()["data"]["attributes"]["state"] == "COMPLETE"
    assert state.reviews.items[item].state == "REMOVED"
    assert version_state(http, version) == "DEVELOPER_REJECTED"
    twice = http.patch(path, json=patch_body(submission, canceled=True))
    assert only_error(twice)["detail"] == "Resource is not in cancellable state"
    _, _, submitted = three_steps(http, version)
    assert submitted.status_code == 200  # the freed version goes to review again


def test_cancelling_takes_as_many_reads_as_cancel_delay_and_blocks_meanwhile() -> None:
    state, version = account()
    _, http = sandbox(state, faults="cancel-delay=2")
    submission = http.post("/v1/reviewSubmissions", json=submission_body()).json()["data"]["id"]
    http.post("/v1/reviewSubmissionItems", json=item_body(submission, version))
    path = f"/v1/reviewSubmissions/{submission}"
    http.patch(path, json=patch_body(submission, canceled=True))
    assert http.get(path).json()["data"]["attributes"]["state"] == "CANCELING"
    assert http.post("/v1/reviewSubmissions", json=submission_body()).status_code == 409
    assert http.get(path).json()["data"]["attributes"]["state"] == "COMPLETE"
    # Never submitted: the version is back where it was, and may still be deleted.
    assert version_state(http, version) == "PREPARE_FOR_SUBMISSION"
    assert not state.version_records[version].submitted
    assert http.post("/v1/reviewSubmissions", json=submission_body()).status_code == 201


def test_removing_an_item_before_submitting() -> None:
    state, version = account()
    _, http = sandbox(state)
    submission = http.post("/v1/reviewSubmissions", json=submission_body()).json()["data"]["id"]
    item = http.post("/v1/reviewSubmissionItems", json=item_body(submission, version))
    item_id = item.json()["data"]["id"]
    removed = http.delete(f"/v1/reviewSubmissionItems/{item_id}")
    assert removed.status_code == 204 and removed.content == b""
    assert version_state(http, version) == "PREPARE_FOR_SUBMISSION"
    assert http.delete(f"/v1/reviewSubmissionItems/{item_id}").status_code == 404
    empty = http.patch(
        f"/v1/reviewSubmissions/{submission}", json=patch_body(submission, submitted=True)
    )
    assert only_error(empty)["code"] == "ENTITY_ERROR.RELATIONSHIP.REQUIRED"
    assert http.delete(f"/v1/appStoreVersions/{version}").status_code == 204


def test_updates_apple_refuses() -> None:
    state, _ = account()
    _, http = sandbox(state)
    submission = http.post("/v1/reviewSubmissions", json=submission_body()).json()["data"]["id"]
    path = f"/v1/reviewSubmissions/{submission}"
    platform = http.patch(path, json=patch_body(submission, platform="MAC_OS"))
    assert only_error(platform)["source"] == {"pointer": "/data/attributes/platform"}
    both = http.patch(path, json=patch_body(submission, submitted=True, canceled=True))
    assert only_error(both)["code"] == "ENTITY_ERROR.ATTRIBUTE.INVALID"
    same = http.patch(path, json=patch_body(submission, platform="IOS", submitted=False))
    assert same.status_code == 200
    assert same.json()["data"]["attributes"]["state"] == "READY_FOR_REVIEW"
    unknown = http.patch(path, json=patch_body(submission, state="COMPLETE"))
    assert only_error(unknown)["code"] == "ENTITY_ERROR.ATTRIBUTE.NOT_ALLOWED"
    assert http.patch("/v1/reviewSubmissions/x", json=patch_body("x")).status_code == 404


def test_operations_apple_does_not_offer_are_403() -> None:
    state, _ = account()
    _, http = sandbox(state)
    item = http.get("/v1/reviewSubmissionItems/x")
    assert only_error(item)["detail"] == (
        "The resource 'reviewSubmissionItems' does not allow 'GET_INSTANCE'. "
        "Allowed operations are: CREATE, DELETE"
    )
    submission = http.delete("/v1/reviewSubmissions/x")
    assert submission.status_code == 403


def test_the_three_steps_and_a_release_over_loopback() -> None:
    state, version = account(release_type="MANUAL")
    app = SandboxApp(state, clock=fixed_clock, faults="ready-delay=1")
    with SandboxServer(app, port=0) as server:
        server.start()
        with httpx.Client(base_url=server.url, timeout=10) as http:
            created = http.post("/v1/reviewSubmissions", json=submission_body())
            submission = created.json()["data"]["id"]
            http.post("/v1/reviewSubmissionItems", json=item_body(submission, version))
            assert version_state(http, version) == "READY_FOR_REVIEW"
            submitted = http.patch(
                f"/v1/reviewSubmissions/{submission}", json=patch_body(submission, submitted=True)
            )
            advance(state, "com.example.review", "IOS", "approve", NOW)
            released = http.post("/v1/appStoreVersionReleaseRequests", json=release_body(version))
            for answer in (created, submitted, released):
                check(answer)
            assert version_state(http, version) == "READY_FOR_DISTRIBUTION"
    assert created.json()["data"]["links"]["self"].startswith(server.url)
    assert [entry[2] for entry in app.request_log] == [201, 201, 200, 200, 201, 200]


def test_a_new_submission_may_be_missing_from_the_list_for_a_while() -> None:
    state, _ = account()
    _, http = sandbox(state, faults="invisible=1")
    created = http.post("/v1/reviewSubmissions", json=submission_body()).json()["data"]["id"]
    params = {"filter[app]": APP_ID}
    assert http.get("/v1/reviewSubmissions", params=params).json()["data"] == []
    retry = http.post("/v1/reviewSubmissions", json=submission_body())
    assert created in only_error(retry)["detail"]  # the sandbox itself is consistent
    assert http.get(f"/v1/reviewSubmissions/{created}").status_code == 200
    [listed] = http.get("/v1/reviewSubmissions", params=params).json()["data"]
    assert listed["id"] == created


def test_lists_page_and_included_items_are_capped() -> None:
    state, version = account()
    mac = state.reviews.add_submission(APP_ID, "MAC_OS", "COMPLETE")
    _, http = sandbox(state)
    submission, item, _ = three_steps(http, version)
    first = http.get("/v1/reviewSubmissions", params={"filter[app]": APP_ID, "limit": "1"})
    assert [s["id"] for s in first.json()["data"]] == [mac]  # in creation order
    assert first.json()["meta"]["paging"]["total"] == 2
    second = http.get(first.json()["links"]["next"])
    assert [s["id"] for s in second.json()["data"]] == [submission]
    extra = state.add_version(APP_ID, version_string="1.2")  # the builder checks no rule
    state.reviews.add_item(submission, extra)
    capped = http.get(
        f"/v1/reviewSubmissions/{submission}", params={"include": "items", "limit[items]": "1"}
    )
    assert capped.json()["data"]["relationships"]["items"]["meta"]["paging"] == {
        "total": 2,
        "limit": 1,
    }
    assert len(capped.json()["included"]) == 1
    too_many = http.get(f"/v1/reviewSubmissions/{submission}", params={"limit[items]": "51"})
    assert too_many.status_code == 400
    assert capped.json()["included"][0]["id"] == item


def test_cancelling_a_rejected_submission_leaves_the_version_rejected_and_free() -> None:
    state, version = account()
    _, http = sandbox(state)
    submission, _, _ = three_steps(http, version)
    advance(state, "com.example.review", "IOS", "reject", NOW)
    path = f"/v1/reviewSubmissions/{submission}"
    assert http.patch(path, json=patch_body(submission, canceled=True)).status_code == 200
    assert http.get(path).json()["data"]["attributes"]["state"] == "COMPLETE"
    assert version_state(http, version) == "REJECTED"
    _, _, submitted = three_steps(http, version)  # free: a new submission takes it
    assert submitted.status_code == 200
