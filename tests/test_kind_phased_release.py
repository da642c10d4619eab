"""The phased release on plain values (FACTS-2 §10, R21-R23): every row of its state machine
through make_plan, and the kind's POST / PATCH / DELETE and read-back."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.kinds import created_key, kind
from reconciler.manifest import AppEntry, Manifest, PlatformRelease
from reconciler.plan import Action, Change, Plan
from reconciler.planner import make_plan
from reconciler.state import (
    RemoteApp,
    RemotePhasedRelease,
    RemoteState,
    RemoteVersion,
    VersionChildren,
)

BUNDLE = "com.example.app"
KIND = kind("phased_release")
OLDER = RemoteVersion(id="v0", platform="IOS", version_string="1.0", state="READY_FOR_DISTRIBUTION")
PRE_RELEASE = [
    "PREPARE_FOR_SUBMISSION",
    "REJECTED",
    "WAITING_FOR_REVIEW",
    "IN_REVIEW",
    "WAITING_FOR_EXPORT_COMPLIANCE",
]
PENDING = "PENDING_DEVELOPER_RELEASE"
LIVE = "READY_FOR_DISTRIBUTION"
DESIRED: list[bool | str] = [True, False, "paused", "complete"]


def _plan(
    desired: bool | str,
    state: str,
    remote: str | None,
    *,
    first: bool = False,
) -> Plan:
    phased = RemotePhasedRelease(id="pr1", state=remote) if remote else None
    version = RemoteVersion(
        id="v1",
        platform="IOS",
        version_string="2.0",
        state=state,
        children=VersionChildren(phased_release=phased),
    )
    older = () if first else (OLDER.model_copy(update={"state": "REPLACED_WITH_NEW_VERSION"}),)
    manifest = Manifest(
        apps={BUNDLE: AppEntry(ios=PlatformRelease(version="2.0", phased_release=desired))}
    )
    app = RemoteApp(id="100", bundle_id=BUNDLE, versions=(*older, version))
    return make_plan(manifest, RemoteState(apps={BUNDLE: app}))


def _outcome(plan: Plan) -> tuple[Any, ...]:
    """What the plan does with the phased release: () for nothing, ("error", rule), or
    (action, before, after) in manifest terms."""
    assert not plan.deferred
    mine = [c for c in plan.changes if c.kind == "phased_release"]
    assert len(mine) + len(plan.errors) <= 1, (mine, plan.errors)
    assert len(mine) == len(plan.changes)  # nothing else planned
    if plan.errors:
        return ("error", plan.errors[0].rule)
    if not mine:
        return ()
    change = mine[0]
    before = (change.before or {}).get("phased_release")
    return (change.action.value, before, (change.after or {}).get("phased_release"))


CREATE = ("create", None, "inactive")
NOTHING = ()

# Before release (and pending developer release, where no PATCH is allowed, E12): only whether
# it exists counts; paused and complete mean true.
_BEFORE_RELEASE = {
    (None, True): CREATE,
    (None, False): NOTHING,
    (None, "paused"): CREATE,
    (None, "complete"): CREATE,
    **{("INACTIVE", d): NOTHING for d in (True, "paused", "complete")},
    ("INACTIVE", False): ("delete", "inactive", None),
    # EAS creates them ACTIVE before release: the rollout has not started either.
    **{("ACTIVE", d): NOTHING for d in (True, "paused", "complete")},
    ("ACTIVE", False): ("delete", "active", None),
    **{("PAUSED", d): NOTHING for d in (True, "paused", "complete")},
    ("PAUSED", False): ("delete", "paused", None),
}
# On a live version: the rollout is controlled (R23), COMPLETE is final.
_LIVE = {
    (None, True): ("error", "phased-release-too-late"),
    (None, False): NOTHING,
    (None, "paused"): ("error", "phased-release-too-late"),
    (None, "complete"): NOTHING,  # released to everyone at once already
    **{("INACTIVE", d): NOTHING for d in (True, "paused", "complete")},
    # Deleted only before release (R21): on a live version Apple's answer is unknown.
    ("INACTIVE", False): ("error", "rollout-under-way"),
    ("ACTIVE", True): NOTHING,
    ("ACTIVE", False): ("error", "rollout-under-way"),
    ("ACTIVE", "paused"): ("update", "active", "paused"),
    ("ACTIVE", "complete"): ("update", "active", "complete"),
    ("PAUSED", True): ("update", "paused", "active"),
    ("PAUSED", False): ("error", "rollout-under-way"),
    ("PAUSED", "paused"): NOTHING,
    ("PAUSED", "complete"): ("update", "paused", "complete"),
    ("COMPLETE", True): NOTHING,
    ("COMPLETE", False): NOTHING,
    ("COMPLETE", "paused"): ("error", "rollout-complete"),
    ("COMPLETE", "complete"): NOTHING,
}


@pytest.mark.parametrize("state", [*PRE_RELEASE, PENDING])
@pytest.mark.parametrize(("remote", "desired"), list(_BEFORE_RELEASE))
def test_before_release(state: str, remote: str | None, desired: bool | str) -> None:
    assert _outcome(_plan(desired, state, remote)) == _BEFORE_RELEASE[(remote, desired)]


@pytest.mark.parametrize(("remote", "desired"), list(_LIVE))
def test_on_a_live_version(remote: str | None, desired: bool | str) -> None:
    assert _outcome(_plan(desired, LIVE, remote)) == _LIVE[(remote, desired)]


@pytest.mark.parametrize("state", ["PREPARE_FOR_SUBMISSION", "IN_REVIEW", PENDING, LIVE])
@pytest.mark.parametrize("desired", DESIRED)
def test_on_the_first_version_only_false_is_allowed(state: str, desired: bool | str) -> None:
    outcome = _outcome(_plan(desired, state, None, first=True))
    assert outcome == (NOTHING if desired is False else ("error", "phased-release-first-version"))


@pytest.mark.parametrize("desired", [True, "paused", "complete"])
def test_the_first_version_to_be_created_takes_no_phased_release(desired: bool | str) -> None:
    manifest = Manifest(
        apps={BUNDLE: AppEntry(ios=PlatformRelease(version="1.0", phased_release=desired))}
    )
    plan = make_plan(manifest, RemoteState(apps={BUNDLE: RemoteApp(id="100", bundle_id=BUNDLE)}))
    assert [c.kind for c in plan.changes] == ["version"]
    assert [e.rule for e in plan.errors] == ["phased-release-first-version"]


@pytest.mark.parametrize(("remote", "desired"), [("ACTIVE", "paused"), ("PAUSED", True)])
def test_a_rollout_cannot_be_controlled_while_the_version_is_processing_for_release(
    remote: str, desired: bool | str
) -> None:
    outcome = _outcome(_plan(desired, "PROCESSING_FOR_DISTRIBUTION", remote))
    assert outcome == ("error", "rollout-not-live")


@pytest.mark.parametrize(("remote", "rule"), [(None, "phased-release-too-late")])
def test_a_missing_one_cannot_be_added_once_released_for_processing(
    remote: str | None, rule: str
) -> None:
    assert _outcome(_plan(True, "PROCESSING_FOR_DISTRIBUTION", remote)) == ("error", rule)


def test_false_on_a_rollout_under_way_says_to_complete_it() -> None:
    [error] = _plan(False, LIVE, "ACTIVE").errors
    assert "ACTIVE" in error.message and "phased_release: complete" in error.message


# Request bodies.
def _change(plan: Plan) -> Change:
    [change] = plan.changes
    return change


def test_a_create_posts_inactive_with_its_version() -> None:
    change = _change(_plan(True, "PREPARE_FOR_SUBMISSION", None))
    request = KIND.request(change, {})
    assert (request.method, request.path) == ("POST", "/v1/appStoreVersionPhasedReleases")
    assert request.body == {
        "data": {
            "type": "appStoreVersionPhasedReleases",
            "attributes": {"phasedReleaseState": "INACTIVE"},
            "relationships": {
                "appStoreVersion": {"data": {"type": "appStoreVersions", "id": "v1"}}
            },
        }
    }
    assert KIND.holds(change, {"id": "pr9", "attributes": {"phasedReleaseState": "INACTIVE"}})
    assert not KIND.holds(change, {"id": "pr9", "attributes": {"phasedReleaseState": "ACTIVE"}})
    assert KIND.settle(change, {"id": "pr9"}) is None


@pytest.mark.parametrize(
    ("remote", "desired", "sent"),
    [
        ("ACTIVE", "paused", "PAUSED"),
        ("PAUSED", True, "ACTIVE"),
        ("PAUSED", "complete", "COMPLETE"),
    ],
)
def test_a_rollout_is_controlled_with_a_patch_of_its_state(
    remote: str, desired: bool | str, sent: str
) -> None:
    change = _change(_plan(desired, LIVE, remote))
    request = KIND.request(change, {})
    assert (request.method, request.path) == ("PATCH", "/v1/appStoreVersionPhasedReleases/pr1")
    assert request.body == {
        "data": {
            "type": "appStoreVersionPhasedReleases",
            "id": "pr1",
            "attributes": {"phasedReleaseState": sent},
        }
    }
    assert KIND.holds(change, {"id": "pr1", "attributes": {"phasedReleaseState": sent}})


def test_complete_is_described_as_final() -> None:
    change = _change(_plan("complete", LIVE, "ACTIVE"))
    assert KIND.describe(change) == (
        "phased release of 2.0 (complete is final: every user gets it now)"
    )


def test_one_not_started_is_deleted_by_its_id() -> None:
    change = _change(_plan(False, "PREPARE_FOR_SUBMISSION", "INACTIVE"))
    assert KIND.request(change, {}).method == "DELETE"
    assert KIND.request(change, {}).path == "/v1/appStoreVersionPhasedReleases/pr1"


def test_a_version_to_be_created_gets_its_phased_release_in_the_same_run() -> None:
    manifest = Manifest(
        apps={BUNDLE: AppEntry(ios=PlatformRelease(version="2.0", phased_release=True))}
    )
    app = RemoteApp(id="100", bundle_id=BUNDLE, versions=(OLDER,))
    plan = make_plan(manifest, RemoteState(apps={BUNDLE: app}))
    version, change = plan.changes
    assert (version.kind, version.action) == ("version", Action.CREATE)
    assert (change.kind, change.action, change.version_id) == (
        "phased_release",
        Action.CREATE,
        None,
    )
    ids = {created_key(change): "new-v"}
    body = KIND.request(change, ids).body
    assert body is not None
    assert body["data"]["relationships"]["appStoreVersion"]["data"]["id"] == "new-v"
    lookup = KIND.lookup(change, ids)
    assert lookup.to_one
    assert lookup.path == "/v1/appStoreVersions/new-v/appStoreVersionPhasedRelease"


def test_a_renamed_version_gets_the_phased_release() -> None:
    manifest = Manifest(
        apps={BUNDLE: AppEntry(ios=PlatformRelease(version="2.1", phased_release=True))}
    )
    editable = RemoteVersion(
        id="v1", platform="IOS", version_string="2.0", state="PREPARE_FOR_SUBMISSION"
    )
    app = RemoteApp(id="100", bundle_id=BUNDLE, versions=(OLDER, editable))
    plan = make_plan(manifest, RemoteState(apps={BUNDLE: app}))
    [change] = [c for c in plan.changes if c.kind == "phased_release"]
    assert (change.action, change.version, change.version_id) == (Action.CREATE, "2.1", "v1")


def test_a_deferred_version_plans_no_phased_release() -> None:
    manifest = Manifest(
        apps={BUNDLE: AppEntry(ios=PlatformRelease(version="3.0", phased_release=True))}
    )
    in_flight = RemoteVersion(id="v1", platform="IOS", version_string="2.0", state="IN_REVIEW")
    app = RemoteApp(id="100", bundle_id=BUNDLE, versions=(OLDER, in_flight))
    plan = make_plan(manifest, RemoteState(apps={BUNDLE: app}))
    assert not plan.changes and not plan.errors and len(plan.deferred) == 1


# Applied as sent, a plan is followed by no changes: the state each write leaves satisfies it.
_ROWS = [
    *((state, r, d) for state in [*PRE_RELEASE, PENDING] for (r, d) in _BEFORE_RELEASE),
    *((LIVE, r, d) for (r, d) in _LIVE),
]


@pytest.mark.parametrize(("state", "remote", "desired"), _ROWS)
def test_a_plan_applied_as_sent_is_followed_by_no_changes(
    state: str, remote: str | None, desired: bool | str
) -> None:
    plan = _plan(desired, state, remote)
    if not plan.changes:
        return
    request = KIND.request(_change(plan), {})
    if request.method == "DELETE":
        after = None
    else:
        assert request.body is not None
        after = str(request.body["data"]["attributes"]["phasedReleaseState"])
    again = _plan(desired, state, after)
    assert again == Plan()


def test_lookup_reads_the_to_one_relationship() -> None:
    change = _change(_plan(True, "PREPARE_FOR_SUBMISSION", None))
    lookup = KIND.lookup(change, {})
    assert lookup.to_one and lookup.path == "/v1/appStoreVersions/v1/appStoreVersionPhasedRelease"
    assert lookup.find([{"id": "pr9"}]) == {"id": "pr9"} and lookup.find([]) is None
    assert not KIND.holds(change, {"id": "pr9"})
