"""make_plan(manifest, state) -> Plan: the rules of DESIGN §3. Pure and deterministic.

Both sides are normalised into the same shape before comparing (manifest attribute names,
lower-case enums, dates as UTC instants, stripped strings, empty as None), so that the plan
made right after a clean apply is empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from deepdiff import DeepDiff

from reconciler.manifest import ABSENT, Manifest, Platform, PlatformRelease, ReleaseType
from reconciler.plan import Action, Change, Deferral, Plan, PlanError
from reconciler.state import RemoteApp, RemoteState, RemoteVersion
from reconciler.states import NEVER_SUBMITTED_STATES, StateGroup, state_group
from reconciler.versions import version_key

__all__ = ["Target", "is_targeted", "make_plan", "normalise_date", "remote_attributes"]

Target = tuple[str, Platform | None]
_ATTRIBUTES = ("version", "release_type", "earliest_release_date", "copyright")


def normalise_date(value: datetime | str | None) -> str | None:
    """A date as the instant it names, in UTC with a `Z`, to the second."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:  # Apple always sends an offset; be safe rather than crash
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: str | None) -> str | None:
    stripped = value.strip() if value is not None else None
    return stripped or None


def remote_attributes(version: RemoteVersion) -> dict[str, Any]:
    """A remote version's attributes in manifest terms, normalised."""
    return {
        "version": version.version_string,
        "release_type": version.release_type.lower() if version.release_type else None,
        "earliest_release_date": normalise_date(version.earliest_release_date),
        "copyright": _text(version.copyright),
    }


def desired_attributes(release: PlatformRelease) -> dict[str, Any]:
    """The attributes the manifest manages: a key left out or null is not managed, an empty
    copyright clears it. Only values count, never which keys were set, so a desired state
    read back from a plan file plans exactly the same.

    A release type other than scheduled also clears the release date: Apple pairs the two (R5).
    """
    wanted: dict[str, Any] = {"version": release.version}
    if release.release_type is not None:
        wanted["release_type"] = release.release_type.value
        if release.release_type is not ReleaseType.SCHEDULED:
            wanted["earliest_release_date"] = None
    if release.earliest_release_date is not None:
        wanted["earliest_release_date"] = normalise_date(release.earliest_release_date)
    if release.copyright is not None:
        wanted["copyright"] = _text(release.copyright)
    return wanted


def _differences(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[str]:
    """Names of the wanted attributes whose value differs from the current one."""
    shared = {k: current.get(k) for k in wanted}
    diff = DeepDiff(shared, dict(wanted), ignore_order=True)
    changed = {path.split("'")[1] for kind in diff.values() for path in kind}
    return [k for k in _ATTRIBUTES if k in changed]


def make_plan(
    manifest: Manifest, state: RemoteState, targets: Iterable[Target] | None = None
) -> Plan:
    """Plan every targeted app and platform of the manifest against the remote state."""
    wanted_targets = list(targets) if targets is not None else None
    changes: list[Change] = []
    deferred: list[Deferral] = []
    errors: list[PlanError] = []
    for bundle_id, entry in manifest.apps.items():
        platforms = [p for p in entry.platforms() if is_targeted(wanted_targets, bundle_id, p)]
        if not platforms:
            continue
        app = state.apps.get(bundle_id)
        if app is None:
            errors.append(_app_missing(bundle_id))
            continue
        if entry.app_id is not None and entry.app_id != app.id:
            errors.append(_app_id_mismatch(bundle_id, entry.app_id, app.id))
            continue
        for platform in platforms:
            outcome = _plan_platform(app, platform, entry.platforms()[platform])
            if isinstance(outcome, Change):
                changes.append(outcome)
            elif isinstance(outcome, Deferral):
                deferred.append(outcome)
            elif isinstance(outcome, PlanError):
                errors.append(outcome)
    shown = None
    if wanted_targets is not None:
        shown = tuple(sorted({f"{b}:{p.value}" if p else b for b, p in wanted_targets}))
    return Plan(changes=changes, deferred=deferred, errors=errors, targets=shown)


def is_targeted(targets: list[Target] | None, bundle_id: str, platform: Platform) -> bool:
    """Whether a full plan (targets None) or one of the targets covers this app and platform."""
    if targets is None:
        return True
    return any(b == bundle_id and p in (None, platform) for b, p in targets)


def _plan_platform(
    app: RemoteApp, platform: Platform, spec: PlatformRelease | str
) -> Change | Deferral | PlanError | None:
    versions = sorted(app.on_platform(platform.api), key=_newest_first)
    editable = [v for v in versions if state_group(v.state) is StateGroup.EDITABLE]
    current = editable[0] if editable else None  # Apple allows one; take the highest (fastlane)
    if spec == ABSENT:
        return _plan_absent(app, platform, current)
    assert isinstance(spec, PlatformRelease)
    return _plan_release(app, platform, spec, versions, current)


def _newest_first(version: RemoteVersion) -> tuple[tuple[int, int, int], str]:
    key = version_key(version.version_string) or (-1, -1, -1)
    return ((-key[0], -key[1], -key[2]), version.id)


def _plan_absent(
    app: RemoteApp, platform: Platform, current: RemoteVersion | None
) -> Change | PlanError | None:
    if current is None:
        return None
    if current.state in NEVER_SUBMITTED_STATES:
        return Change(
            app=app.bundle_id,
            app_id=app.id,
            platform=platform,
            action=Action.DELETE,
            version=current.version_string,
            version_id=current.id,
            before=remote_attributes(current),
        )
    return PlanError(
        app=app.bundle_id,
        platform=platform,
        version=current.version_string,
        rule="submitted-cannot-be-deleted",
        message=(
            f"version {current.version_string} is {current.state} and was submitted before: "
            "App Store Connect keeps it and it cannot be deleted. Give it a version instead "
            "of `absent`, or leave the platform out of the manifest."
        ),
    )


def _plan_release(
    app: RemoteApp,
    platform: Platform,
    release: PlatformRelease,
    versions: list[RemoteVersion],
    current: RemoteVersion | None,
) -> Change | Deferral | PlanError | None:
    wanted = desired_attributes(release)
    same = [v for v in versions if v.version_string == release.version]
    if same:
        return _plan_existing(app, platform, same[0], wanted)
    settled = [v for v in versions if state_group(v.state) is not StateGroup.EDITABLE]
    # The manifest only holds valid versions; a remote string Apple accepted but we cannot
    # parse orders lowest rather than blocking the platform.
    target_key = version_key(release.version) or (0, 0, 0)
    higher = [v for v in settled if (version_key(v.version_string) or (0, 0, 0)) >= target_key]
    if higher:
        top = higher[0]
        return PlanError(
            app=app.bundle_id,
            platform=platform,
            version=release.version,
            rule="version-not-greater",
            message=(
                f"version {release.version} must be greater than {top.version_string} "
                f"({top.state}), the highest version already submitted: raise `version`."
            ),
        )
    if current is not None:
        return _update(app, platform, current, wanted)
    in_flight = [v for v in versions if state_group(v.state) is StateGroup.IN_FLIGHT]
    if in_flight:
        blocker = in_flight[0]
        return Deferral(
            app=app.bundle_id,
            platform=platform,
            version=release.version,
            waiting_on=blocker.version_string,
            waiting_on_id=blocker.id,
            waiting_on_state=blocker.state,
        )
    return Change(
        app=app.bundle_id,
        app_id=app.id,
        platform=platform,
        action=Action.CREATE,
        version=release.version,
        after={k: v for k, v in wanted.items() if v is not None},
    )


def _plan_existing(
    app: RemoteApp, platform: Platform, version: RemoteVersion, wanted: dict[str, Any]
) -> Change | PlanError | None:
    if state_group(version.state) is StateGroup.EDITABLE:
        return _update(app, platform, version, wanted)
    changed = _differences(remote_attributes(version), wanted)
    if not changed:
        return None
    return PlanError(
        app=app.bundle_id,
        platform=platform,
        version=version.version_string,
        rule="version-not-editable",
        message=(
            f"version {version.version_string} is {version.state} and can no longer change "
            f"({', '.join(changed)} {'differs' if len(changed) == 1 else 'differ'}): "
            "declare a new, higher version to change it."
        ),
    )


def _update(
    app: RemoteApp, platform: Platform, version: RemoteVersion, wanted: dict[str, Any]
) -> Change | None:
    current = remote_attributes(version)
    changed = _differences(current, wanted)
    if not changed:
        return None
    return Change(
        app=app.bundle_id,
        app_id=app.id,
        platform=platform,
        action=Action.UPDATE,
        version=wanted["version"],
        version_id=version.id,
        before={k: current[k] for k in changed},
        after={k: wanted[k] for k in changed},
    )


def _app_missing(bundle_id: str) -> PlanError:
    return PlanError(
        app=bundle_id,
        rule="app-not-found",
        message=(
            f"no app with bundle id {bundle_id} in App Store Connect: create the app there "
            "first (the API cannot create apps), or check the bundle id and the key's access."
        ),
    )


def _app_id_mismatch(bundle_id: str, declared: str, actual: str) -> PlanError:
    return PlanError(
        app=bundle_id,
        rule="app-id-mismatch",
        message=(
            f"app_id {declared} does not match: App Store Connect has {bundle_id} as app "
            f"{actual}. Fix or remove app_id."
        ),
    )
