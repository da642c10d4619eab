"""Apply of `submit: true` against the sandbox, under faults at each of Apple's three steps
(create the submission, add the version, mark it submitted): every run converges, within
reruns, to the version WAITING_FOR_REVIEW in exactly one submission (R26-R28)."""

from __future__ import annotations

import pytest

from reconciler.applier import ReadBack, apply_plan
from reconciler.asc import AscClient
from reconciler.manifest import AppEntry, Manifest, PlatformRelease
from reconciler.outcome import ApplyResult, Status
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState

APP = "com.example.app"
SUBMISSIONS = "/v1/reviewSubmissions"
ITEMS = "/v1/reviewSubmissionItems"
MANIFEST = Manifest(apps={APP: AppEntry(ios=PlatformRelease(version="1.1", submit=True))})
TEXTS = {"description": "An app.", "keywords": "app", "support_url": "https://example.com"}


def _account() -> tuple[SandboxState, str, str]:
    state = SandboxState()
    app_id = state.add_app(APP)
    live = state.add_version(
        app_id, version_string="1.0", app_version_state="READY_FOR_DISTRIBUTION"
    )
    state.add_localization(live, "en-US", whats_new="First.", **TEXTS)
    version = state.add_version(app_id, version_string="1.1")
    state.add_localization(version, "en-US", whats_new="Fixes.", **TEXTS)
    build = state.add_build(app_id, version="1.1", number="20")
    state.attach_build(version, build)
    return state, app_id, version


def _apply(app: SandboxApp) -> ApplyResult:
    with AscClient("https://sandbox.test", transport=app.transport(), sleep=lambda _: None) as c:
        plan = make_plan(MANIFEST, read_state(c, MANIFEST))
        return apply_plan(plan, c, sleep=lambda _: None, read_back=ReadBack.within(30))


def _converge(app: SandboxApp, runs: int = 3) -> list[ApplyResult]:
    results = []
    for _ in range(runs):
        result = _apply(app)
        results.append(result)
        if not result.failed and not result.results:
            break
    return results


def _assert_submitted_once(state: SandboxState, app_id: str, version: str) -> None:
    assert state.version_records[version].app_version_state == "WAITING_FOR_REVIEW"
    subs = [s for s in state.reviews.submissions.values() if s.app_id == app_id]
    assert [s.state for s in subs] == ["WAITING_FOR_REVIEW"], subs
    items = [i for i in state.reviews.items.values() if i.submission_id == subs[0].id]
    assert [i.version_id for i in items] == [version]


def _writes(app: SandboxApp, start: int) -> list[tuple[str, str, int]]:
    return [e for e in app.request_log[start:] if e[0] in ("POST", "PATCH", "DELETE")]


def test_the_three_steps_in_one_run() -> None:
    state, app_id, version = _account()
    app = SandboxApp(state, sleep=lambda _: None)
    result = _apply(app)
    [outcome] = result.results
    assert outcome.status is Status.DONE, outcome
    assert [(m, p.split("/")[2], s) for m, p, s in _writes(app, 0)] == [
        ("POST", "reviewSubmissions", 201),
        ("POST", "reviewSubmissionItems", 201),
        ("PATCH", "reviewSubmissions", 200),
    ]
    _assert_submitted_once(state, app_id, version)
    assert _apply(app).results == ()  # a rerun plans nothing


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("POST", SUBMISSIONS, "commit+timeout"),
        ("POST", ITEMS, "commit+timeout"),
        ("PATCH", SUBMISSIONS, "commit+timeout"),
        ("POST", SUBMISSIONS, "timeout"),
        ("POST", ITEMS, "500"),
        ("PATCH", SUBMISSIONS, "timeout"),
    ],
)
def test_a_lost_answer_at_any_step_still_makes_one_submission(
    method: str, path: str, kind: str
) -> None:
    state, app_id, version = _account()
    app = SandboxApp(state, sleep=lambda _: None)
    app.fail_next(method, path, kind)
    [result] = _converge(app, runs=1)
    assert not result.failed, result
    _assert_submitted_once(state, app_id, version)


@pytest.mark.parametrize("nth", [1, 2])
def test_a_create_committed_then_answered_500_is_found_not_repeated(nth: int) -> None:
    # ambiguous-create counts creates: the 1st is the submission, the 2nd its item.
    state, app_id, version = _account()
    app = SandboxApp(state, faults=f"ambiguous-create={nth}", sleep=lambda _: None)
    # every nth create is answered 500 after it committed; the run goes on by reading
    results = _converge(app)
    assert not results[-1].failed, results
    _assert_submitted_once(state, app_id, version)


def test_a_failure_the_run_cannot_get_past_leaves_what_a_rerun_reuses() -> None:
    state, app_id, version = _account()
    app = SandboxApp(state, sleep=lambda _: None)
    app.fail_next("POST", ITEMS, "500", times=20)  # step 2 keeps failing: the run gives up
    first = _apply(app)
    assert first.failed
    [left] = state.reviews.submissions.values()
    assert left.state == "READY_FOR_REVIEW"  # the empty submission Apple keeps (R26)
    second = _apply(SandboxApp(state, sleep=lambda _: None))  # the outage is over
    assert not second.failed, second
    _assert_submitted_once(state, app_id, version)


def test_it_waits_for_the_version_to_be_ready_before_the_last_step() -> None:
    state, app_id, version = _account()
    app = SandboxApp(state, faults="ready-delay=3", sleep=lambda _: None)
    [result] = _converge(app, runs=1)
    assert not result.failed, result
    _assert_submitted_once(state, app_id, version)
    patches = [e for e in app.request_log if e[0] == "PATCH"]
    assert [s for _, _, s in patches] == [200]  # never sent before the version was ready


def test_a_submission_hidden_after_a_lost_create_is_not_made_twice() -> None:
    state, app_id, version = _account()
    app = SandboxApp(state, faults="invisible=2", sleep=lambda _: None)
    app.fail_next("POST", SUBMISSIONS, "commit+timeout")
    results = _converge(app)
    assert not results[-1].failed, results
    _assert_submitted_once(state, app_id, version)


def test_another_version_in_review_is_never_cancelled() -> None:
    state, app_id, _ = _account()
    other = state.reviews.add_submission(app_id, "IOS", "IN_REVIEW")
    app = SandboxApp(state, sleep=lambda _: None)
    with AscClient("https://sandbox.test", transport=app.transport(), sleep=lambda _: None) as c:
        plan = make_plan(MANIFEST, read_state(c, MANIFEST))
    assert plan.changes == ()
    [deferral] = plan.deferred
    assert other in deferral.reason and "never cancels" in deferral.reason
    assert state.reviews.submissions[other].state == "IN_REVIEW"


def test_a_locale_without_a_description_is_a_plan_error_and_nothing_is_written() -> None:
    state, _, version = _account()
    state.add_localization(version, "de-DE", whats_new="Neu.", keywords="app")
    app = SandboxApp(state, sleep=lambda _: None)
    result = _apply(app)
    assert result.results == ()
    [error] = result.errors
    assert error.rule == "submit-incomplete"
    assert "description is missing in de-DE" in error.message
    assert "supportUrl is missing in de-DE" in error.message
    assert not [e for e in app.request_log if e[0] != "GET"]
    assert state.reviews.submissions == {}
