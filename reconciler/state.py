"""What App Store Connect holds, as read: apps and their versions. Pure.

Values are kept as Apple sent them (API enums, ISO date strings), so that a fingerprint of an
object changes exactly when Apple's object changes. The planner normalises for comparison.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["RemoteApp", "RemoteState", "RemoteVersion", "canonical_json", "digest"]


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: equal values give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(value: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(value).encode()).hexdigest()


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RemoteVersion(_Frozen):
    """An App Store version as Apple reports it; `state` is appVersionState (not appStoreState)."""

    id: str
    platform: str  # IOS | MAC_OS | TV_OS | VISION_OS (or a value Apple added later)
    version_string: str
    state: str  # appVersionState
    release_type: str | None = None
    earliest_release_date: str | None = None
    copyright: str | None = None


class RemoteApp(_Frozen):
    """An app with every App Store version read for it, sorted by id."""

    id: str
    bundle_id: str
    name: str | None = None
    versions: tuple[RemoteVersion, ...] = ()

    def on_platform(self, platform: str) -> list[RemoteVersion]:
        return [v for v in self.versions if v.platform == platform]


class RemoteState(_Frozen):
    """The remote objects read for a manifest: apps by bundle id (matched exactly)."""

    apps: dict[str, RemoteApp]

    def fingerprints(self) -> dict[str, str]:
        """A digest per object read: `app:<bundle id>` covers the app and the set of its
        version ids; `version:<id>` covers every attribute of that version."""
        prints: dict[str, str] = {}
        for bundle_id, app in sorted(self.apps.items()):
            own = {
                "id": app.id,
                "bundle_id": app.bundle_id,
                "versions": sorted(v.id for v in app.versions),
            }
            prints[f"app:{bundle_id}"] = digest(own)
            for version in app.versions:
                prints[f"version:{version.id}"] = digest(version.model_dump(mode="json"))
        return prints
