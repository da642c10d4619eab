"""Version strings and version states: parsing, ordering and the three state groups.

A versionString is 1 to 3 dot-separated non-negative integers without leading zeros
(Apple's rule, FACTS R3), each of at most 9 digits: Apple's are short, and the bound keeps
a hostile 5 000-digit "version" from reaching int(). Ordering is numeric part by part, with
missing parts as 0, so 2.10 > 2.9 and 2.4 orders the same as 2.4.0 (but they are different
strings).
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = [
    "EDITABLE_STATES",
    "NEVER_SUBMITTED_STATES",
    "VERSION_PATTERN",
    "StateGroup",
    "is_valid_version",
    "state_group",
    "version_key",
]

VERSION_PATTERN = r"^(0|[1-9][0-9]{0,8})(\.(0|[1-9][0-9]{0,8})){0,2}$"
_VERSION_RE = re.compile(VERSION_PATTERN)


def is_valid_version(text: str) -> bool:
    return bool(_VERSION_RE.fullmatch(text))  # fullmatch: `$` alone would allow "1\n"


def version_key(text: str) -> tuple[int, int, int] | None:
    """The ordering key of a version string, or None when it is not a valid version."""
    if not is_valid_version(text):
        return None
    parts = [int(p) for p in text.split(".")]
    parts += [0] * (3 - len(parts))
    return (parts[0], parts[1], parts[2])


class StateGroup(StrEnum):
    """Where a remote version stands (DESIGN §3)."""

    EDITABLE = "editable"  # can be changed; at most one per platform
    IN_FLIGHT = "in flight"  # submitted or approved, not yet done; blocks a new version
    DONE = "done"  # released or replaced; never changes again


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
_DONE_STATES = frozenset({"READY_FOR_DISTRIBUTION", "REPLACED_WITH_NEW_VERSION"})


def state_group(app_version_state: str) -> StateGroup:
    """Group an appVersionState. Unknown states count as in flight: the safe reading,
    since it makes the planner wait rather than write."""
    if app_version_state in EDITABLE_STATES:
        return StateGroup.EDITABLE
    if app_version_state in _DONE_STATES:
        return StateGroup.DONE
    return StateGroup.IN_FLIGHT
