"""Version states: the one table the planner reads them through. Pure.

Apple reports a version's state as `appVersionState` and, for years before it, only as the
deprecated `appStoreState` with other names for the same states (FACTS §1). `current_state`
turns either into an appVersionState; `state_group` puts that in one of three groups (DESIGN §3).
The sandbox keeps its own tables on purpose (a second reading of Apple's rules); a test checks
that the two agree on every value of both enums in Apple's OpenAPI document.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "APP_STORE_STATE_NAMES",
    "BUILD_ATTACH_STATES",
    "DONE_STATES",
    "EDITABLE_STATES",
    "IN_FLIGHT_STATES",
    "LOCALE_CREATE_STATES",
    "NEVER_SUBMITTED_STATES",
    "PHASED_CREATE_STATES",
    "PROMOTIONAL_TEXT_STATES",
    "ROLLOUT_STATES",
    "StateGroup",
    "current_state",
    "state_group",
]


class StateGroup(StrEnum):
    """Where a remote version stands (DESIGN §3)."""

    EDITABLE = "editable"  # can be changed; at most one per platform
    IN_FLIGHT = "in flight"  # on its way to the store; blocks a new version (R1)
    DONE = "done"  # released or replaced; never changes again, allows a new version


# fastlane's "edit" states (FACTS §1), keyed on appVersionState.
EDITABLE_STATES = frozenset(
    {
        "PREPARE_FOR_SUBMISSION",
        "DEVELOPER_REJECTED",
        "REJECTED",
        "METADATA_REJECTED",
        "WAITING_FOR_REVIEW",
        "INVALID_BINARY",
    }
)
# Only a version that was never submitted can be deleted.
NEVER_SUBMITTED_STATES = frozenset({"PREPARE_FOR_SUBMISSION"})
# Everything else is in flight, named here so that no state is grouped by accident:
# PROCESSING_FOR_DISTRIBUTION is on its way to the store, and Apple refuses a new version until
# it is READY_FOR_DISTRIBUTION (a deferral costs one later run; a refused create is a failed
# apply). READY_FOR_REVIEW is a version added to a review submission that is not yet submitted:
# it is not one of fastlane's edit states and its locales are frozen (FACTS-2 R19, R28), so it
# is not planned against as editable.
DONE_STATES = frozenset({"READY_FOR_DISTRIBUTION", "REPLACED_WITH_NEW_VERSION"})

# What hangs off a version, by the version's state (FACTS-2 R19-R25; the sandbox keeps its own
# tables and tests/test_states.py holds the two to each other).
# A locale can be added only before the version is submitted (R19, E11: measured refused on
# WAITING_FOR_REVIEW; INVALID_BINARY is left out too, the stricter reading).
LOCALE_CREATE_STATES = frozenset(
    {"PREPARE_FOR_SUBMISSION", "DEVELOPER_REJECTED", "REJECTED", "METADATA_REJECTED"}
)
# Promotional text can change on a live version as well (R20, our reading: Apple's help page
# says it needs no new submission; unverified through the API).
PROMOTIONAL_TEXT_STATES = EDITABLE_STATES | {"READY_FOR_DISTRIBUTION"}
# A build can be attached only while the version is editable and not yet submitted (R25).
BUILD_ATTACH_STATES = LOCALE_CREATE_STATES | {"INVALID_BINARY"}
# A phased release can be created in these states (FACTS-2 §10), only for an update (R21).
PHASED_CREATE_STATES = frozenset(
    {
        "PREPARE_FOR_SUBMISSION",
        "WAITING_FOR_REVIEW",
        "IN_REVIEW",
        "WAITING_FOR_EXPORT_COMPLIANCE",
        "PENDING_DEVELOPER_RELEASE",
        "DEVELOPER_REJECTED",
        "REJECTED",
        "METADATA_REJECTED",
    }
)
# A rollout can be paused, resumed or completed only once the version is live (R23; E12 in
# PENDING_DEVELOPER_RELEASE).
ROLLOUT_STATES = frozenset({"READY_FOR_DISTRIBUTION"})
IN_FLIGHT_STATES = frozenset(
    {
        "ACCEPTED",
        "IN_REVIEW",
        "PENDING_APPLE_RELEASE",
        "PENDING_DEVELOPER_RELEASE",
        "PROCESSING_FOR_DISTRIBUTION",
        "READY_FOR_REVIEW",
        "WAITING_FOR_EXPORT_COMPLIANCE",
    }
)

# Every deprecated appStoreState value, as the appVersionState it means. Where Apple renamed a
# state the new name is given; the states that left the enum map to the nearest group: a
# version removed from sale or up for pre-order has been released (done), one waiting for a
# contract is approved but not released (in flight), NOT_APPLICABLE is unknown (in flight).
APP_STORE_STATE_NAMES = {
    "ACCEPTED": "ACCEPTED",
    "DEVELOPER_REJECTED": "DEVELOPER_REJECTED",
    "DEVELOPER_REMOVED_FROM_SALE": "READY_FOR_DISTRIBUTION",
    "IN_REVIEW": "IN_REVIEW",
    "INVALID_BINARY": "INVALID_BINARY",
    "METADATA_REJECTED": "METADATA_REJECTED",
    "NOT_APPLICABLE": "NOT_APPLICABLE",
    "PENDING_APPLE_RELEASE": "PENDING_APPLE_RELEASE",
    "PENDING_CONTRACT": "PENDING_DEVELOPER_RELEASE",
    "PENDING_DEVELOPER_RELEASE": "PENDING_DEVELOPER_RELEASE",
    "PREORDER_READY_FOR_SALE": "READY_FOR_DISTRIBUTION",
    "PREPARE_FOR_SUBMISSION": "PREPARE_FOR_SUBMISSION",
    "PROCESSING_FOR_APP_STORE": "PROCESSING_FOR_DISTRIBUTION",
    "READY_FOR_REVIEW": "READY_FOR_REVIEW",
    "READY_FOR_SALE": "READY_FOR_DISTRIBUTION",
    "REJECTED": "REJECTED",
    "REMOVED_FROM_SALE": "READY_FOR_DISTRIBUTION",
    "REPLACED_WITH_NEW_VERSION": "REPLACED_WITH_NEW_VERSION",
    "WAITING_FOR_EXPORT_COMPLIANCE": "WAITING_FOR_EXPORT_COMPLIANCE",
    "WAITING_FOR_REVIEW": "WAITING_FOR_REVIEW",
}


def current_state(app_version_state: str | None, app_store_state: str | None) -> str:
    """The appVersionState of a version; from the deprecated appStoreState when that is all
    Apple sent (an unknown old name is kept as it is: it groups as in flight)."""
    if app_version_state:
        return app_version_state
    if app_store_state:
        return APP_STORE_STATE_NAMES.get(app_store_state, app_store_state)
    return "UNKNOWN"


def state_group(app_version_state: str) -> StateGroup:
    """Group an appVersionState. Unknown states count as in flight: the safe reading,
    since it makes the planner wait rather than write."""
    if app_version_state in EDITABLE_STATES:
        return StateGroup.EDITABLE
    if app_version_state in DONE_STATES:
        return StateGroup.DONE
    return StateGroup.IN_FLIGHT
