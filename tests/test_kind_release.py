"""`release: true` on plain values (FACTS-2 §13, R29): every version state through make_plan,
and the kind's request and read-back."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.kinds import kind
from reconciler.kinds.version_states import APP_STORE_STATE_NAMES, EDITABLE_STATES, IN_FLIGHT_STATES
from reconciler.manifest import AppEntry, Manifest, PlatformRelease, ReleaseType
from reconciler.plan import Action, Plan
from reconciler.planner import make_plan
from reconciler.state import RemoteApp, RemoteState, RemoteVersion
from reconciler.views import plan_json, plan_text

BUNDLE = "com.example.app"
KIND = kind("release")
LIVE_OLD = RemoteVersion(
    id="v0", platform="IOS", version_string="1.0", state="READY_FOR_DISTRIBUTION"
)


def _plan(state: str | None, **release: Any) -> Plan:
    versions: tuple[RemoteVersion, ...] = (LIVE_OLD,)
    if state is not None:
        version = RemoteVersion(
            id="v1", platform="IOS", version_string="2.0", state=state, release_type="MANUAL"
        )
        old = LIVE_OLD.model_copy(update={"state": "REPLACED_WITH_NEW_VERSION"})
        versions = (old if state == "READY_FOR_DISTRIBUTION" else LIVE_OLD, version)
    spec = PlatformRelease(version="2.0", release=True, **release)
    manifest = Manifest(apps={BUNDLE: AppEntry(ios=spec)})
    app = RemoteApp(id="100", bundle_id=BUNDLE, versions=versions)
    return make_plan(manifest, RemoteState(apps={BUNDLE: app}))


def _releases(plan: Plan) -> list[Any]:
    return [c for c in plan.changes if c.kind == "release"]


def test_a_version_waiting_for_the_developer_is_released() -> None:
    plan = _plan("PENDING_DEVELOPER_RELEASE")
    [change] = _releases(plan)
    assert (change.action, change.version_id, change.before) == (
        Action.CREATE,
        "v1",
        {"state": "PENDING_DEVELOPER_RELEASE"},
    )
    assert plan.deferred == () and plan.errors == ()
    request = KIND.request(change, {})
    assert (request.method, request.path) == ("POST", "/v1/appStoreVersionReleaseRequests")
    assert request.body == {
        "data": {
            "type": "appStoreVersionReleaseRequests",
            "relationships": {
                "appStoreVersion": {"data": {"type": "appStoreVersions", "id": "v1"}}
            },
        }
    }
    text = plan_text(plan, color=False)
    assert "» com.example.app ios: release version 2.0\n" in text
    assert "Plan: 0 to create, 0 to update, 0 to delete, 1 to release." in text


def test_in_the_plan_json_a_release_is_a_create_of_kind_release() -> None:
    # Format 1 promises create, update and delete as the only actions: a release is the
    # create of a release request, and `summary.release` counts those on their own.
    import json

    document = json.loads(plan_json(_plan("PENDING_DEVELOPER_RELEASE")))
    [change] = document["changes"]
    assert (change["kind"], change["action"]) == ("release", "create")
    assert document["summary"]["create"] == 1 and document["summary"]["release"] == 1


WAITS = sorted(
    (EDITABLE_STATES | IN_FLIGHT_STATES)
    - {"PENDING_DEVELOPER_RELEASE", "PENDING_APPLE_RELEASE", "PROCESSING_FOR_DISTRIBUTION"}
)


@pytest.mark.parametrize("state", WAITS)
def test_before_approval_the_release_waits(state: str) -> None:
    plan = _plan(state)
    assert _releases(plan) == []
    [deferral] = [d for d in plan.deferred if d.kind == "release"]
    assert state in deferral.reason and "approval" in deferral.reason
    assert "PENDING_DEVELOPER_RELEASE" in deferral.until


@pytest.mark.parametrize(
    "state", ["PROCESSING_FOR_DISTRIBUTION", "READY_FOR_DISTRIBUTION", "PENDING_APPLE_RELEASE"]
)
def test_once_released_or_scheduled_there_is_nothing_to_do(state: str) -> None:
    plan = _plan(state)
    assert _releases(plan) == [] and [d for d in plan.deferred if d.kind == "release"] == []
    assert [e for e in plan.errors if e.rule.startswith("release")] == []


def test_a_version_to_be_created_waits_for_its_approval() -> None:
    plan = _plan(None)  # 2.0 does not exist yet: the version kind creates it
    assert [c.kind for c in plan.changes] == ["version"]
    [deferral] = [d for d in plan.deferred if d.kind == "release"]
    assert "2.0 is yet to be submitted" in deferral.reason


@pytest.mark.parametrize("release_type", [ReleaseType.AFTER_APPROVAL, ReleaseType.SCHEDULED])
def test_release_with_another_release_type_is_an_error(release_type: ReleaseType) -> None:
    extra: dict[str, Any] = {"release_type": release_type}
    if release_type is ReleaseType.SCHEDULED:
        extra["earliest_release_date"] = "2026-12-01T09:00:00Z"
    plan = _plan("PENDING_DEVELOPER_RELEASE", **extra)
    assert _releases(plan) == []
    assert [e.rule for e in plan.errors if e.rule.startswith("release")] == ["release-needs-manual"]


def test_release_type_manual_is_what_release_goes_with() -> None:
    plan = _plan("PENDING_DEVELOPER_RELEASE", release_type=ReleaseType.MANUAL)
    assert len(_releases(plan)) == 1 and plan.errors == ()


def test_lookup_finds_the_version_only_once_it_shows_released() -> None:
    [change] = _releases(_plan("PENDING_DEVELOPER_RELEASE"))
    lookup = KIND.lookup(change, {})
    assert lookup.path == "/v1/appStoreVersions/v1" and lookup.to_one

    def version(**attributes: str) -> dict[str, Any]:
        return {"type": "appStoreVersions", "id": "v1", "attributes": attributes}

    assert lookup.find([version(appVersionState="PENDING_DEVELOPER_RELEASE")]) is None
    for state in ("PROCESSING_FOR_DISTRIBUTION", "READY_FOR_DISTRIBUTION"):
        assert lookup.find([version(appVersionState=state)]) is not None
    # Only the deprecated field, as older answers carry it.
    old_name = next(k for k, v in APP_STORE_STATE_NAMES.items() if v == "READY_FOR_DISTRIBUTION")
    assert lookup.find([version(appStoreState=old_name)]) is not None
    assert lookup.find([{"id": "v1"}]) is None
    assert KIND.holds(change, version(appVersionState="READY_FOR_DISTRIBUTION"))
