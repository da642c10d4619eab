"""Apple's business rules for App Store versions (FACTS §6 R1-R5), on a `SandboxState`.

Written from FACTS.md, independently of the client's planner: the checks return the problem Apple
would answer, or None. Request bodies reaching here already match the OpenAPI request schema.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from reconciler.sandbox import errors
from reconciler.sandbox.errors import ApiProblem
from reconciler.sandbox.state import SandboxState, VersionRecord, format_instant

__all__ = [
    "EDITABLE",
    "LIVE",
    "SETTLED",
    "check_create",
    "check_delete",
    "check_update",
    "parse_instant",
    "parse_version",
]

# fastlane's "edit" states (FACTS §1): a version here can still be changed.
EDITABLE = frozenset(
    {
        "PREPARE_FOR_SUBMISSION",
        "DEVELOPER_REJECTED",
        "REJECTED",
        "METADATA_REJECTED",
        "WAITING_FOR_REVIEW",
        "INVALID_BINARY",
    }
)
# Released for sale, now or on its way (fastlane's "live"): new versions must be higher (R3).
LIVE = frozenset({"READY_FOR_DISTRIBUTION", "PROCESSING_FOR_DISTRIBUTION"})
RELEASED = LIVE | {"REPLACED_WITH_NEW_VERSION"}
# Settled for good. Any other version blocks a new one (R1); PROCESSING_FOR_DISTRIBUTION too,
# the stricter reading: unverified whether Apple accepts a new version during processing.
SETTLED = frozenset({"READY_FOR_DISTRIBUTION", "REPLACED_WITH_NEW_VERSION"})

_VERSION = re.compile(r"^(0|[1-9][0-9]{0,8})(\.(0|[1-9][0-9]{0,8})){0,2}\Z")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def parse_version(text: str) -> tuple[int, int, int] | None:
    """1 to 3 dot-separated integers (Apple's bundle rule, R3), padded for ordering."""
    if not _VERSION.match(text):
        return None
    parts = [int(p) for p in text.split(".")]
    major, minor, patch = [*parts, 0, 0][:3]
    return major, minor, patch


def parse_instant(text: str) -> datetime | None:
    """An RFC 3339 date-time with an offset, as the OpenAPI `date-time` format requires."""
    if not _INSTANT.match(text):
        return None
    try:
        return datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return None


def check_create(state: SandboxState, app_id: str, attributes: dict[str, Any]) -> ApiProblem | None:
    """POST /v1/appStoreVersions: R2, R1, R3, then R5."""
    platform = attributes["platform"]
    wanted = attributes["versionString"]
    same_platform = state.versions(app_id, platform)
    if any(v.version_string == wanted for v in same_platform):
        return errors.duplicate_version(with_e1=True)
    if any(v.app_version_state not in SETTLED for v in same_platform):
        return errors.new_version_refused()
    problem = _check_version_string(wanted, same_platform)
    if problem:
        return problem
    return _check_release(attributes, current=None)


def check_update(
    version: VersionRecord, state: SandboxState, attributes: dict[str, Any]
) -> ApiProblem | None:
    """PATCH /v1/appStoreVersions/{id}: R4 (one E3 per attribute sent), R2, R3, R5."""
    if version.app_version_state not in EDITABLE:
        problems = [errors.invalid_state(name) for name in attributes]
        if not problems:
            return None
        first = problems[0]
        for more in problems[1:]:
            first = first + more
        return first
    wanted = attributes.get("versionString")
    if "versionString" in attributes and wanted != version.version_string:
        if wanted is None:
            return errors.attribute_invalid(
                "versionString", "The attribute 'versionString' can not be null."
            )
        others = [v for v in state.versions(version.app_id, version.platform) if v is not version]
        if any(v.version_string == wanted for v in others):
            return errors.duplicate_version(with_e1=False)
        problem = _check_version_string(wanted, others)
        if problem:
            return problem
    return _check_release(attributes, current=version)


def check_delete(version: VersionRecord) -> ApiProblem | None:
    """Only an editable version that never went to review can be deleted."""
    if version.app_version_state != "PREPARE_FOR_SUBMISSION" or version.submitted:
        return errors.delete_forbidden(version.version_string, version.app_version_state)
    return None


def _check_version_string(wanted: str, same_platform: list[VersionRecord]) -> ApiProblem | None:
    parsed = parse_version(wanted)
    if parsed is None:
        return errors.attribute_invalid(
            "versionString",
            f"The version string '{wanted}' is invalid. It must be one to three "
            "period-separated integers.",
        )
    released = [
        (key, v.version_string)
        for v in same_platform
        if v.app_version_state in RELEASED and (key := parse_version(v.version_string))
    ]
    if released:
        highest_key, highest = max(released)
        if parsed <= highest_key:
            return errors.attribute_invalid(
                "versionString",
                f"The version number '{wanted}' must be higher than the previously released "
                f"version '{highest}'.",
            )
    return None


def _check_release(attributes: dict[str, Any], current: VersionRecord | None) -> ApiProblem | None:
    """R5: hour precision (E8), and earliestReleaseDate belongs with SCHEDULED (UNVERIFIED)."""
    date_text = attributes.get("earliestReleaseDate")
    if date_text is not None:
        moment = parse_instant(date_text)
        if moment is None:
            return errors.attribute_invalid(
                "earliestReleaseDate", f"'{date_text}' is not a valid date-time."
            )
        utc = moment.astimezone(UTC)
        if (utc.minute, utc.second, utc.microsecond) != (0, 0, 0):
            return errors.attribute_invalid(
                "earliestReleaseDate",
                "The attribute 'earliestReleaseDate' only allows hour precision",
            )
    release_type = attributes.get(
        "releaseType", current.release_type if current is not None else None
    )
    if "earliestReleaseDate" in attributes:
        has_date = date_text is not None
    elif "releaseType" in attributes:
        # Leaving SCHEDULED without naming a date clears the date, as App Store Connect does.
        has_date = release_type == "SCHEDULED" and bool(current and current.earliest_release_date)
    else:
        has_date = bool(current and current.earliest_release_date)
    if has_date and release_type != "SCHEDULED":
        return errors.attribute_invalid(
            "earliestReleaseDate",
            "The attribute 'earliestReleaseDate' can only be set when 'releaseType' is "
            "'SCHEDULED'.",
        )
    if release_type == "SCHEDULED" and not has_date:
        return errors.attribute_invalid(
            "earliestReleaseDate",
            "The attribute 'earliestReleaseDate' is required when 'releaseType' is 'SCHEDULED'.",
        )
    return None


def normal_instant(text: str) -> str:
    """Store dates the way Apple answers them: UTC with `Z`."""
    moment = parse_instant(text)
    return format_instant(moment) if moment else text
