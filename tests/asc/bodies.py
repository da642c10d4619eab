"""Apple's error documents exactly as captured (FACTS §4-§6), for the fake and for tests."""

from __future__ import annotations

from typing import Any

E1_ENTRY: dict[str, Any] = {
    "status": "409",
    "code": "ENTITY_ERROR.RELATIONSHIP.INVALID",
    "title": "The provided entity includes a relationship with an invalid value",
    "detail": "You cannot create a new version of the App in the current state.",
    "source": {"pointer": "/data/relationships/app"},
}
E2_SECOND: dict[str, Any] = {
    "status": "409",
    "code": "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE",
    "title": "The provided entity includes an attribute with a value that has already been used",
    "detail": "The version number has been previously used.",
    "source": {"pointer": "/data/attributes/versionString"},
}
E3_ENTRY: dict[str, Any] = {
    "status": "409",
    "code": "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE",
    "title": "An attribute value is not acceptable for the current resource state.",
    "detail": "The attribute 'versionString' can not be modified.",
    "source": {"pointer": "/data/attributes/versionString"},
}
E1: dict[str, Any] = {"errors": [E1_ENTRY]}
E2: dict[str, Any] = {"errors": [E1_ENTRY, E2_SECOND]}
E3: dict[str, Any] = {"errors": [E3_ENTRY]}

NOT_AUTHORIZED: dict[str, Any] = {
    "errors": [
        {
            "status": "401",
            "code": "NOT_AUTHORIZED",
            "title": "Authentication credentials are missing or invalid.",
            "detail": "Provide a properly configured and signed bearer token, and make sure that "
            "it has not expired. Learn more about Generating Tokens for API Requests "
            "https://developer.apple.com/go/?id=api-generating-tokens",
        }
    ]
}
RATE_LIMITED: dict[str, Any] = {
    "errors": [
        {
            "status": "429",
            "code": "RATE_LIMIT_EXCEEDED",
            "title": "The request rate limit has been reached.",
            "detail": "We've received too many requests for this API. Please wait and try again "
            "or slow down your request rate.",
        }
    ]
}
UNEXPECTED: dict[str, Any] = {
    "errors": [
        {
            "status": "500",
            "code": "UNEXPECTED_ERROR",
            "title": "An unexpected error occurred.",
            "detail": "An unexpected error occurred on the server side. If this issue continues, "
            "contact us at https://developer.apple.com/contact/.",
        }
    ]
}
AGREEMENT: dict[str, Any] = {
    "errors": [
        {
            "status": "403",
            "code": "FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED",
            "title": "A required agreement is missing or has expired.",
            "detail": "This request requires an in-effect agreement that has not been signed or "
            "has expired.",
        }
    ]
}
# A STATE_ERROR with nested errors under meta.associatedErrors (shape per FACTS §3).
STATE_WITH_ASSOCIATED: dict[str, Any] = {
    "errors": [
        {
            "id": "5f1a4b9e-0000-4000-8000-000000000001",
            "status": "409",
            "code": "STATE_ERROR",
            "title": "The request cannot be fulfilled because of the state of another resource.",
            "detail": "Submission is not possible.",
            "meta": {
                "associatedErrors": {
                    "/v1/appStoreVersionLocalizations/loc-1": [
                        {
                            "status": "409",
                            "code": "ENTITY_ERROR.ATTRIBUTE.REQUIRED",
                            "title": "The provided entity is missing a required attribute",
                            "detail": "You must provide a value for the attribute 'whatsNew'.",
                            "source": {"pointer": "/data/attributes/whatsNew"},
                        }
                    ]
                }
            },
        }
    ]
}
