"""App Store version localizations: the operations and Apple's rules for them (FACTS-2 §9).

    GET    /v1/appStoreVersions/{id}/appStoreVersionLocalizations   (filter[locale], limit <= 200)
    GET    /v1/appStoreVersionLocalizations/{id}
    POST   /v1/appStoreVersionLocalizations                          201
    PATCH  /v1/appStoreVersionLocalizations/{id}                     200
    DELETE /v1/appStoreVersionLocalizations/{id}                     204

Rules: the locale is one of Apple's 50 (E18); one localization per locale and version (E5);
created only before submission (R19, E11); whatsNew never on a platform's first version (R15,
E10, the whole request refused); attributes edited only in the edit states, promotionalText also
on a live version (R4/R20, E4 per attribute); lengths (R17). A new version is created with
localizations (`create_with_version`, FACTS-2 §9.3, our model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from reconciler.sandbox import bodies, errors
from reconciler.sandbox.children import TEXT_FIELDS, LocalizationRecord
from reconciler.sandbox.documents import Page, base_url, collection, localization_resource, single
from reconciler.sandbox.errors import ApiProblem
from reconciler.sandbox.locales import LOCALES
from reconciler.sandbox.params import parse_query
from reconciler.sandbox.rules import EDITABLE
from reconciler.sandbox.spec import (
    LOCALIZATION_INSTANCE_PARAMETERS,
    LOCALIZATIONS_RELATED_PARAMETERS,
)
from reconciler.sandbox.state import SandboxState, VersionRecord

if TYPE_CHECKING:
    from reconciler.sandbox.routes import Routes

__all__ = [
    "CREATE_STATES",
    "LIMITS",
    "LIVE_EDITABLE",
    "create",
    "create_with_version",
    "delete",
    "get_instance",
    "get_of_version",
    "update",
]

Json = dict[str, Any]
Answer = tuple[int, Json | None]

# R19, the stricter reading: locales are added only before the version goes to review.
CREATE_STATES = frozenset(
    {"PREPARE_FOR_SUBMISSION", "DEVELOPER_REJECTED", "REJECTED", "METADATA_REJECTED"}
)
# R20 (our model, unverified at Apple): promotionalText is also editable on a live version.
LIVE_EDITABLE = EDITABLE | {"READY_FOR_DISTRIBUTION"}
# R17: characters (code points), keywords in UTF-8 bytes.
LIMITS = {"whatsNew": 4000, "promotionalText": 170, "description": 4000, "keywords": 100}
_DEFAULT_LIMIT = 20


def create_with_version(
    state: SandboxState, version_id: str, previous: VersionRecord | None
) -> None:
    """Apple creates a new version's localizations with it: one per locale of the platform's
    previous version, copying all but whatsNew; for a platform's first version, one in the
    app's primary locale (FACTS-2 §9.3; our model, unverified at Apple)."""
    if previous is None:
        version = state.version_records[version_id]
        state.add_localization(version_id, state.apps[version.app_id].primary_locale)
        return
    for old in state.localizations_of(previous.id):
        state.add_localization(
            version_id,
            old.locale,
            description=old.description,
            keywords=old.keywords,
            marketing_url=old.marketing_url,
            support_url=old.support_url,
            promotional_text=old.promotional_text,
        )


def get_of_version(routes: Routes, request: httpx.Request, version_id: str) -> Answer:
    query = parse_query(request.url, LOCALIZATIONS_RELATED_PARAMETERS, paged=True)
    routes.version(version_id)
    locales = query.values("filter[locale]")
    found = [
        r
        for r in routes.state.localizations_of(version_id)
        if r.id not in routes.hidden and (locales is None or r.locale in locales)
    ]
    page = Page(found, query.cursor, query.ints.get("limit", _DEFAULT_LIMIT))
    fields = query.values("fields[appStoreVersionLocalizations]")
    base = base_url(request)
    data = [localization_resource(r, base, fields=fields) for r in page.items]
    return 200, collection(data, request.url, page)


def get_instance(routes: Routes, request: httpx.Request, localization_id: str) -> Answer:
    query = parse_query(request.url, LOCALIZATION_INSTANCE_PARAMETERS, paged=False)
    record = _localization(routes.state, localization_id)
    fields = query.values("fields[appStoreVersionLocalizations]")
    return 200, single(localization_resource(record, base_url(request), fields=fields), request.url)


def create(routes: Routes, request: httpx.Request) -> Answer:
    parse_query(request.url, {}, paged=False)
    body = bodies.parse_create(request.content, bodies.LOCALIZATIONS)
    version = bodies.related_version(body, routes.state)
    attributes = body.attributes
    locale = attributes["locale"]
    if locale not in LOCALES:
        raise errors.unsupported_locale(locale)
    if version.app_version_state not in CREATE_STATES:
        raise errors.localization_create_refused()
    if any(r.locale == locale for r in routes.state.localizations_of(version.id)):
        raise errors.duplicate_locale(locale)
    _check_texts(routes.state, version, attributes)
    texts = {TEXT_FIELDS[k]: v for k, v in attributes.items() if k in TEXT_FIELDS}
    new_id = routes.state.add_localization(version.id, locale, **texts)
    routes.changed = True
    record = routes.state.localizations[new_id]
    base = base_url(request)
    url = httpx.URL(f"{base}/v1/appStoreVersionLocalizations/{new_id}")
    return 201, single(localization_resource(record, base), url)


def update(routes: Routes, request: httpx.Request, localization_id: str) -> Answer:
    parse_query(request.url, {}, paged=False)
    record = _localization(routes.state, localization_id)
    body = bodies.parse_update(request.content, localization_id, bodies.LOCALIZATIONS)
    version = routes.state.version_records[record.version_id]
    attributes = body.attributes
    _check_texts(routes.state, version, attributes)
    refused = [
        name
        for name in attributes
        if version.app_version_state
        not in (LIVE_EDITABLE if name == "promotionalText" else EDITABLE)
    ]
    if refused:
        raise _combined([errors.cannot_edit(name) for name in refused])
    for key, value in attributes.items():
        setattr(record, TEXT_FIELDS[key], value)
    routes.changed = True
    return 200, single(localization_resource(record, base_url(request)), request.url)


def delete(routes: Routes, request: httpx.Request, localization_id: str) -> Answer:
    """Only while locales may still be added (our model, unverified at Apple: 403 otherwise,
    as DELETE declares no 409)."""
    parse_query(request.url, {}, paged=False)
    record = _localization(routes.state, localization_id)
    version = routes.state.version_records[record.version_id]
    if version.app_version_state not in CREATE_STATES:
        raise errors.forbidden_delete(
            f"The localization '{record.locale}' can not be deleted in the version's current "
            f"state: {version.app_version_state}."
        )
    routes.state.remove_localization(localization_id)
    routes.changed = True
    return 204, None


def _check_texts(state: SandboxState, version: VersionRecord, attributes: dict[str, Any]) -> None:
    """E10 before anything else (the whole request fails), then the lengths."""
    if attributes.get("whatsNew") is not None and _first_of_platform(state, version):
        raise errors.cannot_edit("whatsNew")
    problems = []
    for name, limit in LIMITS.items():
        value = attributes.get(name)
        if value is None:
            continue
        size = len(value.encode("utf-8")) if name == "keywords" else len(value)
        if size > limit:
            unit = "bytes" if name == "keywords" else "characters"
            problems.append(
                errors.attribute_invalid(
                    name, f"The attribute '{name}' can not be longer than {limit} {unit}."
                )
            )
    if problems:
        raise _combined(problems)


def _first_of_platform(state: SandboxState, version: VersionRecord) -> bool:
    """R15: the app has exactly one version on this platform."""
    return len(state.versions(version.app_id, version.platform)) == 1


def _localization(state: SandboxState, localization_id: str) -> LocalizationRecord:
    record = state.localizations.get(localization_id)
    if record is None or record.version_id not in state.version_records:
        raise errors.not_found_resource("appStoreVersionLocalizations", localization_id)
    return record


def _combined(problems: list[ApiProblem]) -> ApiProblem:
    first = problems[0]
    for more in problems[1:]:
        first = first + more
    return first
