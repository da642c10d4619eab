"""A version's text per locale: release notes (whatsNew) and promotional text. Pure.

FACTS-2 R15-R20: no release notes on a platform's first version (Apple refuses the whole
write, E10); a missing locale is created only before the version is submitted (R19, E11);
otherwise only the attributes that differ are sent, never `locale`; a locale Apple has and
the manifest does not name is left alone (never an implicit delete, R18). Promotional text
may also change on a live version (R20, our reading); every other field of a version that can
no longer change is a plan error, as for the version itself.

A version created in the same run gets its localizations from Apple, copied from the
platform's previous version (R18; which fields are copied is not settled). So the plan
expands `default` over that version's locales, and apply reads the new version's
localizations first and updates what it finds (`adopts`, `settle`) rather than creating a
second one of a locale (E5).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.kinds import Field, Lookup, Request, jsonapi_body, version_id_of
from reconciler.kinds.version import normalise_text, resolve
from reconciler.kinds.version_states import (
    EDITABLE_STATES,
    LOCALE_CREATE_STATES,
    PROMOTIONAL_TEXT_STATES,
)
from reconciler.manifest import DEFAULT_LOCALE, Platform, PlatformRelease
from reconciler.plan import Action, Change, PlanItem, PlanProblem
from reconciler.state import RemoteApp, RemoteLocalization, RemoteVersion

__all__ = ["API_TYPE", "FIELDS", "KIND", "READ_FIELDS", "REVIEW_FIELDS"]

API_TYPE = "appStoreVersionLocalizations"
FIELDS = (
    Field("release_notes", "whatsNew", from_api=normalise_text),
    Field("promotional_text", "promotionalText", from_api=normalise_text),
)
_BY_NAME = {f.name: f for f in FIELDS}
# What App Review requires of every locale besides release notes (E17); read, never written.
REVIEW_FIELDS = ("description", "keywords", "supportUrl")
READ_FIELDS = ("locale", *(f.api for f in FIELDS), *REVIEW_FIELDS)
# In which version states each field can change (R4, R20).
_EDITABLE_IN = {"release_notes": EDITABLE_STATES, "promotional_text": PROMOTIONAL_TEXT_STATES}


def remote_attributes(localization: RemoteLocalization) -> dict[str, Any]:
    return {
        "release_notes": normalise_text(localization.whats_new),
        "promotional_text": normalise_text(localization.promotional_text),
    }


def wanted_by_locale(release: PlatformRelease, known: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The managed attributes per locale: explicit entries, and `default` for every locale in
    `known` (the version's) that has no release notes of its own."""
    notes = dict(release.release_notes or {})
    default = notes.pop(DEFAULT_LOCALE, None)
    promo = release.promotional_text or {}
    locales = set(notes) | set(promo) | (set(known) if default is not None else set())
    wanted: dict[str, dict[str, Any]] = {}
    for locale in sorted(locales):
        attributes: dict[str, Any] = {}
        if locale in notes or default is not None:
            attributes["release_notes"] = normalise_text(notes.get(locale, default))
        if locale in promo:
            attributes["promotional_text"] = normalise_text(promo[locale])
        wanted[locale] = attributes
    return wanted


class LocalizationKind:
    name = "localization"
    noun = "localization"
    fields = FIELDS
    exists_codes = ("ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE",)  # E5: the locale is there
    adopts = True
    confirms = False
    verb = None
    operates = False
    cost = 1

    def describe(self, change: Change) -> str:
        return f"localization {change.key} of {change.version}"

    def plan(
        self, app: RemoteApp, platform: Platform, spec: PlatformRelease | str
    ) -> list[PlanItem]:
        if not isinstance(spec, PlatformRelease):
            return []
        if spec.release_notes is None and spec.promotional_text is None:
            return []
        found = resolve(app, platform, spec)
        if found.outcome == "blocked":
            return []  # the version's own deferral or problem says why
        items: list[PlanItem] = []
        release = spec
        if spec.release_notes and found.first:
            items.append(_first_version(app, platform, spec.version))
            release = spec.model_copy(update={"release_notes": None})
        if found.version is None:  # to be created: Apple copies the previous version's locales
            previous = found.previous
            # Every version has at least the app's primary locale: when the previous version's
            # locales were not read (or there is none), `default` still reaches that one rather
            # than silently no locale at all.
            known = _locales(previous) if previous else []
            if not known and app.primary_locale:
                known = [app.primary_locale]
            for locale, wanted in wanted_by_locale(release, known).items():
                # Apple makes the known locales itself, perhaps with the previous version's
                # text: an empty value there is kept, so that settle clears what was copied
                # in this run rather than the next plan.
                if locale in known or any(v is not None for v in wanted.values()):
                    keep = wanted if locale in known else _set(wanted)
                    items.append(_create(app, platform, spec.version, None, locale, keep))
            return items
        version = found.version
        children = version.children
        existing = {loc.locale: loc for loc in (children.localizations if children else ())}
        for locale, wanted in wanted_by_locale(release, sorted(existing)).items():
            item = _plan_locale(app, platform, version, spec.version, locale, wanted, existing)
            items.extend(item)
        return items

    def request(self, change: Change, ids: Mapping[str, str]) -> Request:
        attributes = _api(change.after or {})
        if change.action is Action.CREATE:
            body = jsonapi_body(
                API_TYPE,
                {"locale": change.key, **_set(attributes)},  # an empty value is only for settle
                relationships={"appStoreVersion": ("appStoreVersions", version_id_of(change, ids))},
            )
            return Request("POST", f"/v1/{API_TYPE}", body)
        assert change.resource_id is not None
        path = f"/v1/{API_TYPE}/{change.resource_id}"
        if change.action is Action.UPDATE:
            return Request(
                "PATCH", path, jsonapi_body(API_TYPE, attributes, id_=change.resource_id)
            )
        return Request("DELETE", path)

    def lookup(self, change: Change, ids: Mapping[str, str]) -> Lookup:
        path = f"/v1/appStoreVersions/{version_id_of(change, ids)}/{API_TYPE}"
        params = {f"fields[{API_TYPE}]": ",".join(READ_FIELDS), "limit": "50"}

        def find(resources: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
            for resource in resources:
                attributes = resource.get("attributes")
                if isinstance(attributes, Mapping) and attributes.get("locale") == change.key:
                    return resource
            return None

        return Lookup(path, params, find)

    def holds(self, change: Change, resource: Mapping[str, Any]) -> bool:
        return not _differing(change, resource)

    def settle(self, change: Change, resource: Mapping[str, Any]) -> Request | None:
        differing = _differing(change, resource)
        rid = resource.get("id")
        if not differing or not isinstance(rid, str):
            return None
        wanted = {k: (change.after or {})[k] for k in differing}
        return Request(
            "PATCH", f"/v1/{API_TYPE}/{rid}", jsonapi_body(API_TYPE, _api(wanted), id_=rid)
        )


KIND = LocalizationKind()


def _differing(change: Change, resource: Mapping[str, Any]) -> list[str]:
    attributes = resource.get("attributes")
    if not isinstance(attributes, Mapping):
        return list(change.after or {})
    now = {f.name: f.from_api(_str(attributes.get(f.api))) for f in FIELDS}
    return [k for k, v in (change.after or {}).items() if now.get(k) != v]


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _api(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {_BY_NAME[name].api: value for name, value in attributes.items()}


def _set(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if v is not None}


def _locales(version: RemoteVersion) -> list[str]:
    children = version.children
    return sorted(loc.locale for loc in children.localizations) if children else []


def _create(
    app: RemoteApp,
    platform: Platform,
    version: str,
    version_id: str | None,
    locale: str,
    wanted: dict[str, Any],
) -> Change:
    return Change(
        kind="localization",
        app=app.bundle_id,
        app_id=app.id,
        platform=platform,
        action=Action.CREATE,
        version=version,
        version_id=version_id,
        key=locale,
        after=wanted,
    )


def _plan_locale(
    app: RemoteApp,
    platform: Platform,
    version: RemoteVersion,
    version_string: str,
    locale: str,
    wanted: dict[str, Any],
    existing: Mapping[str, RemoteLocalization],
) -> list[PlanItem]:
    remote = existing.get(locale)
    if remote is None:
        if not any(v is not None for v in wanted.values()):
            return []
        if version.state in LOCALE_CREATE_STATES:
            return [_create(app, platform, version_string, version.id, locale, _set(wanted))]
        return [
            PlanProblem(
                app=app.bundle_id,
                platform=platform,
                version=version_string,
                rule="locale-cannot-be-added",
                message=(
                    f"version {version.version_string} is {version.state} and has no {locale} "
                    "localization: App Store Connect adds locales only before a version is "
                    f"submitted. Remove {locale} from the manifest, or add it to the next version."
                ),
            )
        ]
    current = remote_attributes(remote)
    changed = [k for k, v in wanted.items() if current[k] != v]
    allowed = [k for k in changed if version.state in _EDITABLE_IN[k]]
    refused = [k for k in changed if k not in allowed]
    items: list[PlanItem] = []
    if allowed:
        items.append(
            Change(
                kind="localization",
                app=app.bundle_id,
                app_id=app.id,
                platform=platform,
                action=Action.UPDATE,
                version=version_string,
                version_id=version.id,
                key=locale,
                resource_id=remote.id,
                before={k: current[k] for k in allowed},
                after={k: wanted[k] for k in allowed},
            )
        )
    if refused:
        names = " and ".join(refused)
        items.append(
            PlanProblem(
                app=app.bundle_id,
                platform=platform,
                version=version_string,
                rule="localization-not-editable",
                message=(
                    f"{names} of {locale} cannot change: version {version.version_string} is "
                    f"{version.state}{_only_promotional(version)}. Declare a new, higher "
                    "version to change it."
                ),
            )
        )
    return items


def _only_promotional(version: RemoteVersion) -> str:
    if version.state in PROMOTIONAL_TEXT_STATES and version.state not in EDITABLE_STATES:
        return " (only promotional text can change on a live version)"
    return ""


def _first_version(app: RemoteApp, platform: Platform, version: str) -> PlanProblem:
    return PlanProblem(
        app=app.bundle_id,
        platform=platform,
        version=version,
        rule="release-notes-first-version",
        message=(
            f"version {version} is the first {platform.value} version of the app: App Store "
            "Connect takes no release notes for it (it would refuse the whole write). Remove "
            "release_notes until the next version."
        ),
    )
