"""RemoteState -> what a manifest would declare to change nothing: the inverse of plan. Pure.

For each app and platform, the version a release engineer works on: the editable one, else the
one in flight (in review, pending release …), else the live one; a platform with no version is
named as left out. Every managed key is written so that `plan` right away says "No changes"
(FACTS-2 R31): release notes are left out on a platform's first version (R15), texts only
where they are set, the build by its number, a phased release only while it matters (a
COMPLETE rollout of a live version is left out). `import_yaml` writes the values as YAML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from reconciler.kinds.locales import LOCALES
from reconciler.kinds.version import newest_first, normalise_text, remote_attributes
from reconciler.kinds.version_states import StateGroup, state_group
from reconciler.kinds.version_strings import is_valid_version
from reconciler.manifest import (
    APP_ID_PATTERN,
    BUNDLE_ID_MAX_LENGTH,
    BUNDLE_ID_PATTERN,
    Platform,
    PlatformRelease,
    shown,
)
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
    left_out: tuple[str, ...] = ()  # values a manifest cannot hold, in words (not managed)


@dataclass(frozen=True)
class ImportedApp:
    """One app: its platform entries in platform order, and the platforms it has no version
    on (left out, with a comment)."""

    bundle_id: str
    app_id: str
    platforms: dict[Platform, ImportedPlatform] = field(default_factory=dict)
    missing: tuple[Platform, ...] = ()
    # Platforms whose version a manifest cannot name (its string), and why; and why the whole
    # app is left out ("" when it is not: a bundle id a manifest cannot hold).
    unreadable: dict[Platform, str] = field(default_factory=dict)
    refused: str = ""

    def warnings(self) -> list[str]:
        """What was left out, one line each, for the command to say."""
        if self.refused:
            return [f"{self.bundle_id}: left out: {self.refused}"]
        lines = [
            f"{self.bundle_id} {p.value}: left out: {why}" for p, why in self.unreadable.items()
        ]
        for platform, entry in self.platforms.items():
            lines += [
                f"{self.bundle_id} {platform.value}: left out {why}" for why in entry.left_out
            ]
        return lines


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
    if not _fits(BUNDLE_ID_PATTERN, app.bundle_id) or len(app.bundle_id) > BUNDLE_ID_MAX_LENGTH:
        return ImportedApp(
            app.bundle_id,
            app.id,
            refused=f"{shown(app.bundle_id)} is not a bundle id a manifest can hold",
        )
    platforms: dict[Platform, ImportedPlatform] = {}
    missing: list[Platform] = []
    unreadable: dict[Platform, str] = {}
    for platform in Platform:
        version = chosen_version(app, platform)
        if version is None:
            missing.append(platform)
            continue
        if not is_valid_version(version.version_string):
            unreadable[platform] = (
                f"version {shown(version.version_string)} is not a version string a manifest "
                "can hold"
            )
            continue
        first = len(app.on_platform(platform.api)) == 1
        children = version.children
        values, left_out = admissible(_values(version, first))
        platforms[platform] = ImportedPlatform(
            version.state,
            values,
            left_out=left_out,
            locales=tuple(sorted(_known(children.localizations))) if children else (),
            first=first,
            rollout=children.phased_release.state if children and children.phased_release else None,
        )
    app_id = app.id if _fits(APP_ID_PATTERN, app.id) else ""  # then not written
    return ImportedApp(app.bundle_id, app_id, platforms, tuple(missing), unreadable)


def admissible(values: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The values a manifest can hold, and what was left out, in words. Apple may hold what
    our rules refuse (a date off the hour, a build number of letters, text over the limit):
    such a key, or locale, is left out, so it is not managed and plan leaves it alone."""
    values = {k: dict(v) if isinstance(v, dict) else v for k, v in values.items()}
    left_out: list[str] = []
    for _ in range(64):  # each round drops one value; a platform entry holds fewer
        try:
            PlatformRelease.model_validate(values)
        except ValidationError as error:
            first = error.errors()[0]
            left_out.append(_drop(values, tuple(first["loc"]), str(first["msg"])))
            continue
        return values, tuple(left_out)
    raise AssertionError("admissible: values did not settle")  # pragma: no cover


def _drop(values: dict[str, Any], loc: tuple[Any, ...], message: str) -> str:
    why = message.removeprefix("Value error, ")
    if not loc:  # the model's own rule: a date goes with scheduled (R5)
        date = values.pop("earliest_release_date", None)
        kind = values.pop("release_type", None)
        dated = f" and earliest_release_date {shown(date)}" if date is not None else ""
        return f"release_type {shown(kind)}{dated} ({why})"
    key = str(loc[0])
    if len(loc) > 1 and isinstance(values.get(key), dict):
        locale = str(loc[1])
        values[key].pop(locale, None)
        if not values[key]:
            del values[key]
        return f"{key} of {locale} ({why})"
    value = values.pop(key, None)
    return f"{key} {shown(value)} ({why})"


def _fits(pattern: str, value: str) -> bool:
    return re.fullmatch(pattern, value) is not None


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
