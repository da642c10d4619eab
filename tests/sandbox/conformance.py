"""Sandbox answers checked against the response schemas of Apple's OpenAPI subset.

Reuses `tests/openapi.py`. One deliberate relaxation: Apple's document marks no response
attribute `nullable`, yet App Store Connect answers null for attributes that are unset (e.g.
`earliestReleaseDate`, `copyright`; FACTS §7), and so does the sandbox. Properties of a
resource's `attributes` may therefore be null; every other part of a document is checked as the
document states it.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

import httpx

from tests.openapi import document, response_schema, validate

__all__ = ["OPERATIONS", "check", "template_of"]

# (method, templated path) of every operation the sandbox serves.
OPERATIONS = [
    ("GET", "/v1/apps"),
    ("GET", "/v1/apps/{id}"),
    ("GET", "/v1/apps/{id}/appStoreVersions"),
    ("POST", "/v1/appStoreVersions"),
    ("GET", "/v1/appStoreVersions/{id}"),
    ("PATCH", "/v1/appStoreVersions/{id}"),
    ("DELETE", "/v1/appStoreVersions/{id}"),
]
_TEMPLATES = [
    (re.compile("^" + path.replace("{id}", "[^/]+") + "$"), method, path)
    for method, path in OPERATIONS
]


def template_of(method: str, path: str) -> str | None:
    for pattern, op_method, template in _TEMPLATES:
        if op_method == method and pattern.match(path):
            return template
    return None


def _nullable_attributes(schema: dict[str, Any]) -> dict[str, Any]:
    relaxed = copy.deepcopy(schema)
    for definition in relaxed.get("$defs", {}).values():
        attributes = definition.get("properties", {}).get("attributes", {})
        for name, prop in attributes.get("properties", {}).items():
            attributes["properties"][name] = {"anyOf": [prop, {"type": "null"}]}
    return relaxed


@functools.cache
def _schema(method: str, template: str, status: int) -> dict[str, Any]:
    return _nullable_attributes(response_schema(method, template, status))


def check(response: httpx.Response) -> None:
    """Assert the response is declared for its operation and its body fits the schema."""
    request = response.request
    template = template_of(request.method, request.url.path)
    assert "X-Rate-Limit" in response.headers
    if template is None:
        # Not an operation of the document (unknown path or method): still an ErrorResponse.
        assert response.status_code in (403, 404, 405), response.status_code
        validate(response.json(), _error_schema())
        return
    declared = document()["paths"][template][request.method.lower()]["responses"]
    if response.status_code == 500:
        # Declared nowhere in Apple's document, yet Apple sends it (FACTS §6 "500"): injected only.
        validate(response.json(), _error_schema())
        return
    assert str(response.status_code) in declared, (
        f"{request.method} {template} answered {response.status_code}, which it does not declare"
    )
    if "content" not in declared[str(response.status_code)]:
        assert response.content == b""
        return
    assert response.headers["Content-Type"] == "application/json"
    validate(response.json(), _schema(request.method, template, response.status_code))


@functools.cache
def _error_schema() -> dict[str, Any]:
    return _schema("GET", "/v1/apps", 400)
