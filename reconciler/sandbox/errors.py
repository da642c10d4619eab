"""Apple's error documents, word for word where FACTS.md quotes them.

Every constructor returns an `ApiProblem`: an HTTP status plus the `errors[]` entries of Apple's
ErrorResponse. Bodies marked UNVERIFIED in the README are modelled on Apple's code hierarchy but
have no captured response behind them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ApiProblem",
    "attribute_invalid",
    "attribute_not_allowed",
    "attribute_required",
    "attribute_unknown",
    "build_refused",
    "cannot_edit",
    "delete_forbidden",
    "duplicate_locale",
    "duplicate_version",
    "entity_unprocessable",
    "forbidden_delete",
    "forbidden_operation",
    "id_mismatch",
    "invalid_state",
    "localization_create_refused",
    "method_not_allowed",
    "new_version_refused",
    "not_authorized",
    "not_found_path",
    "not_found_resource",
    "parameter_illegal",
    "parameter_invalid",
    "phased_already_exists",
    "phased_delete_refused",
    "phased_final",
    "phased_pending_release",
    "phased_same_value",
    "phased_transition_refused",
    "rate_limit_exceeded",
    "relationship_invalid",
    "relationship_required",
    "unexpected_error",
    "unsupported_locale",
]

Json = dict[str, Any]


@dataclass
class ApiProblem(Exception):
    """An error answer: the HTTP status and Apple's `errors[]` entries, in Apple's order."""

    status: int
    errors: list[Json] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> Json:
        return {"errors": self.errors}

    def __add__(self, other: ApiProblem) -> ApiProblem:
        return ApiProblem(
            self.status, self.errors + other.errors, {**self.headers, **other.headers}
        )


def _entry(status: int, code: str, title: str, detail: str, **source: str) -> Json:
    entry: Json = {"status": str(status), "code": code, "title": title, "detail": detail}
    if source:
        entry["source"] = source
    return entry


def _one(status: int, code: str, title: str, detail: str, **source: str) -> ApiProblem:
    return ApiProblem(status, [_entry(status, code, title, detail, **source)])


# --- captured bodies (FACTS §4, §5, §6) ------------------------------------------------------


def not_authorized() -> ApiProblem:
    """FACTS §4: any missing, malformed, badly signed, expired or too long-lived token."""
    return _one(
        401,
        "NOT_AUTHORIZED",
        "Authentication credentials are missing or invalid.",
        "Provide a properly configured and signed bearer token, and make sure that it has not "
        "expired. Learn more about Generating Tokens for API Requests "
        "https://developer.apple.com/go/?id=api-generating-tokens",
    )


def rate_limit_exceeded(retry_after: int | None = None) -> ApiProblem:
    """FACTS §5. Apple documents no Retry-After; the sandbox adds it only when asked to."""
    problem = _one(
        429,
        "RATE_LIMIT_EXCEEDED",
        "The request rate limit has been reached.",
        "We've received too many requests for this API. Please wait and try again or slow down "
        "your request rate.",
    )
    if retry_after is not None:
        return ApiProblem(429, problem.errors, {"Retry-After": str(retry_after)})
    return problem


def unexpected_error() -> ApiProblem:
    """FACTS §6 "500" (fastlane issue 17886)."""
    return _one(
        500,
        "UNEXPECTED_ERROR",
        "An unexpected error occurred.",
        "An unexpected error occurred on the server side. If this issue continues, contact us at "
        "https://developer.apple.com/contact/.",
    )


def new_version_refused() -> ApiProblem:
    """E1: another version of the platform is not live yet (R1)."""
    return _one(
        409,
        "ENTITY_ERROR.RELATIONSHIP.INVALID",
        "The provided entity includes a relationship with an invalid value",
        "You cannot create a new version of the App in the current state.",
        pointer="/data/relationships/app",
    )


def duplicate_version(*, with_e1: bool) -> ApiProblem:
    """E2: the versionString was used before (R2). A create carries E1 first, as captured."""
    duplicate = _one(
        409,
        "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE",
        "The provided entity includes an attribute with a value that has already been used",
        "The version number has been previously used.",
        pointer="/data/attributes/versionString",
    )
    return new_version_refused() + duplicate if with_e1 else duplicate


def invalid_state(attribute: str) -> ApiProblem:
    """E3: one entry per attribute sent to a version that is no longer editable (R4)."""
    return _one(
        409,
        "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE",
        "An attribute value is not acceptable for the current resource state.",
        f"The attribute '{attribute}' can not be modified.",
        pointer=f"/data/attributes/{attribute}",
    )


def attribute_invalid(attribute: str, detail: str) -> ApiProblem:
    """E8's shape; also R3 (lower version) and R5 pairing, which FACTS says to model this way."""
    return _one(
        409,
        "ENTITY_ERROR.ATTRIBUTE.INVALID",
        "An attribute value is invalid.",
        detail,
        pointer=f"/data/attributes/{attribute}",
    )


# --- bodies seen in public code, not in FACTS (see README "Error bodies") -------------------


def not_found_path() -> ApiProblem:
    return _one(
        404,
        "NOT_FOUND",
        "The specified resource does not exist",
        "The path provided does not match a defined resource type.",
    )


def not_found_resource(kind: str, resource_id: str) -> ApiProblem:
    return _one(
        404,
        "NOT_FOUND",
        "The specified resource does not exist",
        f"There is no resource of type '{kind}' with id '{resource_id}'",
    )


def bad_request(detail: str) -> ApiProblem:
    """A request the server cannot read at all (bad Content-Length, a body too large).
    Modelled: no such answer from Apple has been captured."""
    return _one(400, "BAD_REQUEST", "The request could not be read", detail)


def parameter_invalid(parameter: str, detail: str) -> ApiProblem:
    return _one(
        400,
        "PARAMETER_ERROR.INVALID",
        "A parameter has an invalid value",
        detail,
        parameter=parameter,
    )


def parameter_illegal(parameter: str) -> ApiProblem:
    return _one(
        400,
        "PARAMETER_ERROR.ILLEGAL",
        "A given parameter is not allowed for this request",
        f"The parameter '{parameter}' can not be used with this request",
        parameter=parameter,
    )


def forbidden_operation(kind: str, operation: str, allowed: list[str]) -> ApiProblem:
    """R11. Apple lists the allowed operations sorted, singular or plural."""
    names = sorted(allowed)
    tail = (
        f"Allowed operation is: {names[0]}"
        if len(names) == 1
        else f"Allowed operations are: {', '.join(names)}"
    )
    return _one(
        403,
        "FORBIDDEN_ERROR",
        "This request is forbidden for security reasons",
        f"The resource '{kind}' does not allow '{operation}'. {tail}",
    )


# --- UNVERIFIED models ------------------------------------------------------------------------


def method_not_allowed(method: str) -> ApiProblem:
    return _one(
        405,
        "METHOD_NOT_ALLOWED",
        "The request method is not allowed for this resource",
        f"The method '{method}' is not supported by this resource.",
    )


def delete_forbidden(version_string: str, state: str) -> ApiProblem:
    """DELETE declares no 409, so a refused delete is a 403 (UNVERIFIED)."""
    return _one(
        403,
        "FORBIDDEN_ERROR",
        "This request is forbidden for security reasons",
        f"The version '{version_string}' can not be deleted in its current state: {state}. "
        "Only a version that was never submitted for review can be deleted.",
    )


def entity_unprocessable(detail: str, pointer: str = "") -> ApiProblem:
    if pointer:
        return _one(
            422, "ENTITY_UNPROCESSABLE", "The request entity is not valid.", detail, pointer=pointer
        )
    return _one(422, "ENTITY_UNPROCESSABLE", "The request entity is not valid.", detail)


def attribute_required(attribute: str) -> ApiProblem:
    return _one(
        409,
        "ENTITY_ERROR.ATTRIBUTE.REQUIRED",
        "The provided entity is missing a required attribute",
        f"You must provide a value for the attribute '{attribute}' with this request",
        pointer=f"/data/attributes/{attribute}",
    )


def attribute_unknown(kind: str, attribute: str) -> ApiProblem:
    return _one(
        409,
        "ENTITY_ERROR.ATTRIBUTE.UNKNOWN",
        "The provided entity includes an unknown attribute",
        f"'{attribute}' is not an attribute on the resource '{kind}'",
        pointer=f"/data/attributes/{attribute}",
    )


def attribute_not_allowed(attribute: str, operation: str) -> ApiProblem:
    """Wording from FACTS §2 (locale on a localization UPDATE)."""
    return _one(
        409,
        "ENTITY_ERROR.ATTRIBUTE.NOT_ALLOWED",
        "The provided entity includes an attribute that is not allowed",
        f"The attribute '{attribute}' can not be included in a '{operation}' request.",
        pointer=f"/data/attributes/{attribute}",
    )


def relationship_required(name: str) -> ApiProblem:
    return _one(
        409,
        "ENTITY_ERROR.RELATIONSHIP.REQUIRED",
        "The provided entity is missing a required relationship",
        f"You must provide a value for the relationship '{name}' with this request",
        pointer=f"/data/relationships/{name}",
    )


def relationship_invalid(name: str, detail: str) -> ApiProblem:
    return _one(
        409,
        "ENTITY_ERROR.RELATIONSHIP.INVALID",
        "The provided entity includes a relationship with an invalid value",
        detail,
        pointer=f"/data/relationships/{name}",
    )


def id_mismatch(body_id: str, path_id: str) -> ApiProblem:
    return _one(
        409,
        "ENTITY_ERROR.ID.INVALID",
        "The provided entity id is invalid",
        f"The id '{body_id}' in the request body does not match the id '{path_id}' in the URL.",
        pointer="/data/id",
    )


# --- localizations, builds, phased releases (FACTS E4, E5, FACTS-2 E10-E14, E18) -----------

_STATE_TITLE = "The request cannot be fulfilled because of the state of another resource."
_INVALID_STATE_TITLE = "An attribute value is not acceptable for the current resource state."


def cannot_edit(attribute: str) -> ApiProblem:
    """E4 (a localization attribute of a version that is no longer editable, one per attribute)
    and E10 (whatsNew on a platform's first version): 409 STATE_ERROR, the code E10 quotes."""
    return _one(
        409,
        "STATE_ERROR",
        _STATE_TITLE,
        f"Attribute '{attribute}' cannot be edited at this time",
        pointer=f"/data/attributes/{attribute}",
    )


def localization_create_refused() -> ApiProblem:
    """E11: the detail as captured; the code is not quoted (STATE_ERROR is our model)."""
    return _one(
        409,
        "STATE_ERROR",
        _STATE_TITLE,
        "Cannot create localization after the app version has been submitted for review.",
        pointer="/data/relationships/appStoreVersion",
    )


def unsupported_locale(locale: str) -> ApiProblem:
    """E18: the wording as probed; the code (E6's) is our model."""
    return _one(
        409,
        "ENTITY_ERROR.ATTRIBUTE.INVALID",
        "The language specified is not listed for localization",
        f"Un-supported locale: {locale}",
        pointer="/data/attributes/locale",
    )


def duplicate_locale(locale: str) -> ApiProblem:
    """E5: a second localization of one locale on one version."""
    return _one(
        409,
        "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE",
        "The provided entity includes an attribute with a value that has already been used",
        f"Entity with locale: {locale} already exists. Try updating.",
        pointer="/data/attributes/locale",
    )


def build_refused(*, state: bool = False, detail: str | None = None) -> ApiProblem:
    """E14. `state` picks the title captured for a version that is not editable."""
    title = (
        "A relationship value is not acceptable for the current resource state."
        if state
        else "The provided entity includes a relationship with an invalid value"
    )
    return _one(
        409,
        "ENTITY_ERROR.RELATIONSHIP.INVALID",
        title,
        detail or "The specified pre-release build could not be added.",
        pointer="/data/relationships/build",
    )


def phased_pending_release() -> ApiProblem:
    """E12, pointer as captured (sic)."""
    return _one(
        409,
        "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE",
        _INVALID_STATE_TITLE,
        "You cannot change the state of a phased release in the current version state.",
        pointer="/data/attributes/pendingDeveloperRelease",
    )


def phased_final() -> ApiProblem:
    """E13: the detail as captured; the code is our model."""
    return _one(
        409,
        "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE",
        _INVALID_STATE_TITLE,
        "You cannot change the state of a phased release that is in a final state",
        pointer="/data/attributes/phasedReleaseState",
    )


def phased_same_value() -> ApiProblem:
    """FACTS R8: the detail as captured; the code is our model."""
    return _one(
        409,
        "ENTITY_ERROR.ATTRIBUTE.INVALID",
        "An attribute value is invalid.",
        "The phased release already has this value",
        pointer="/data/attributes/phasedReleaseState",
    )


def phased_transition_refused(before: str, after: str) -> ApiProblem:
    """UNVERIFIED model: a transition R23 does not list (or any change before the release)."""
    return _one(
        409,
        "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE",
        _INVALID_STATE_TITLE,
        f"You cannot change the state of a phased release from {before} to {after}.",
        pointer="/data/attributes/phasedReleaseState",
    )


def phased_already_exists() -> ApiProblem:
    """UNVERIFIED model (FACTS E9): a second phased release for one version."""
    return _one(
        409,
        "STATE_ERROR.ALREADY_EXISTS",
        "Resource already exists.",
        "The app store version already has a phased release.",
        pointer="/data/relationships/appStoreVersion",
    )


def phased_delete_refused(state: str) -> ApiProblem:
    """UNVERIFIED model (FACTS-2 §10): a rollout under way or complete cannot be deleted.
    DELETE declares no 409 in Apple's document; FACTS-2 models it as 409 STATE_ERROR."""
    return _one(
        409,
        "STATE_ERROR",
        _STATE_TITLE,
        f"The phased release can not be deleted in its current state: {state}.",
    )


def forbidden_delete(detail: str) -> ApiProblem:
    """A refused DELETE of a localization (our model): 403, as DELETE declares no 409."""
    return _one(403, "FORBIDDEN_ERROR", "This request is forbidden for security reasons", detail)
