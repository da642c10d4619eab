"""Moving a version through App Review by hand: `reconciler sandbox advance`.

Apple moves these states, not the API; the sandbox lets users and tests do it:

    submit   PREPARE_FOR_SUBMISSION | *_REJECTED | INVALID_BINARY  -> WAITING_FOR_REVIEW
    review   WAITING_FOR_REVIEW                                     -> IN_REVIEW
    approve  WAITING_FOR_REVIEW | IN_REVIEW -> per releaseType:
               MANUAL                        -> PENDING_DEVELOPER_RELEASE
               SCHEDULED, date in the future -> PENDING_APPLE_RELEASE
               otherwise                     -> READY_FOR_DISTRIBUTION (released)
    reject   WAITING_FOR_REVIEW | IN_REVIEW                         -> REJECTED
    release  PENDING_DEVELOPER_RELEASE | PENDING_APPLE_RELEASE      -> READY_FOR_DISTRIBUTION

A release marks the previously live version of the platform REPLACED_WITH_NEW_VERSION.
"""

from __future__ import annotations

from datetime import datetime

from reconciler.sandbox.rules import EDITABLE, LIVE, parse_instant
from reconciler.sandbox.state import PLATFORMS, SandboxState, VersionRecord

__all__ = ["ACTIONS", "LifecycleError", "advance"]

ACTIONS = ("submit", "review", "approve", "reject", "release")
_FROM = {
    "submit": EDITABLE - {"WAITING_FOR_REVIEW"},
    "review": frozenset({"WAITING_FOR_REVIEW"}),
    "approve": frozenset({"WAITING_FOR_REVIEW", "IN_REVIEW"}),
    "reject": frozenset({"WAITING_FOR_REVIEW", "IN_REVIEW"}),
    "release": frozenset({"PENDING_DEVELOPER_RELEASE", "PENDING_APPLE_RELEASE"}),
}
_DONE = LIVE | {"REPLACED_WITH_NEW_VERSION"}


class LifecycleError(ValueError):
    """The action does not apply: unknown app, platform or action, or no version in that state."""


def advance(state: SandboxState, bundle_id: str, platform: str, action: str, now: datetime) -> str:
    """Apply `action` to the platform's current (not yet live) version; describe the move."""
    app = state.app_by_bundle_id(bundle_id)
    if app is None:
        raise LifecycleError(f"no app with bundle id {bundle_id} in the sandbox")
    if platform not in PLATFORMS:
        raise LifecycleError(f"platform must be one of {', '.join(PLATFORMS)}, not {platform}")
    if action not in ACTIONS:
        raise LifecycleError(f"action must be one of {', '.join(ACTIONS)}, not {action}")
    pending = [v for v in state.versions(app.id, platform) if v.app_version_state not in _DONE]
    if not pending:
        raise LifecycleError(f"{bundle_id} {platform} has no version waiting to {action}")
    version = pending[0]
    before = version.app_version_state
    if before not in _FROM[action]:
        allowed = ", ".join(sorted(_FROM[action]))
        raise LifecycleError(
            f"cannot {action} {bundle_id} {platform} {version.version_string}: it is {before}; "
            f"{action} applies to {allowed}"
        )
    after = _target(version, action, now)
    if after == "READY_FOR_DISTRIBUTION":
        for old in state.versions(app.id, platform):
            if old is not version and old.app_version_state in LIVE:
                old.set_state("REPLACED_WITH_NEW_VERSION")
    version.set_state(after)
    return f"{bundle_id} {platform} {version.version_string}: {before} -> {after}"


def _target(version: VersionRecord, action: str, now: datetime) -> str:
    if action == "submit":
        return "WAITING_FOR_REVIEW"
    if action == "review":
        return "IN_REVIEW"
    if action == "reject":
        return "REJECTED"
    if action == "release":
        return "READY_FOR_DISTRIBUTION"
    if version.release_type == "MANUAL":
        return "PENDING_DEVELOPER_RELEASE"
    date = parse_instant(version.earliest_release_date or "")
    if version.release_type == "SCHEDULED" and date is not None and date > now:
        return "PENDING_APPLE_RELEASE"
    return "READY_FOR_DISTRIBUTION"
