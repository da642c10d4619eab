"""Releasing an approved version that waits for the developer (`release: true`). Pure.

FACTS-2 §13, R29. Only a version in PENDING_DEVELOPER_RELEASE can be released, with a release
request (a POST that cannot be read back); what it did shows in the version's state, so the
applier reads the version after it until the state says released (`confirms`). Before
approval the release waits (a deferral); once the version is out, there is nothing to do.
In the plan a release is a create (the POST of a release request) that output calls "release".
`release: true` asks for a person's button press, so it goes with release_type manual: with
after_approval or scheduled Apple releases by itself, and the plan says the manifest
contradicts itself rather than ignoring one of the two.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.kinds import Lookup, Request, version_id_of
from reconciler.kinds.version import resolve
from reconciler.kinds.version_states import current_state
from reconciler.manifest import Platform, PlatformRelease, ReleaseType
from reconciler.plan import Action, Change, Deferral, PlanItem, PlanProblem
from reconciler.state import RemoteApp

__all__ = ["API_TYPE", "KIND", "RELEASED_STATES"]

API_TYPE = "appStoreVersionReleaseRequests"
WAITING = "PENDING_DEVELOPER_RELEASE"
# What a version shows once a release request took (R29).
RELEASED_STATES = frozenset({"PROCESSING_FOR_DISTRIBUTION", "READY_FOR_DISTRIBUTION"})
_DONE = RELEASED_STATES | {"PENDING_APPLE_RELEASE"}  # approved and scheduled: Apple releases it


class ReleaseKind:
    name = "release"
    noun = "release"
    fields = ()
    # A second request for a version already released is refused (unverified: 409, our model);
    # the applier then reads the version, and a released one means the first try landed.
    exists_codes = ("STATE_ERROR", "ENTITY_ERROR")
    adopts = False
    confirms = True
    verb = "release"
    operates = False
    cost = 2

    def describe(self, change: Change) -> str:
        return f"version {change.version}"

    def plan(
        self, app: RemoteApp, platform: Platform, spec: PlatformRelease | str
    ) -> list[PlanItem]:
        if not isinstance(spec, PlatformRelease) or spec.release is not True:
            return []
        where = {"app": app.bundle_id, "platform": platform, "version": spec.version}
        if spec.release_type not in (None, ReleaseType.MANUAL):
            assert spec.release_type is not None
            return [
                PlanProblem(
                    **where,
                    rule="release-needs-manual",
                    message=f"release: true is for release_type manual, and {spec.version} is "
                    f"{spec.release_type.value}: App Store Connect releases it by itself. "
                    "Set release_type: manual, or remove release.",
                )
            ]
        found = resolve(app, platform, spec)
        if found.outcome == "blocked":
            return []  # the version's own deferral or problem says why
        version = found.version if found.outcome == "existing" else None
        if version is None:
            return [_waits(where, f"{spec.version} is yet to be submitted")]
        if version.state == WAITING:
            return [
                Change(
                    kind=self.name,
                    **where,
                    app_id=app.id,
                    action=Action.CREATE,  # of a release request (R29)
                    version_id=version.id,
                    before={"state": WAITING},
                )
            ]
        if version.state in _DONE:
            return []
        if version.state == "REPLACED_WITH_NEW_VERSION":
            return [
                PlanProblem(
                    **where,
                    rule="release-superseded",
                    message=f"version {spec.version} was released and a later version has "
                    "replaced it: there is nothing to release. Remove release, or name the "
                    "next version.",
                )
            ]
        return [_waits(where, f"{spec.version} is {version.state}")]

    def request(self, change: Change, ids: Mapping[str, str]) -> Request:
        version = {"data": {"type": "appStoreVersions", "id": version_id_of(change, ids)}}
        body = {"data": {"type": API_TYPE, "relationships": {"appStoreVersion": version}}}
        return Request("POST", f"/v1/{API_TYPE}", body)

    def lookup(self, change: Change, ids: Mapping[str, str]) -> Lookup:
        # The version, found only once its state says released: that is what the request did.
        fields = {"fields[appStoreVersions]": "appStoreState,appVersionState"}
        path = f"/v1/appStoreVersions/{version_id_of(change, ids)}"
        return Lookup(path, fields, _released, to_one=True)

    def holds(self, change: Change, resource: Mapping[str, Any]) -> bool:
        return _released([resource]) is not None

    def settle(self, change: Change, resource: Mapping[str, Any]) -> Request | None:
        return None


KIND = ReleaseKind()


def _released(resources: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    for resource in resources:
        attributes = resource.get("attributes")
        if not isinstance(attributes, Mapping):
            continue
        state = current_state(attributes.get("appVersionState"), attributes.get("appStoreState"))
        if state in RELEASED_STATES:
            return resource
    return None


def _waits(where: Mapping[str, Any], why: str) -> Deferral:
    return Deferral(
        kind="release",
        **where,
        reason=f"{why}: waiting for App Review's approval",
        until="a later run releases it once it is approved (PENDING_DEVELOPER_RELEASE)",
    )
