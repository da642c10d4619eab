"""The records a version and an app own besides versions: localizations, phased releases, builds.

Plain dataclasses and their state-file form. `SandboxState` (state.py) keeps them, indexed by
version or app, and offers the builder API; this module only says what one record holds.

In the state file (format 1, every key optional so older files still load):

    version: {..., "localizations": [{"id", "locale", "description", "keywords", "marketingUrl",
                                      "promotionalText", "supportUrl", "whatsNew"}],
                   "phasedRelease": {"id", "phasedReleaseState", "startDate",
                                     "totalPauseDuration", "currentDayNumber"} | absent,
                   "build": build id | absent}
    app:     {..., "builds": [{"id", "version" (the build number), "train", "platform",
                               "processingState", "buildAudienceType", "expired",
                               "uploadedDate", "expirationDate", "minOsVersion"}]}
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AUDIENCES",
    "PHASED_STATES",
    "PROCESSING_STATES",
    "BuildRecord",
    "LocalizationRecord",
    "PhasedReleaseRecord",
    "build_json",
    "localization_json",
    "phased_json",
    "pre_release_id",
]

PROCESSING_STATES = ("PROCESSING", "FAILED", "INVALID", "VALID")
AUDIENCES = ("INTERNAL_ONLY", "APP_STORE_ELIGIBLE")
PHASED_STATES = ("INACTIVE", "ACTIVE", "PAUSED", "COMPLETE")
# The localization attributes besides locale, state-file key -> record field.
TEXT_FIELDS = {
    "description": "description",
    "keywords": "keywords",
    "marketingUrl": "marketing_url",
    "promotionalText": "promotional_text",
    "supportUrl": "support_url",
    "whatsNew": "whats_new",
}
_PRE_RELEASE_NAMESPACE = uuid.UUID("0b6d2f4e-8c1a-4e5f-b7a2-1f3e5d7c9a0b")


@dataclass
class LocalizationRecord:
    id: str
    version_id: str
    locale: str
    description: str | None = None
    keywords: str | None = None
    marketing_url: str | None = None
    promotional_text: str | None = None
    support_url: str | None = None
    whats_new: str | None = None


@dataclass
class PhasedReleaseRecord:
    id: str
    version_id: str
    state: str = "INACTIVE"
    start_date: str | None = None
    total_pause_duration: int = 0
    current_day_number: int | None = None


@dataclass
class BuildRecord:
    """One uploaded build. `number` is CFBundleVersion (Apple's `version` attribute), `train`
    the CFBundleShortVersionString (its preReleaseVersion's `version`)."""

    id: str
    app_id: str
    number: str
    train: str
    platform: str
    processing_state: str = "VALID"
    audience: str = "APP_STORE_ELIGIBLE"
    expired: bool = False
    uploaded_date: str | None = None
    expiration_date: str | None = None
    min_os_version: str | None = None
    version_id: str | None = None  # the appStoreVersion it is attached to


def pre_release_id(app_id: str, platform: str, train: str) -> str:
    """A train (preReleaseVersion) is (app, platform, version string): its id is derived."""
    return str(uuid.uuid5(_PRE_RELEASE_NAMESPACE, f"{app_id}/{platform}/{train}"))


def localization_json(record: LocalizationRecord) -> dict[str, Any]:
    data: dict[str, Any] = {"id": record.id, "locale": record.locale}
    data.update({key: getattr(record, name) for key, name in TEXT_FIELDS.items()})
    return data


def phased_json(record: PhasedReleaseRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "phasedReleaseState": record.state,
        "startDate": record.start_date,
        "totalPauseDuration": record.total_pause_duration,
        "currentDayNumber": record.current_day_number,
    }


def build_json(record: BuildRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "version": record.number,
        "train": record.train,
        "platform": record.platform,
        "processingState": record.processing_state,
        "buildAudienceType": record.audience,
        "expired": record.expired,
        "uploadedDate": record.uploaded_date,
        "expirationDate": record.expiration_date,
        "minOsVersion": record.min_os_version,
    }
