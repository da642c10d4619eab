"""`submit: true` at planner level (FACTS-2 §12, R16, R26-R28): what is checked before a
submission is planned, and what waits."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.manifest import AppEntry, Manifest, PlatformRelease
from reconciler.plan import Action, Plan
from reconciler.planner import make_plan
from reconciler.state import (
    RemoteApp,
    RemoteBuild,
    RemoteLocalization,
    RemoteState,
    RemoteSubmission,
    RemoteVersion,
    VersionChildren,
)
from reconciler.views import plan_text

BUNDLE = "com.example.app"
LIVE = RemoteVersion(id="v0", platform="IOS", version_string="1.0", state="READY_FOR_DISTRIBUTION")
BUILD = RemoteBuild(
    id="b1", number="20", train="1.1", platform="IOS", processing_state="VALID", version_id="v1"
)


def _plan(
    state: str = "PREPARE_FOR_SUBMISSION",
    *,
    notes: dict[str, str | None] | None = None,
    build: RemoteBuild | None = BUILD,
    submissions: tuple[RemoteSubmission, ...] = (),
    first: bool = False,
    **spec: Any,
) -> Plan:
    notes = {"en-US": "Fixes.", "de-DE": "Korrekturen."} if notes is None else notes
    localizations = tuple(
        RemoteLocalization(id=f"l-{loc}", locale=loc, whats_new=text) for loc, text in notes.items()
    )
    version = RemoteVersion(
        id="v1",
        platform="IOS",
        version_string="1.1",
        state=state,
        children=VersionChildren(localizations=localizations, build=build),
    )
    versions = (version,) if first else (LIVE, version)
    app = RemoteApp(
        id="100",
        bundle_id=BUNDLE,
        primary_locale="en-US",
        versions=versions,
        builds=(BUILD,),
        submissions=submissions,
    )
    release = PlatformRelease(version="1.1", submit=True, **spec)
    return make_plan(
        Manifest(apps={BUNDLE: AppEntry(ios=release)}), RemoteState(apps={BUNDLE: app})
    )


def _submits(plan: Plan) -> list[Any]:
    return [c for c in plan.changes if c.kind == "submission"]


def _rules(plan: Plan) -> list[str]:
    return [e.rule for e in plan.errors]


def test_a_complete_editable_version_is_submitted() -> None:
    plan = _plan()
    [change] = _submits(plan)
    assert (change.action, change.version_id, change.resource_id) == (Action.CREATE, "v1", None)
    text = plan_text(plan, color=False)
    assert "» com.example.app ios: submit version 1.1 for review" in text
    assert "Plan: 0 to create, 0 to update, 0 to delete, 1 to submit." in text


@pytest.mark.parametrize(
    "state",
    ["WAITING_FOR_REVIEW", "IN_REVIEW", "PENDING_DEVELOPER_RELEASE", "READY_FOR_DISTRIBUTION"],
)
def test_a_version_already_submitted_needs_nothing(state: str) -> None:
    plan = _plan(state)
    assert _submits(plan) == [] and plan.deferred == () and plan.errors == ()


def test_every_missing_thing_is_listed_in_one_error() -> None:
    plan = _plan(notes={"en-US": "Fixes.", "de-DE": None, "fr-FR": " "}, build=None)
    assert _submits(plan) == []
    [error] = plan.errors
    assert error.rule == "submit-incomplete"
    assert "no build is attached" in error.message
    assert "release notes are missing in de-DE, fr-FR" in error.message


def test_release_notes_planned_in_the_same_run_count() -> None:
    plan = _plan(notes={"en-US": None, "de-DE": None}, release_notes={"default": "Fixes."})
    assert [c.kind for c in plan.changes] == ["localization", "localization", "submission"]


def test_a_first_version_needs_no_release_notes() -> None:
    plan = _plan(notes={"en-US": None}, first=True)
    assert len(_submits(plan)) == 1 and plan.errors == ()


def test_a_build_still_processing_makes_the_submission_wait() -> None:
    processing = BUILD.model_copy(update={"processing_state": "PROCESSING", "version_id": None})
    plan = _plan_with_build(processing)
    assert _submits(plan) == []
    kinds = sorted(d.kind for d in plan.deferred)
    assert kinds == ["build", "submission"]
    [deferral] = [d for d in plan.deferred if d.kind == "submission"]
    assert "processing" in deferral.reason


def _plan_with_build(build: RemoteBuild) -> Plan:
    version = RemoteVersion(
        id="v1",
        platform="IOS",
        version_string="1.1",
        state="PREPARE_FOR_SUBMISSION",
        children=VersionChildren(
            localizations=(RemoteLocalization(id="l", locale="en-US", whats_new="Fixes."),)
        ),
    )
    app = RemoteApp(
        id="100", bundle_id=BUNDLE, versions=(LIVE, version), builds=(build,), submissions=()
    )
    release = PlatformRelease(version="1.1", submit=True, build="20")
    return make_plan(
        Manifest(apps={BUNDLE: AppEntry(ios=release)}), RemoteState(apps={BUNDLE: app})
    )


def test_another_open_submission_of_the_platform_is_waited_for() -> None:
    other = RemoteSubmission(id="s9", platform="IOS", state="IN_REVIEW", version_id="v7", items=1)
    plan = _plan(submissions=(other,))
    assert _submits(plan) == []
    [deferral] = plan.deferred
    assert "review submission s9 of ios is IN_REVIEW" in deferral.reason
    assert "never cancels a review" in deferral.reason


@pytest.mark.parametrize(
    "leftover",
    [
        RemoteSubmission(id="s1", platform="IOS", state="READY_FOR_REVIEW"),  # empty: reused
        RemoteSubmission(id="s2", platform="TV_OS", state="IN_REVIEW", version_id="t", items=1),
        RemoteSubmission(
            id="s3", platform="IOS", state="UNRESOLVED_ISSUES", version_id="v7", items=1
        ),
    ],
)
def test_what_does_not_block_a_submission(leftover: RemoteSubmission) -> None:
    assert len(_submits(_plan(submissions=(leftover,)))) == 1


def test_a_rejected_version_resubmits_its_own_submission() -> None:
    mine = RemoteSubmission(
        id="s4", platform="IOS", state="UNRESOLVED_ISSUES", version_id="v1", items=1
    )
    [change] = _submits(_plan("REJECTED", submissions=(mine,)))
    assert change.resource_id == "s4"


def test_texts_app_review_requires_but_reconciler_does_not_manage_are_named() -> None:
    assert len(_submits(_plan())) == 1  # the default account has every text
    gap = RemoteLocalization(id="l", locale="de-DE", whats_new="Neu.", missing=("description",))
    full = RemoteLocalization(id="m", locale="en-US", whats_new="New.")
    app_version = RemoteVersion(
        id="v1",
        platform="IOS",
        version_string="1.1",
        state="PREPARE_FOR_SUBMISSION",
        children=VersionChildren(localizations=(full, gap), build=BUILD),
    )
    app = RemoteApp(id="100", bundle_id=BUNDLE, versions=(LIVE, app_version), submissions=())
    release = PlatformRelease(version="1.1", submit=True)
    plan = make_plan(
        Manifest(apps={BUNDLE: AppEntry(ios=release)}), RemoteState(apps={BUNDLE: app})
    )
    [error] = plan.errors
    assert "description is missing in de-DE (set it in App Store Connect)" in error.message
