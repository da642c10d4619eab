"""Plan, apply, plan again with `submit` and `release` over random accounts and faults: the
version's state, leftovers of earlier tries (an empty draft, its own rejected submission,
another platform's), a build or none, notes complete or not, answers lost at any of the three
steps, and Apple slow to ready the version. Within three runs everything planned is done,
nothing is planned again, and no version is ever held by two submissions."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.applier import ReadBack, apply_plan
from reconciler.asc import AscClient
from reconciler.kinds.submission import SUBMITTED_STATES
from reconciler.manifest import AppEntry, Manifest, PlatformRelease, ReleaseType
from reconciler.plan import Plan
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState
from tests.profiles import examples

APP = "com.example.app"
TEXTS = {"description": "An app.", "keywords": "app", "support_url": "https://example.com"}
STATES = (
    "PREPARE_FOR_SUBMISSION",
    "PREPARE_FOR_SUBMISSION",
    "DEVELOPER_REJECTED",
    "REJECTED",
    "METADATA_REJECTED",
    "WAITING_FOR_REVIEW",
    "IN_REVIEW",
    "PENDING_DEVELOPER_RELEASE",
)
STEPS = (
    ("POST", "/v1/reviewSubmissions"),
    ("POST", "/v1/reviewSubmissionItems"),
    ("PATCH", "/v1/reviewSubmissions"),
    ("POST", "/v1/appStoreVersionReleaseRequests"),
)


@dataclass(frozen=True)
class Case:
    state: str
    leftover: str  # none | draft | own-rejected | other-platform
    build: bool
    notes_complete: bool
    submit: bool
    release: bool
    ambiguous: int  # every K-th create committed then answered 500 (0: never)
    ready_delay: int
    lost: tuple[str, str] | None  # one write whose answer is lost after it committed


@st.composite
def cases(draw: st.DrawFn) -> Case:
    state = draw(st.sampled_from(STATES))
    leftovers = ["none", "draft", "other-platform"] + (
        ["own-rejected"] if state == "REJECTED" else []
    )
    return Case(
        state=state,
        leftover=draw(st.sampled_from(leftovers)),
        build=draw(st.integers(0, 4)) > 0,
        notes_complete=draw(st.integers(0, 4)) > 0,
        submit=draw(st.integers(0, 3)) > 0,
        release=draw(st.booleans()),
        ambiguous=draw(st.sampled_from([0, 0, 1, 2, 3])),
        ready_delay=draw(st.integers(0, 3)),
        lost=draw(st.none() | st.sampled_from(STEPS)),
    )


def _account(case: Case) -> tuple[SandboxState, str, str]:
    state = SandboxState()
    app_id = state.add_app(APP)
    live = state.add_version(
        app_id, version_string="1.0", app_version_state="READY_FOR_DISTRIBUTION"
    )
    state.add_localization(live, "en-US", whats_new="First.", **TEXTS)
    version = state.add_version(
        app_id, version_string="1.1", app_version_state=case.state, release_type="MANUAL"
    )
    state.add_localization(version, "en-US", whats_new="Fixes.", **TEXTS)
    state.add_localization(
        version, "de-DE", whats_new="Neu." if case.notes_complete else None, **TEXTS
    )
    if case.build:
        state.attach_build(version, state.add_build(app_id, version="1.1", number="20"))
    if case.leftover == "draft":
        state.reviews.add_submission(app_id, "IOS", "READY_FOR_REVIEW")
    elif case.leftover == "other-platform":
        state.reviews.add_submission(app_id, "MAC_OS", "IN_REVIEW")
    elif case.leftover == "own-rejected":
        own = state.reviews.add_submission(app_id, "IOS", "UNRESOLVED_ISSUES")
        state.reviews.add_item(own, version, "REJECTED")
    return state, app_id, version


def _manifest(case: Case) -> Manifest:
    release = PlatformRelease(
        version="1.1", release_type=ReleaseType.MANUAL, submit=case.submit, release=case.release
    )
    return Manifest(apps={APP: AppEntry(ios=release)})


def _plan(client: AscClient, manifest: Manifest) -> Plan:
    return make_plan(manifest, read_state(client, manifest))


@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(cases())
def test_submit_and_release_converge_with_one_submission(case: Case) -> None:
    state, app_id, version = _account(case)
    faults = f"ready-delay={case.ready_delay}"
    if case.ambiguous:
        faults += f",ambiguous-create={case.ambiguous}"
    app = SandboxApp(state, faults=faults, sleep=lambda _: None)
    if case.lost is not None:
        app.fail_next(*case.lost, "commit+timeout")
    manifest = _manifest(case)
    with AscClient("https://sandbox.test", transport=app.transport(), sleep=lambda _: None) as c:
        first = _plan(c, manifest)
        planned = {ch.kind for ch in first.changes}
        for _ in range(3):
            plan = _plan(c, manifest)
            if not plan.changes:
                break
            apply_plan(plan, c, sleep=lambda _: None, read_back=ReadBack.within(60))
        last = _plan(c, manifest)
    assert [ch.kind for ch in last.changes] == [], (case, last.changes)
    record = state.version_records[version]
    holding = [
        s
        for s in state.reviews.submissions.values()
        if s.state != "COMPLETE"
        and any(
            i.version_id == version for i in state.reviews.items.values() if i.submission_id == s.id
        )
    ]
    assert len(holding) <= 1, holding
    if "submission" in planned:
        assert record.app_version_state in SUBMITTED_STATES, (case, record.app_version_state)
    if "release" in planned:
        assert record.app_version_state == "READY_FOR_DISTRIBUTION", case
    if case.submit and (not case.build or not case.notes_complete) and case.state in STATES[:5]:
        # Incomplete: one plan error, and nothing was sent to App Review.
        assert "submission" not in planned
        assert "submit-incomplete" in {e.rule for e in first.errors}
        assert not [
            s
            for s in state.reviews.submissions.values()
            if s.app_id == app_id and s.platform == "IOS" and s.state == "WAITING_FOR_REVIEW"
        ]
