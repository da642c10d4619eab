"""Review submissions and their items: the operations (FACTS-2 §8.1, §12, R26-R28).

    GET    /v1/reviewSubmissions              filter[app] (required), filter[platform],
                                              filter[state], include, fields, limit, limit[items]
    POST   /v1/reviewSubmissions              201 READY_FOR_REVIEW; E15 while one is open
    GET    /v1/reviewSubmissions/{id}         include, fields, limit[items]
    PATCH  /v1/reviewSubmissions/{id}         submitted: true (E19, R28, E17) | canceled: true
    GET    /v1/reviewSubmissions/{id}/items   include=appStoreVersion, fields, limit (paged)
    POST   /v1/reviewSubmissionItems          201; E16, a version not addable, E17
    DELETE /v1/reviewSubmissionItems/{id}     204 while the submission is READY_FOR_REVIEW

What each step does to the versions is in review_rules.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from reconciler.sandbox import bodies, errors, review_errors, review_rules
from reconciler.sandbox.documents import Page, base_url, collection, single, version_resource
from reconciler.sandbox.documents import app_resource as app_document
from reconciler.sandbox.params import Query, parse_query
from reconciler.sandbox.review_documents import (
    SubmissionLinkage,
    item_resource,
    submission_resource,
)
from reconciler.sandbox.spec import (
    REVIEW_ITEMS_RELATED_PARAMETERS,
    REVIEW_SUBMISSION_INSTANCE_PARAMETERS,
    REVIEW_SUBMISSIONS_COLLECTION_PARAMETERS,
)
from reconciler.sandbox.submissions import BLOCKING_STATES, ReviewSubmissionRecord

if TYPE_CHECKING:
    from reconciler.sandbox.routes import Routes

__all__ = [
    "create",
    "create_item",
    "delete_item",
    "get_collection",
    "get_instance",
    "get_items",
    "update",
]

Json = dict[str, Any]
Answer = tuple[int, Json | None]

# Page sizes when the client names none (UNVERIFIED, as routes.py's).
_DEFAULT_LIMIT = 20
_DEFAULT_INCLUDE_LIMIT = 10


def get_collection(routes: Routes, request: httpx.Request) -> Answer:
    query = parse_query(request.url, REVIEW_SUBMISSIONS_COLLECTION_PARAMETERS, paged=True)
    apps = query.values("filter[app]")
    if apps is None:
        raise review_errors.parameter_required("filter[app]")
    platforms, states = query.values("filter[platform]"), query.values("filter[state]")
    found = [
        s
        for s in routes.state.reviews.submissions.values()
        if s.app_id in apps
        and s.id not in routes.hidden  # just created: not listed yet (`invisible`, R9)
        and (platforms is None or s.platform in platforms)
        and (states is None or s.state in states)
    ]
    page = Page(found, query.cursor, query.ints.get("limit", _DEFAULT_LIMIT))
    data, included = _with_includes(routes, page.items, request, query)
    return 200, collection(data, request.url, page, included)


def get_instance(routes: Routes, request: httpx.Request, submission_id: str) -> Answer:
    query = parse_query(request.url, REVIEW_SUBMISSION_INSTANCE_PARAMETERS, paged=False)
    submission = _submission(routes, submission_id)
    data, included = _with_includes(routes, [submission], request, query)
    return 200, single(data[0], request.url, included)


def get_items(routes: Routes, request: httpx.Request, submission_id: str) -> Answer:
    query = parse_query(request.url, REVIEW_ITEMS_RELATED_PARAMETERS, paged=True)
    submission = _submission(routes, submission_id)
    base = base_url(request)
    items = routes.state.reviews.items_of(submission.id)
    page = Page(items, query.cursor, query.ints.get("limit", _DEFAULT_LIMIT))
    with_version = "appStoreVersion" in (query.values("include") or [])
    fields = query.values("fields[reviewSubmissionItems]")
    data = [item_resource(i, base, fields=fields, linked=with_version) for i in page.items]
    included: list[Json] = []
    if with_version:
        version_fields = query.values("fields[appStoreVersions]")
        for item in page.items:
            version = routes.state.version_records[item.version_id]
            included.append(version_resource(version, base, fields=version_fields))
    return 200, collection(data, request.url, page, included)


def _with_includes(
    routes: Routes, submissions: list[ReviewSubmissionRecord], request: httpx.Request, query: Query
) -> tuple[list[Json], list[Json]]:
    """Submissions with what `include` names: the app, the items (capped at limit[items],
    default 10, R13) and the version for review. Actors are accepted and add nothing."""
    base = base_url(request)
    names = set(query.values("include") or [])
    limit = query.ints.get("limit[items]", _DEFAULT_INCLUDE_LIMIT)
    book = routes.state.reviews
    data: list[Json] = []
    included: list[Json] = []
    seen: set[tuple[str, str]] = set()

    def add(resource: Json) -> None:
        if (resource["type"], resource["id"]) not in seen:
            seen.add((resource["type"], resource["id"]))
            included.append(resource)

    for submission in submissions:
        page = Page(book.items_of(submission.id), 0, limit)
        version_id = book.version_for_review(submission.id)
        if "app" in names:
            app = routes.state.apps[submission.app_id]
            add(app_document(app, base, fields=query.values("fields[apps]")))
        if "items" in names:
            item_fields = query.values("fields[reviewSubmissionItems]")
            for item in page.items:
                add(item_resource(item, base, fields=item_fields))
        if "appStoreVersionForReview" in names and version_id is not None:
            version = routes.state.version_records[version_id]
            add(version_resource(version, base, fields=query.values("fields[appStoreVersions]")))
        linkage = SubmissionLinkage(names, page, version_id)
        fields = query.values("fields[reviewSubmissions]")
        data.append(submission_resource(submission, base, fields=fields, linkage=linkage))
    return data, included


def create(routes: Routes, request: httpx.Request) -> Answer:
    """E15 while the app has a submission for the platform in a BLOCKING_STATES state."""
    parse_query(request.url, {}, paged=False)
    body = bodies.parse_create(request.content, bodies.REVIEW_SUBMISSIONS)
    app_id = body.relationships["app"]["id"]
    if app_id not in routes.state.apps:
        raise errors.relationship_invalid(
            "app", f"There is no resource of type 'apps' with id '{app_id}'"
        )
    # platform is optional in Apple's schema; IOS when absent (our model).
    platform = body.attributes.get("platform") or "IOS"
    for other in routes.state.reviews.of_app(app_id, platform):
        if other.state in BLOCKING_STATES:
            raise review_errors.another_in_progress(other.id)
    new_id = routes.state.reviews.add_submission(app_id, platform)
    routes.changed = True
    record = routes.state.reviews.submissions[new_id]
    base = base_url(request)
    url = httpx.URL(f"{base}/v1/reviewSubmissions")
    return 201, single(submission_resource(record, base), url)


def update(routes: Routes, request: httpx.Request, submission_id: str) -> Answer:
    parse_query(request.url, {}, paged=False)
    submission = _submission(routes, submission_id)
    body = bodies.parse_update(request.content, submission_id, bodies.REVIEW_SUBMISSIONS)
    attributes = body.attributes
    platform = attributes.get("platform")
    if platform is not None and platform != submission.platform:
        raise errors.invalid_state("platform")
    if attributes.get("submitted") and attributes.get("canceled"):
        raise errors.attribute_invalid(
            "canceled", "A review submission can not be submitted and canceled at once."
        )
    if attributes.get("submitted"):
        _submit(routes, submission)
    elif attributes.get("canceled"):
        if submission.state not in ("READY_FOR_REVIEW", *_IN_REVIEW):
            raise review_errors.not_cancellable()
        routes.review_timers.canceled(routes.state, submission)
        routes.changed = True
    base = base_url(request)
    return 200, single(submission_resource(submission, base), request.url)


_IN_REVIEW = ("WAITING_FOR_REVIEW", "IN_REVIEW", "UNRESOLVED_ISSUES")


def _submit(routes: Routes, submission: ReviewSubmissionRecord) -> None:
    """E19 when empty; R28 until every version reads READY_FOR_REVIEW; E17 when incomplete.
    An UNRESOLVED_ISSUES submission is submitted again in place (its versions rejected)."""
    state = routes.state
    if submission.state not in ("READY_FOR_REVIEW", "UNRESOLVED_ISSUES"):
        raise review_errors.not_resubmittable(submission.state)
    items = state.reviews.live_items(submission.id)
    if not items:
        raise review_errors.submission_empty(submission.app_id, submission.platform)
    versions = [state.version_records[i.version_id] for i in items]
    if submission.state == "READY_FOR_REVIEW" and any(
        v.app_version_state != "READY_FOR_REVIEW" for v in versions
    ):
        raise review_errors.not_ready()
    for version in versions:
        problem = review_rules.incomplete(state, version)
        if problem:
            raise problem
    review_rules.submit(state, submission, routes.clock())
    routes.changed = True


def create_item(routes: Routes, request: httpx.Request) -> Answer:
    parse_query(request.url, {}, paged=False)
    body = bodies.parse_create(request.content, bodies.REVIEW_ITEMS)
    state = routes.state
    submission_id = body.relationships["reviewSubmission"]["id"]
    submission = state.reviews.submissions.get(submission_id)
    if submission is None:
        raise errors.relationship_invalid(
            "reviewSubmission",
            f"There is no resource of type 'reviewSubmissions' with id '{submission_id}'",
        )
    for name, linkage in body.relationships.items():
        if name not in ("reviewSubmission", "appStoreVersion"):
            # The sandbox keeps version items only (README "What it does not simulate").
            raise errors.relationship_invalid(
                name,
                f"There is no resource of type '{linkage['type']}' with id '{linkage['id']}'",
            )
    if "appStoreVersion" not in body.relationships:
        raise errors.relationship_required("appStoreVersion")
    version_id = body.relationships["appStoreVersion"]["id"]
    version = state.version(version_id)
    if version is None or (version.app_id, version.platform) != (
        submission.app_id,
        submission.platform,
    ):
        raise errors.relationship_invalid(
            "appStoreVersion",
            f"There is no resource of type 'appStoreVersions' with id '{version_id}' for the "
            f"app and platform of the reviewSubmission.",
        )
    if submission.state != "READY_FOR_REVIEW":
        raise review_errors.submission_not_open(submission.id, submission.state)
    holder = state.reviews.holding(version_id)
    if holder is not None:
        raise review_errors.already_in_submission(version_id, holder.submission_id)
    if version.app_version_state not in review_rules.ADDABLE:
        raise review_errors.version_not_addable(version_id, version.app_version_state)
    problem = review_rules.incomplete(state, version)
    if problem:
        raise problem
    item_id = state.reviews.add_item(
        submission.id, version_id, version_state_before=version.app_version_state
    )
    routes.review_timers.item_added(state, version)
    routes.changed = True
    base = base_url(request)
    url = httpx.URL(f"{base}/v1/reviewSubmissionItems")
    return 201, single(item_resource(state.reviews.items[item_id], base), url)


def delete_item(routes: Routes, request: httpx.Request, item_id: str) -> Answer:
    """Only from a submission not yet submitted; the version goes back to where it was."""
    parse_query(request.url, {}, paged=False)
    state = routes.state
    item = state.reviews.items.get(item_id)
    if item is None:
        raise errors.not_found_resource("reviewSubmissionItems", item_id)
    submission = state.reviews.submissions[item.submission_id]
    if submission.state != "READY_FOR_REVIEW" or item.state != "READY_FOR_REVIEW":
        raise review_errors.cannot_remove_item(submission.state)
    version = state.version_records.get(item.version_id)
    if version is not None and version.app_version_state == "READY_FOR_REVIEW":
        review_rules.move(version, item.version_state_before)
    state.reviews.remove_item(item_id)
    routes.changed = True
    return 204, None


def _submission(routes: Routes, submission_id: str) -> ReviewSubmissionRecord:
    record = routes.state.reviews.submissions.get(submission_id)
    if record is None:
        raise errors.not_found_resource("reviewSubmissions", submission_id)
    return record
