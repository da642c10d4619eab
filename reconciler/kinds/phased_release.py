"""A version's phased release (7-day rollout). Pure.

FACTS-2 §10, R21-R23. Only for an update (never the platform's first version). `true`: one
exists (created INACTIVE when missing, in the states Apple allows; a paused rollout is
resumed). `false`: none, deleting one that has not started; a rollout under way cannot be
switched off (an error that says to complete it instead). `paused` / `complete` control a
rollout under way on a live version; before release they mean `true` (the rollout starts at
release), and COMPLETE is final, so the plan says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.kinds import Field, Lookup, Request, first_found, jsonapi_body, version_id_of
from reconciler.kinds.version import resolve
from reconciler.kinds.version_states import PHASED_CREATE_STATES, ROLLOUT_STATES
from reconciler.manifest import Platform, PlatformRelease
from reconciler.plan import Action, Change, PlanItem, PlanProblem
from reconciler.state import RemoteApp, RemotePhasedRelease

__all__ = ["API_TYPE", "KIND"]

API_TYPE = "appStoreVersionPhasedReleases"


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


STATE = Field("phased_release", "phasedReleaseState", from_api=_lower, to_api=_upper)
FIELDS = (STATE,)
_RUNNING = ("ACTIVE", "PAUSED")


class PhasedReleaseKind:
    name = "phased_release"
    noun = "phased release"
    fields = FIELDS
    # A second phased release for one version conflicts (R8; E9's code is our model).
    exists_codes = ("STATE_ERROR.ALREADY_EXISTS",)
    adopts = False
    confirms = False
    verb = None
    operates = False
    cost = 1

    def describe(self, change: Change) -> str:
        words = f"phased release of {change.version}"
        if (change.after or {}).get("phased_release") == "complete":
            words += " (complete is final: every user gets it now)"
        return words

    def plan(
        self, app: RemoteApp, platform: Platform, spec: PlatformRelease | str
    ) -> list[PlanItem]:
        if not isinstance(spec, PlatformRelease) or spec.phased_release is None:
            return []
        found = resolve(app, platform, spec)
        if found.outcome == "blocked":
            return []
        desired = spec.phased_release
        version = found.version
        children = version.children if version else None
        remote = children.phased_release if children else None
        state = version.state if version else "PREPARE_FOR_SUBMISSION"  # made in this run

        def problem(rule: str, message: str) -> list[PlanItem]:
            return [
                PlanProblem(
                    app=app.bundle_id,
                    platform=platform,
                    version=spec.version,
                    rule=rule,
                    message=message,
                )
            ]

        def change(action: Action, before: str | None, after: str | None) -> list[PlanItem]:
            return [
                Change(
                    kind="phased_release",
                    app=app.bundle_id,
                    app_id=app.id,
                    platform=platform,
                    action=action,
                    version=spec.version,
                    version_id=version.id if version else None,
                    resource_id=remote.id if remote else None,
                    before={"phased_release": before} if before else None,
                    after={"phased_release": after} if after else None,
                )
            ]

        if desired is False:
            if remote is None or remote.state == "COMPLETE":
                return []
            # R21: deleted only before release. Before that one that is ACTIVE (EAS creates
            # them so) has not started, and goes like an INACTIVE one.
            if state not in PHASED_CREATE_STATES:
                return problem(
                    "rollout-under-way",
                    f"the phased release of {spec.version} is {remote.state} and the version "
                    f"is {state}: a phased release can be removed only before release. Set "
                    "phased_release: complete to release to every user now.",
                )
            return change(Action.DELETE, STATE.from_api(remote.state), None)
        if found.first:
            return problem(
                "phased-release-first-version",
                f"version {spec.version} is the first {platform.value} version of the app: a "
                "phased release is only for updates. Remove phased_release until the next "
                "version.",
            )
        if remote is None:
            if state in PHASED_CREATE_STATES:
                return change(Action.CREATE, None, "inactive")
            if desired == "complete" and state in ROLLOUT_STATES:
                return []  # released to everyone at once: what complete asks for
            return problem(
                "phased-release-too-late",
                f"version {spec.version} is {state} without a phased release: it can be "
                "added only until the version is released. It applies to the next version.",
            )
        if state in PHASED_CREATE_STATES:
            # Not released yet: paused and complete mean true (it exists; the rollout starts at
            # release), whatever state it was created in, so no PATCH (E12 in pending release).
            return []
        target = _target(desired, remote)
        if target is None:
            return []
        if target == "PAUSED" and remote.state == "COMPLETE":
            return problem(
                "rollout-complete",
                f"the phased release of {spec.version} is COMPLETE (final): it cannot be "
                "paused. Set phased_release: complete.",
            )
        if state not in ROLLOUT_STATES:
            return problem(
                "rollout-not-live",
                f"version {spec.version} is {state}: a rollout can be paused or completed "
                "only once the version is live.",
            )
        return change(Action.UPDATE, STATE.from_api(remote.state), STATE.from_api(target))

    def request(self, change: Change, ids: Mapping[str, str]) -> Request:
        if change.action is Action.CREATE:
            body = jsonapi_body(
                API_TYPE,
                {"phasedReleaseState": "INACTIVE"},
                relationships={"appStoreVersion": ("appStoreVersions", version_id_of(change, ids))},
            )
            return Request("POST", f"/v1/{API_TYPE}", body)
        assert change.resource_id is not None
        path = f"/v1/{API_TYPE}/{change.resource_id}"
        if change.action is Action.UPDATE:
            state = STATE.to_api((change.after or {})[STATE.name])
            body = jsonapi_body(API_TYPE, {STATE.api: state}, id_=change.resource_id)
            return Request("PATCH", path, body)
        return Request("DELETE", path)

    def lookup(self, change: Change, ids: Mapping[str, str]) -> Lookup:
        path = f"/v1/appStoreVersions/{version_id_of(change, ids)}/appStoreVersionPhasedRelease"
        return Lookup(path, {}, first_found, to_one=True)

    def holds(self, change: Change, resource: Mapping[str, Any]) -> bool:
        attributes = resource.get("attributes")
        state = attributes.get(STATE.api) if isinstance(attributes, Mapping) else None
        return isinstance(state, str) and STATE.from_api(state) == (change.after or {}).get(
            STATE.name
        )

    def settle(self, change: Change, resource: Mapping[str, Any]) -> Request | None:
        return None  # found after a create: the one we made (Apple makes none by itself)


KIND = PhasedReleaseKind()


def _target(desired: bool | str, remote: RemotePhasedRelease) -> str | None:
    """The state to PATCH to, or None when the phased release is as wanted."""
    if remote.state == "INACTIVE":
        return None  # not started: the rollout begins at release, whatever comes then
    if desired is True:
        return "ACTIVE" if remote.state == "PAUSED" else None
    if desired == "paused":
        return "PAUSED" if remote.state != "PAUSED" else None
    return "COMPLETE" if remote.state in _RUNNING else None
