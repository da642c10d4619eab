"""RemoteState -> what a manifest would declare to change nothing: the inverse of plan. Pure.

For each app and platform, the version a release engineer works on: the editable one, else the
one in flight (in review, pending release …), else the live one; a platform with no version is
named as left out. Every managed key is written so that `plan` right away says "No changes"
(FACTS-2 R31): release notes are left out on a platform's first version (R15), texts only
where they are set, the build by its number, a phased release only while it matters (a
COMPLETE rollout of a live version is left out). `import_yaml` writes the values as YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.kinds.locales import LOCALES
from reconciler.kinds.version import newest_first, normalise_text, remote_attributes
from reconciler.kinds.version_states import StateGroup, state_group
from reconciler.manifest import Platform
from reconciler.state import RemoteApp, RemoteLocalization, RemoteState, RemoteVersion

__all__ = ["ImportedApp", "ImportedPlatform", "chosen_version", "imported_apps"]

# Keys in the schema's order (PlatformRelease's fields).
KEY_ORDER = (
    "version",
    "release_type",
    "earliest_release_date",
    "copyright",
    "release_notes",
    "promotional_text",
    "build",
    "phased_release",
)
_PHASED = {"INACTIVE": True, "ACTIVE": True, "PAUSED": "paused", "COMPLETE": "complete"}
_GROUP_ORDER = (StateGroup.EDITABLE, StateGroup.IN_FLIGHT)


@dataclass(frozen=True)
class ImportedPlatform:
    """One platform entry: its keys in the schema's order, and the version's state, for a
    comment beside it. `locales` (every locale the version has), `first` (the platform's
    first version) and `rollout` (the phased release's state) are what `import --update`
    needs to tell whether a person's values already mean the same."""

    state: str
    values: dict[str, Any]
    locales: tuple[str, ...] = ()
    first: bool = False
    rollout: str | None = None


@dataclass(frozen=True)
class ImportedApp:
    """One app: its platform entries in platform order, and the platforms it has no version
    on (left out, with a comment)."""

    bundle_id: str
    app_id: str
    platforms: dict[Platform, ImportedPlatform] = field(default_factory=dict)
    missing: tuple[Platform, ...] = ()


def chosen_version(app: RemoteApp, platform: Platform) -> RemoteVersion | None:
    """The version a platform entry imports: editable, else in flight, else the newest live."""
    versions = sorted(app.on_platform(platform.api), key=newest_first)
    for group in _GROUP_ORDER:
        found = [v for v in versions if state_group(v.state) is group]
        if found:
            return found[0]
    live = [v for v in versions if v.state == "READY_FOR_DISTRIBUTION"]
    return live[0] if live else (versions[0] if versions else None)


def imported_apps(state: RemoteState) -> list[ImportedApp]:
    """Every app of the state, by bundle id."""
    return [_app(app) for _, app in sorted(state.apps.items())]


def _app(app: RemoteApp) -> ImportedApp:
    platforms: dict[Platform, ImportedPlatform] = {}
    missing: list[Platform] = []
    for platform in Platform:
        version = chosen_version(app, platform)
        if version is None:
            missing.append(platform)
            continue
        first = len(app.on_platform(platform.api)) == 1
        children = version.children
        platforms[platform] = ImportedPlatform(
            version.state,
            _values(version, first),
            locales=tuple(sorted(_known(children.localizations))) if children else (),
            first=first,
            rollout=children.phased_release.state if children and children.phased_release else None,
        )
    return ImportedApp(app.bundle_id, app.id, platforms, tuple(missing))


def _values(version: RemoteVersion, first: bool) -> dict[str, Any]:
    attributes = remote_attributes(version)
    values: dict[str, Any] = {k: v for k, v in attributes.items() if v is not None}
    if attributes.get("release_type") != "scheduled":
        values.pop("earliest_release_date", None)  # Apple pairs them (R5); a leftover is noise
    children = version.children
    if children is not None:
        localizations = _known(children.localizations)
        notes = {
            loc.locale: text
            for loc in localizations.values()
            if (text := normalise_text(loc.whats_new)) is not None
        }
        if notes and not first:  # none on a platform's first version (R15)
            values["release_notes"] = notes
        promo = {
            loc.locale: text
            for loc in localizations.values()
            if (text := normalise_text(loc.promotional_text)) is not None
        }
        if promo:
            values["promotional_text"] = promo
        if children.build is not None:
            values["build"] = children.build.number
        phased = children.phased_release
        live = version.state == "READY_FOR_DISTRIBUTION"
        if (
            phased is not None
            and phased.state in _PHASED
            and not (live and phased.state == "COMPLETE")
        ):
            values["phased_release"] = _PHASED[phased.state]
    return {k: values[k] for k in KEY_ORDER if k in values}


def _known(localizations: tuple[RemoteLocalization, ...]) -> dict[str, RemoteLocalization]:
    """By locale, sorted, those a manifest can name: a locale Apple added after our table is
    left out, which plan leaves alone."""
    return {
        loc.locale: loc
        for loc in sorted(localizations, key=lambda loc: loc.locale)
        if loc.locale in LOCALES
    }
