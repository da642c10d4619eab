"""The build attached to a version, chosen by its number. Pure.

FACTS-2 R24-R25: a build is (app, the version's string, platform, build number); the plan
resolves it to Apple's id. Not uploaded yet, or still processing: a deferral (it converges by
itself). Failed, invalid, expired, internal-only, of another train or platform, attached to
another version, or a version that can no longer take a build: an error with the reason, never
a 409 at apply time (E14). Attaching is one relationship PATCH.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.kinds import Field, Lookup, Request, first_found, version_id_of
from reconciler.kinds.version import normalise_date, resolve
from reconciler.kinds.version_states import BUILD_ATTACH_STATES
from reconciler.kinds.version_strings import version_key
from reconciler.manifest import Platform, PlatformRelease
from reconciler.plan import Action, Change, Deferral, PlanItem, PlanProblem
from reconciler.state import RemoteApp, RemoteBuild

__all__ = ["API_TYPE", "ATTRIBUTES", "KIND", "READ_FIELDS", "same_train"]

API_TYPE = "builds"
ATTRIBUTES = ("version", "processingState", "expired", "buildAudienceType", "uploadedDate")
# With the relationships that say whose build it is, of which train, attached where.
READ_FIELDS = (*ATTRIBUTES, "preReleaseVersion", "appStoreVersion", "app")
FIELDS = (Field("build", "version"),)


def same_train(train: str | None, version: str) -> bool:
    """Whether a build's pre-release version is this version: 1.0 and 1.0.0 are one (R24)."""
    if train is None:
        return False
    return train == version or (
        version_key(train) is not None and version_key(train) == version_key(version)
    )


class BuildKind:
    name = "build"
    noun = "build"
    fields = FIELDS
    exists_codes: tuple[str, ...] = ()
    adopts = False
    confirms = False
    verb = None
    operates = False
    cost = 1

    def describe(self, change: Change) -> str:
        return f"build of {change.version}"

    def plan(
        self, app: RemoteApp, platform: Platform, spec: PlatformRelease | str
    ) -> list[PlanItem]:
        if not isinstance(spec, PlatformRelease) or spec.build is None:
            return []
        found = resolve(app, platform, spec)
        if found.outcome == "blocked":
            return []
        number, version = spec.build, found.version
        children = version.children if version else None
        attached = children.build if children else None
        if attached is not None:  # its train is read with the builds of its number
            attached = next((b for b in app.builds if b.id == attached.id), attached)
        # Attached already, unless the version is renamed away from the build's train: then
        # it is a build of another version, said below (a train not read is taken as right).
        if (
            attached is not None
            and attached.number == number
            and (attached.train is None or same_train(attached.train, spec.version))
        ):
            return []

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

        if version is not None and version.state not in BUILD_ATTACH_STATES:
            now = f"build {attached.number}" if attached else "no build"
            return problem(
                "build-cannot-change",
                f"version {version.version_string} is {version.state} and has {now}: App Store "
                f"Connect attaches a build only before the version is submitted, so build "
                f"{number} cannot be attached. Declare a new, higher version for it.",
            )
        name = f"build {number} of {spec.version}"
        candidates = [b for b in app.builds if b.number == number]
        mine = [b for b in candidates if same_train(b.train, spec.version)]
        mine = [b for b in mine if b.platform == platform.api]
        if not mine:
            if candidates:
                elsewhere = ", ".join(sorted({f"{b.train} ({b.platform})" for b in candidates}))
                return problem(
                    "build-of-another-version",
                    f"build {number} was uploaded for {elsewhere}, not for {spec.version} "
                    f"({platform.api}): a build belongs to one version and platform. Upload a "
                    "build of this version, or fix `build`.",
                )
            return [_wait(app, platform, spec.version, f"{name} is not uploaded yet", "uploaded")]
        # The number is pinned, so several matches are one build seen twice or a failed upload
        # beside a good one: take the newest usable (never "the newest" unpinned, R24).
        newest = sorted(mine, key=_uploaded, reverse=True)
        build = min(newest, key=lambda b: b.processing_state != "VALID" or bool(b.expired))
        reason = _unusable(build, version.id if version else None)
        if reason == "PROCESSING":
            return [_wait(app, platform, spec.version, f"{name} is processing", "processed")]
        if reason:
            return problem("build-unusable", f"{name} {reason}: upload a new build and name it.")
        return [
            Change(
                kind="build",
                app=app.bundle_id,
                app_id=app.id,
                platform=platform,
                action=Action.UPDATE,
                version=spec.version,
                version_id=version.id if version else None,
                resource_id=build.id,
                before={"build": attached.number if attached else None},
                after={"build": number},
            )
        ]

    def request(self, change: Change, ids: Mapping[str, str]) -> Request:
        assert change.resource_id is not None
        body = {"data": {"type": API_TYPE, "id": change.resource_id}}
        return Request("PATCH", _link_path(version_id_of(change, ids)), body)

    def lookup(self, change: Change, ids: Mapping[str, str]) -> Lookup:
        return Lookup(_link_path(version_id_of(change, ids)), {}, first_found, to_one=True)

    def holds(self, change: Change, resource: Mapping[str, Any]) -> bool:
        return resource.get("id") == change.resource_id

    def settle(self, change: Change, resource: Mapping[str, Any]) -> Request | None:
        return None  # a build is attached, never created


KIND = BuildKind()


def _uploaded(build: RemoteBuild) -> str:
    """When the build was uploaded, comparable as text (an instant in UTC); unknown first."""
    try:
        return normalise_date(build.uploaded_date) or ""
    except ValueError:
        return ""


def _link_path(version_id: str) -> str:
    return f"/v1/appStoreVersions/{version_id}/relationships/build"


def _unusable(build: RemoteBuild, version_id: str | None) -> str:
    """Why the build cannot be attached: "PROCESSING" (wait), a reason, or "" (it can)."""
    state = build.processing_state or "unknown"
    if state == "PROCESSING":
        return "PROCESSING"
    if state != "VALID":
        return f"is {state} (App Store Connect did not accept it)"
    if build.expired:
        return "has expired"
    if build.audience == "INTERNAL_ONLY":
        return "is for internal testing only and can never be attached to an App Store version"
    if build.version_id is not None and build.version_id != version_id:
        return "is attached to another App Store version already"
    return ""


def _wait(app: RemoteApp, platform: Platform, version: str, reason: str, until: str) -> Deferral:
    return Deferral(
        kind="build",
        app=app.bundle_id,
        platform=platform,
        version=version,
        reason=reason,
        until=f"a later run attaches it once it is {until}",
    )
