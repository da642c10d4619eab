"""Moving a version through App Review by hand: `reconciler sandbox advance`.

Apple moves these states, not the API; the sandbox lets users and tests do it:

    submit   PREPARE_FOR_SUBMISSION | *_REJECTED | INVALID_BINARY
             | READY_FOR_REVIEW                                     -> WAITING_FOR_REVIEW
    review   WAITING_FOR_REVIEW                                     -> IN_REVIEW
    approve  WAITING_FOR_REVIEW | IN_REVIEW -> per releaseType:
               MANUAL                        -> PENDING_DEVELOPER_RELEASE
               SCHEDULED, date in the future -> PENDING_APPLE_RELEASE
               otherwise                     -> READY_FOR_DISTRIBUTION (released)
    reject   WAITING_FOR_REVIEW | IN_REVIEW                         -> REJECTED
    release  PENDING_DEVELOPER_RELEASE | PENDING_APPLE_RELEASE      -> READY_FOR_DISTRIBUTION

A release marks the previously live version of the platform REPLACED_WITH_NEW_VERSION, and
starts the version's INACTIVE phased release, if it has one: ACTIVE, day 1, startDate now
(release.py, shared with the release request).

The version's review submission follows, as App Review would move it (review_rules.py): submit
sends the submission holding the version (or a new one with the version as its item, as the
web interface makes; an UNRESOLVED_ISSUES one again, in place); review moves it IN_REVIEW;
approve makes it COMPLETE and the item APPROVED; reject makes it UNRESOLVED_ISSUES and the item
REJECTED. A version with no submission moves as before, and what is printed is the same.
Advancing checks no metadata (E17): it stands for App Review's hand, not for the API.

Two actions move other things than the version in progress:

    process  the app's PROCESSING builds on the platform (or only build number `build`) -> VALID
    rollout  the live version's ACTIVE phased release moves on one day; after day 7, COMPLETE
"""

from __future__ import annotations

from datetime import datetime

from reconciler.sandbox import review_rules
from reconciler.sandbox.release import release_version
from reconciler.sandbox.rules import EDITABLE, LIVE, parse_instant
from reconciler.sandbox.state import (
    PLATFORMS,
    AppRecord,
    SandboxState,
    VersionRecord,
    format_instant,
)

__all__ = ["ACTIONS", "LifecycleError", "advance"]

ACTIONS = ("submit", "review", "approve", "reject", "release", "process", "rollout")
ROLLOUT_DAYS = 7
_FROM = {
    "submit": (EDITABLE - {"WAITING_FOR_REVIEW"}) | {"READY_FOR_REVIEW"},
    "review": frozenset({"WAITING_FOR_REVIEW"}),
    "approve": frozenset({"WAITING_FOR_REVIEW", "IN_REVIEW"}),
    "reject": frozenset({"WAITING_FOR_REVIEW", "IN_REVIEW"}),
    "release": frozenset({"PENDING_DEVELOPER_RELEASE", "PENDING_APPLE_RELEASE"}),
}
_DONE = LIVE | {"REPLACED_WITH_NEW_VERSION"}


class LifecycleError(ValueError):
    """The action does not apply: unknown app, platform or action, or no version in that state."""


def advance(
    state: SandboxState,
    bundle_id: str,
    platform: str,
    action: str,
    now: datetime,
    *,
    build: str | None = None,
) -> str:
    """Apply `action` to the platform's current (not yet live) version; describe the move.
    `build` (a build number) narrows `process` to one build."""
    app = state.app_by_bundle_id(bundle_id)
    if app is None:
        raise LifecycleError(f"no app with bundle id {bundle_id} in the sandbox")
    if platform not in PLATFORMS:
        raise LifecycleError(f"platform must be one of {', '.join(PLATFORMS)}, not {platform}")
    if action not in ACTIONS:
        raise LifecycleError(f"action must be one of {', '.join(ACTIONS)}, not {action}")
    if build is not None and action != "process":
        raise LifecycleError("a build number goes with the action process only")
    if action == "process":
        return _process(state, app, platform, build)
    if action == "rollout":
        return _rollout(state, app, platform, now)
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
    _follow_submission(state, version, action, now)
    moved = f"{bundle_id} {platform} {version.version_string}: {before} -> {after}"
    if after == "READY_FOR_DISTRIBUTION":
        return moved + release_version(state, version, now)
    version.set_state(after)
    return moved


def _follow_submission(
    state: SandboxState, version: VersionRecord, action: str, now: datetime
) -> None:
    """Move the version's open review submission and item with it (see the module docstring)."""
    book = state.reviews
    item = book.holding(version.id)
    if action == "submit":
        if item is None:
            draft = next(
                (
                    s
                    for s in book.of_app(version.app_id, version.platform)
                    if s.state == "READY_FOR_REVIEW"
                ),
                None,
            )
            submission_id = (
                draft.id if draft else book.add_submission(version.app_id, version.platform)
            )
            item_id = book.add_item(
                submission_id, version.id, version_state_before=version.app_version_state
            )
            item = book.items[item_id]
        review_rules.submit(state, book.submissions[item.submission_id], now)
        return
    if item is None:
        return
    submission = book.submissions[item.submission_id]
    if action == "review":
        submission.state = "IN_REVIEW"
    elif action == "approve":
        item.state, submission.state = "APPROVED", "COMPLETE"
    elif action == "reject":
        item.state, submission.state = "REJECTED", "UNRESOLVED_ISSUES"


def _process(state: SandboxState, app: AppRecord, platform: str, number: str | None) -> str:
    builds = [
        b
        for b in state.builds_of(app.id)
        if b.platform == platform
        and b.processing_state == "PROCESSING"
        and (number is None or b.number == number)
    ]
    if not builds:
        which = f"build {number}" if number else "build"
        raise LifecycleError(f"{app.bundle_id} {platform} has no {which} in PROCESSING")
    for b in builds:
        b.processing_state = "VALID"
    names = ", ".join(f"{b.train} ({b.number})" for b in builds)
    return f"{app.bundle_id} {platform} builds {names}: PROCESSING -> VALID"


def _rollout(state: SandboxState, app: AppRecord, platform: str, now: datetime) -> str:
    live = [v for v in state.versions(app.id, platform) if v.app_version_state in LIVE]
    phased = state.phased_release_of(live[0].id) if live else None
    if phased is None or phased.state != "ACTIVE":
        raise LifecycleError(f"{app.bundle_id} {platform} has no ACTIVE phased release to roll out")
    day = phased.current_day_number or 1
    if phased.start_date is None:
        phased.start_date = format_instant(now)
    if day >= ROLLOUT_DAYS:
        phased.state, phased.current_day_number = "COMPLETE", ROLLOUT_DAYS
        return f"{app.bundle_id} {platform} {live[0].version_string}: phased release COMPLETE"
    phased.current_day_number = day + 1
    return (
        f"{app.bundle_id} {platform} {live[0].version_string}: phased release day {day + 1} "
        f"of {ROLLOUT_DAYS}"
    )


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
