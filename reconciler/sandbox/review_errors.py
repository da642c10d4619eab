"""Apple's errors for review submissions and release requests (FACTS-2 E15-E17, E19, R28).

E16 and E19 are word for word the captured bodies; E17's outer entry is E16's, its associated
errors the captured `ENTITY_ERROR.ATTRIBUTE.REQUIRED` entries. The others are our models
(listed as UNVERIFIED in the README). Nested errors sit in `meta.associatedErrors`, keyed by
resource path, as Apple sends them (R32).
"""

from __future__ import annotations

from typing import Any

from reconciler.sandbox.errors import ApiProblem

__all__ = [
    "already_in_submission",
    "another_in_progress",
    "build_not_valid",
    "build_required",
    "cannot_remove_item",
    "localization_attribute_required",
    "not_cancellable",
    "not_ready",
    "not_resubmittable",
    "parameter_required",
    "release_refused",
    "submission_empty",
    "submission_not_open",
    "version_cannot_be_reviewed",
    "version_not_addable",
]

Json = dict[str, Any]
_STATE_TITLE = "The request cannot be fulfilled because of the state of another resource."


def _entry(status: int, code: str, title: str, detail: str, **source: str) -> Json:
    entry: Json = {"status": str(status), "code": code, "title": title, "detail": detail}
    if source:
        entry["source"] = source
    return entry


def _one(status: int, code: str, title: str, detail: str, **source: str) -> ApiProblem:
    return ApiProblem(status, [_entry(status, code, title, detail, **source)])


def parameter_required(parameter: str) -> ApiProblem:
    """A required query parameter is missing: Apple's documented code and title (the detail
    is our model)."""
    return _one(
        400,
        "PARAMETER_ERROR.REQUIRED",
        "A required parameter is missing.",
        f"The parameter '{parameter}' is required for this request",
        parameter=parameter,
    )


def another_in_progress(submission_id: str) -> ApiProblem:
    """E15: the detail as quoted; the code is not quoted (STATE_ERROR is our model)."""
    return _one(
        409,
        "STATE_ERROR",
        _STATE_TITLE,
        f"There is another reviewSubmissions with id {submission_id} still in progress.",
    )


def version_cannot_be_reviewed(version_id: str, associated: dict[str, list[Json]]) -> ApiProblem:
    """The outer entry of E16 and E17, as captured: the reasons are in `associated`."""
    entry = _entry(
        409,
        "STATE_ERROR.ENTITY_STATE_INVALID",
        f"appStoreVersions with id '{version_id}' is not in valid state.",
        "This resource cannot be reviewed, please check associated errors to see why.",
    )
    entry["meta"] = {"associatedErrors": associated}
    return ApiProblem(409, [entry])


def already_in_submission(version_id: str, submission_id: str) -> ApiProblem:
    """E16, word for word the capture."""
    return version_cannot_be_reviewed(
        version_id,
        {
            f"/appStoreVersions/{version_id}": [
                _entry(
                    409,
                    "STATE_ERROR.ITEM_PART_OF_ANOTHER_SUBMISSION",
                    "Item is already present in another reviewSubmission",
                    f"appStoreVersions with id {version_id} was already added to another "
                    f"reviewSubmission with id {submission_id}",
                )
            ]
        },
    )


def version_not_addable(version_id: str, state: str) -> ApiProblem:
    """Our model: a version that cannot go to review in its state, in E16's shape."""
    return version_cannot_be_reviewed(
        version_id,
        {
            f"/appStoreVersions/{version_id}": [
                _entry(
                    409,
                    "STATE_ERROR",
                    _STATE_TITLE,
                    f"An app store version in the state {state} can not be added to a review "
                    "submission.",
                )
            ]
        },
    )


def localization_attribute_required(attribute: str) -> Json:
    """One associated entry of E17, as captured."""
    return _entry(
        409,
        "ENTITY_ERROR.ATTRIBUTE.REQUIRED",
        "The provided entity is missing a required attribute",
        f"You must provide a value for the attribute '{attribute}' with this request",
        pointer=f"/data/attributes/{attribute}",
    )


def build_required() -> Json:
    """Our model of E17's entry for a version with no build (the wording of E17's)."""
    return _entry(
        409,
        "ENTITY_ERROR.RELATIONSHIP.REQUIRED",
        "The provided entity is missing a required relationship",
        "You must provide a value for the relationship 'build' with this request",
        pointer="/data/relationships/build",
    )


def build_not_valid() -> Json:
    """Our model of E17's entry for a build not VALID (tramline's matched wording)."""
    return _entry(
        409,
        "STATE_ERROR",
        _STATE_TITLE,
        "The build is not in a valid processing state for this operation",
        pointer="/data/relationships/build",
    )


def submission_empty(app_id: str, platform: str) -> ApiProblem:
    """E19, word for word the capture."""
    return _one(
        409,
        "ENTITY_ERROR.RELATIONSHIP.REQUIRED",
        "Relationship is required",
        f"App {app_id} must have an approved appStoreVersions for platform {platform}, or an "
        "appStoreVersions must be included in this review submission.",
        pointer="/data/relationships/appStoreVersionForReview",
    )


def not_ready() -> ApiProblem:
    """R28: tramline's matched detail; status and code are our model."""
    return _one(409, "STATE_ERROR", _STATE_TITLE, "Version is not ready to be submitted yet")


def submission_not_open(submission_id: str, state: str) -> ApiProblem:
    """Our model: items are added only to a submission that was not submitted yet."""
    return _one(
        409,
        "STATE_ERROR",
        _STATE_TITLE,
        f"Items can not be added to the reviewSubmission with id {submission_id} in the state "
        f"{state}.",
        pointer="/data/relationships/reviewSubmission",
    )


def not_resubmittable(state: str) -> ApiProblem:
    """Our model: `submitted: true` on a submission already submitted, cancelled or done."""
    return _one(
        409,
        "STATE_ERROR",
        _STATE_TITLE,
        f"A review submission in the state {state} can not be submitted.",
        pointer="/data/attributes/submitted",
    )


def not_cancellable() -> ApiProblem:
    """The wording of a public test stub (ASC-GO submit_test.go), UNVERIFIED as Apple's."""
    return _one(
        409, "CONFLICT", "Resource state is invalid.", "Resource is not in cancellable state"
    )


def cannot_remove_item(state: str) -> ApiProblem:
    """FACTS-2 §12 (pub): 409 for an item of a submitted or rejected submission; the body is
    our model. Apple's document declares no 409 for this DELETE."""
    return _one(
        409,
        "STATE_ERROR",
        _STATE_TITLE,
        f"The item can not be removed from a review submission in the state {state}.",
    )


def release_refused(state: str) -> ApiProblem:
    """R29, our model (FACTS-2 §13): only a PENDING_DEVELOPER_RELEASE version is released."""
    return _one(
        409,
        "ENTITY_ERROR.RELATIONSHIP.INVALID",
        "A relationship value is not acceptable for the current resource state.",
        f"The app store version is in the state {state}; only a version in "
        "PENDING_DEVELOPER_RELEASE can be released.",
        pointer="/data/relationships/appStoreVersion",
    )
