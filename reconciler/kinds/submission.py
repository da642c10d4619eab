"""Sending a version to App Review (`submit: true`). Pure.

FACTS-2 §12, R26-R28. Planned only when everything Apple checks is in place or planned in the
same run: the build attached and processed (or attached by this plan), release notes in every
locale of an update (R16). What is missing is one plan error that names each thing, so no
half-made submission is ever left. A version already submitted needs nothing; another open
submission of the platform is waited for (reconciler never cancels a review).

Apply is three writes Apple does not make atomic (create the submission, add the version as
an item, mark it submitted), so the kind is an operation (`Steps`): before each step the
applier reads the version and the platform's open submissions, and `next_step` decides from
what is there. A rerun, or a lost answer, therefore finds and reuses the empty or partial
submission an earlier try left (R26, R27) and never makes a second one; before the last step
it waits, bounded, for the version to reach READY_FOR_REVIEW (R28).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.errors import UnexpectedResponseError
from reconciler.kinds import (
    Done,
    Lookup,
    Refuse,
    Request,
    Send,
    Step,
    Wait,
    jsonapi_body,
    kind,
    version_id_of,
)
from reconciler.kinds.version import normalise_text, resolve
from reconciler.kinds.version_states import LOCALE_CREATE_STATES, current_state
from reconciler.manifest import DEFAULT_LOCALE, Platform, PlatformRelease
from reconciler.plan import Action, Change, Deferral, PlanItem, PlanProblem
from reconciler.state import RemoteApp, RemoteSubmission, RemoteVersion

__all__ = [
    "KIND",
    "OPEN_STATES",
    "PATH",
    "SUBMITTED_STATES",
    "parse_submission",
    "submissions_query",
]

API_TYPE = "reviewSubmissions"
PATH = f"/v1/{API_TYPE}"
# Every state but COMPLETE: a submission in one of these may hold the version or block it.
OPEN_STATES = (
    "READY_FOR_REVIEW",
    "WAITING_FOR_REVIEW",
    "IN_REVIEW",
    "UNRESOLVED_ISSUES",
    "CANCELING",
)
_INCLUDED_ITEMS = 50
ITEMS = "/v1/reviewSubmissionItems"
# States a version reaches once submitted: nothing to do any more.
SUBMITTED_STATES = frozenset(
    {
        "WAITING_FOR_REVIEW",
        "IN_REVIEW",
        "WAITING_FOR_EXPORT_COMPLIANCE",
        "ACCEPTED",
        "PENDING_DEVELOPER_RELEASE",
        "PENDING_APPLE_RELEASE",
        "PROCESSING_FOR_DISTRIBUTION",
        "READY_FOR_DISTRIBUTION",
        "REPLACED_WITH_NEW_VERSION",
    }
)
# From these a version can be added to a submission (and from READY_FOR_REVIEW, it is in one).
_SUBMITTABLE = LOCALE_CREATE_STATES | {"INVALID_BINARY", "READY_FOR_REVIEW"}
READY_WAIT = 5.0  # seconds between reads while Apple readies the version (R28)
_TRIES = 3  # the same write, at most, before the operation gives up


class SubmissionKind:
    name = "submission"
    noun = "submission"
    fields = ()
    exists_codes = ()
    adopts = False
    confirms = False
    verb = "submit"
    operates = True
    cost = 11  # three writes, and two reads before each step and after the last

    def describe(self, change: Change) -> str:
        return f"version {change.version} for review"

    def plan(
        self, app: RemoteApp, platform: Platform, spec: PlatformRelease | str
    ) -> list[PlanItem]:
        if not isinstance(spec, PlatformRelease) or spec.submit is not True:
            return []
        found = resolve(app, platform, spec)
        if found.outcome == "blocked":
            return []  # the version's own deferral or problem says why
        version = found.version
        state = version.state if version else "PREPARE_FOR_SUBMISSION"  # made in this run
        where = {"app": app.bundle_id, "platform": platform, "version": spec.version}
        if state in SUBMITTED_STATES:
            return []
        if state not in _SUBMITTABLE:
            return [_wait(where, f"{spec.version} is {state}", "it can be submitted")]
        mine, blocking = _submissions(app, platform, version)
        if blocking is not None:
            return [
                _wait(
                    where,
                    f"review submission {blocking.id} of {platform.value} is {blocking.state}: "
                    "reconciler never cancels a review",
                    "it is done",
                )
            ]
        build = _build_status(app, platform, spec, version)
        if isinstance(build, Deferral):
            return [_wait(where, build.reason, "the build is ready")]
        missing = [build] if build else []
        missing += _notes_missing(app, platform, spec, found.first, version, found.previous)
        missing += _texts_missing(version if version is not None else found.previous)
        if missing:
            return [
                PlanProblem(
                    **where,
                    rule="submit-incomplete",
                    message=f"{spec.version} cannot be sent to App Review yet: "
                    + "; ".join(missing)
                    + ". Nothing is submitted until the manifest provides them.",
                )
            ]
        return [
            Change(
                kind=self.name,
                **where,
                app_id=app.id,
                action=Action.CREATE,
                version_id=version.id if version else None,
                resource_id=mine.id if mine else None,
                before={"state": state},
            )
        ]

    # --- apply: the three steps ------------------------------------------------------------

    def observe(self, change: Change, ids: Mapping[str, str]) -> Mapping[str, Lookup]:
        version = f"/v1/appStoreVersions/{version_id_of(change, ids)}"
        fields = {"fields[appStoreVersions]": "appStoreState,appVersionState"}
        listing = submissions_query(change.app_id, change.platform.api)
        return {
            "version": Lookup(version, fields, _all, to_one=True),
            "submissions": Lookup(PATH, listing, _all),
        }

    def next_step(
        self,
        change: Change,
        ids: Mapping[str, str],
        seen: Mapping[str, Sequence[Mapping[str, Any]]],
        sent: Sequence[Request],
    ) -> Step:
        version_id = version_id_of(change, ids)
        versions = seen.get("version") or []
        if not versions:
            return Refuse(f"version {change.version} ({version_id}) is not there to submit")
        attributes = versions[0].get("attributes")
        attributes = attributes if isinstance(attributes, Mapping) else {}
        state = current_state(attributes.get("appVersionState"), attributes.get("appStoreState"))
        if state in SUBMITTED_STATES:
            return Done(f"submitted: the version is {state}")
        subs = [parse_submission(raw) for raw in seen.get("submissions") or []]
        mine = next((s for s in subs if s.version_id == version_id), None)
        if mine is not None:
            if mine.state == "UNRESOLVED_ISSUES" or (
                mine.state == "READY_FOR_REVIEW" and state == "READY_FOR_REVIEW"
            ):
                return _once(sent, _submit(mine.id), f"review submission {mine.id}")
            if mine.state == "READY_FOR_REVIEW":
                return Wait(
                    READY_WAIT, f"version {change.version} is {state}, not yet READY_FOR_REVIEW"
                )
            if mine.state in ("WAITING_FOR_REVIEW", "IN_REVIEW"):
                return Done(f"submitted: review submission {mine.id} is {mine.state}", mine.id)
            return Refuse(f"review submission {mine.id} of the version is {mine.state}")
        if state not in _SUBMITTABLE:
            return Refuse(f"version {change.version} is {state}: it cannot be submitted")
        empty = next((s for s in subs if _empty(s)), None)
        if empty is not None:  # ours from a try that failed after step 1, or anyone's draft
            return _once(sent, _add_item(empty.id, version_id), f"the item for {empty.id}")
        blocking = [s for s in subs if s.state != "UNRESOLVED_ISSUES"]
        if blocking:
            s = blocking[0]
            return Refuse(
                f"review submission {s.id} of {change.platform.value} is {s.state}: "
                "reconciler never cancels a review; run apply again once it is done"
            )
        return _once(sent, _create(change), "a review submission")

    def retry_after(self, error: Any, sent: Sequence[Request]) -> float | None:
        if getattr(error, "status", None) != 409:
            return None
        details = " ".join(e.detail or "" for e in getattr(error, "entries", ()))
        if "not ready to be submitted" in details:
            return READY_WAIT  # R28: Apple readies the version in its own time
        created = any(r.path == f"/v1/{API_TYPE}" and r.method == "POST" for r in sent)
        if created and "still in progress" in details:
            return 1.0  # E15 after our own create was lost: it is ours, read until it shows
        last = sent[-1] if sent else None
        if last is not None and last.method == "PATCH" and "can not be submitted" in details:
            return 0.0  # a resent `submitted` after a lost answer: read what the first did
        return None

    # Every kind has these; a submission is made by its steps, never by one request.
    def request(self, change: Change, ids: Mapping[str, str]) -> Request:
        return _create(change)

    def lookup(self, change: Change, ids: Mapping[str, str]) -> Lookup:
        return self.observe(change, ids)["version"]

    def holds(self, change: Change, resource: Mapping[str, Any]) -> bool:
        return False

    def settle(self, change: Change, resource: Mapping[str, Any]) -> Request | None:
        return None


KIND = SubmissionKind()


def submissions_query(app_id: str, platform: str | None = None) -> dict[str, str]:
    """The open submissions of an app (of one platform), with the version each is for and
    its items (filter[app] is required, FACTS-2 §8.1)."""
    params = {
        "filter[app]": app_id,
        "filter[state]": ",".join(OPEN_STATES),
        "include": "items,appStoreVersionForReview",
        "limit[items]": str(_INCLUDED_ITEMS),
        "limit": "200",
    }
    if platform is not None:
        params["filter[platform]"] = platform
    return params


def parse_submission(raw: object) -> RemoteSubmission:
    """A submission as read; one we cannot read is an error, never "none"."""
    if not isinstance(raw, Mapping) or raw.get("type") != API_TYPE or not raw.get("id"):
        raise UnexpectedResponseError("GET", PATH, "a review submission we cannot read")
    rid = str(raw["id"])
    attributes = _mapping(raw.get("attributes"))
    relationships = _mapping(raw.get("relationships"))
    state, platform = attributes.get("state"), attributes.get("platform")
    items = _mapping(relationships.get("items"))
    linked = items.get("data")
    version = relationships.get("appStoreVersionForReview")
    if (
        not isinstance(state, str)
        or not isinstance(platform, str)
        or not isinstance(linked, list)
        or not isinstance(version, Mapping)
        or "data" not in version
    ):
        raise UnexpectedResponseError(
            "GET", PATH, f"review submission {rid} without its state, platform, items or version"
        )
    data = version["data"]
    version_id = str(data["id"]) if isinstance(data, Mapping) and data.get("id") else None
    if data is not None and version_id is None:
        raise UnexpectedResponseError(
            "GET", PATH, f"review submission {rid}: a version we cannot read"
        )
    total = _mapping(_mapping(items.get("meta")).get("paging")).get("total")
    count = max(len(linked), total if isinstance(total, int) else 0)
    return RemoteSubmission(
        id=rid, platform=platform, state=state, version_id=version_id, items=count
    )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _all(resources: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    return resources[0] if resources else None


def _empty(submission: RemoteSubmission) -> bool:
    return (
        submission.state == "READY_FOR_REVIEW"
        and submission.version_id is None
        and submission.items == 0
    )


def _once(sent: Sequence[Request], request: Request, what: str) -> Step:
    if sum(1 for r in sent if r == request) >= _TRIES:
        return Refuse(f"{what} was sent {_TRIES} times and App Store Connect does not show it")
    return Send(request)


def _create(change: Change) -> Request:
    body = jsonapi_body(
        API_TYPE, {"platform": change.platform.api}, relationships={"app": ("apps", change.app_id)}
    )
    return Request("POST", f"/v1/{API_TYPE}", body)


def _add_item(submission_id: str, version_id: str) -> Request:
    relationships = {
        "reviewSubmission": {"data": {"type": API_TYPE, "id": submission_id}},
        "appStoreVersion": {"data": {"type": "appStoreVersions", "id": version_id}},
    }
    body = {"data": {"type": "reviewSubmissionItems", "relationships": relationships}}
    return Request("POST", ITEMS, body)


def _submit(submission_id: str) -> Request:
    body = jsonapi_body(API_TYPE, {"submitted": True}, id_=submission_id)
    return Request("PATCH", f"/v1/{API_TYPE}/{submission_id}", body)


def _wait(where: Mapping[str, Any], reason: str, until: str) -> Deferral:
    return Deferral(
        kind="submission", **where, reason=reason, until=f"a later run submits it once {until}"
    )


def _submissions(
    app: RemoteApp, platform: Platform, version: RemoteVersion | None
) -> tuple[RemoteSubmission | None, RemoteSubmission | None]:
    """The platform's open submission holding the version, and one that blocks it: another
    version's, or a draft with items (an empty draft is reused; a rejected one of another
    version does not block, FACTS-2 §12)."""
    subs = [s for s in app.submissions or () if s.platform == platform.api]
    mine = next((s for s in subs if version is not None and s.version_id == version.id), None)
    others = [s for s in subs if s is not mine and not _empty(s) and s.state != "UNRESOLVED_ISSUES"]
    return mine, (others[0] if others else None)


def _build_status(
    app: RemoteApp, platform: Platform, spec: PlatformRelease, version: RemoteVersion | None
) -> str | Deferral:
    """ "" when a processed build is (or will be) attached; a Deferral while the one named is
    processing or not uploaded; else what is missing, in words."""
    if spec.build is not None:
        items = kind("build").plan(app, platform, spec)
        waiting = [i for i in items if isinstance(i, Deferral)]
        if waiting:
            return waiting[0]
        if any(isinstance(i, PlanProblem) for i in items):
            return f"build {spec.build} cannot be attached (see its error)"
        return ""
    attached = version.children.build if version and version.children else None
    if attached is None:
        return "no build is attached: name one with build"
    if attached.processing_state not in (None, "VALID"):
        return f"the attached build {attached.number} is {attached.processing_state}"
    return ""


def _texts_missing(version: RemoteVersion | None) -> list[str]:
    """E17's other texts (description, keywords, support URL), which reconciler reads but
    does not manage: set them in App Store Connect."""
    localizations = version.children.localizations if version and version.children else ()
    gaps: dict[str, list[str]] = {}
    for loc in localizations:
        for name in loc.missing:
            gaps.setdefault(name, []).append(loc.locale)
    return [
        f"{name} is missing in {', '.join(locales)} (set it in App Store Connect)"
        for name, locales in sorted(gaps.items())
    ]


def _notes_missing(
    app: RemoteApp,
    platform: Platform,
    spec: PlatformRelease,
    first: bool,
    version: RemoteVersion | None,
    previous: RemoteVersion | None,
) -> list[str]:
    """R16: an update needs release notes in every locale it has, once this plan is applied."""
    if first:
        return []
    source = version if version is not None else previous
    remote = {
        loc.locale: normalise_text(loc.whats_new) if version is not None else None
        for loc in (source.children.localizations if source and source.children else ())
    }
    if not remote and app.primary_locale:
        remote = {app.primary_locale: None}
    notes = dict(spec.release_notes or {})
    default = notes.pop(DEFAULT_LOCALE, None)
    empty = [
        locale
        for locale in sorted(set(remote) | set(notes))
        if not normalise_text(
            notes.get(locale, default if default is not None else remote.get(locale))
        )
    ]
    if not empty:
        return []
    return [
        f"release notes are missing in {', '.join(empty)} (an update needs them in every locale)"
    ]
