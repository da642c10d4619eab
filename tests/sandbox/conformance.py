"""Sandbox answers checked against the response schemas of Apple's OpenAPI subset.

Reuses `tests/openapi.py`. Deliberate relaxations, each a gap between Apple's document and
Apple's answers (FACTS §7, FACTS-2 R33):
- Apple's document marks no response attribute `nullable`, yet App Store Connect answers null
  for attributes that are unset (e.g. `earliestReleaseDate`, `copyright`), and so does the
  sandbox. Properties of a resource's `attributes` may therefore be null;
- a to-one relationship's `data` may be null (no build attached, no phased release), as JSON:API
  allows;
- the to-one reads in `NULLABLE_DATA` may answer `"data": null` (R22, §11);
- the statuses in `UNDECLARED` are answered although the operation does not declare them (the
  500 Apple sends anywhere, FACTS-2 §10's model of a refused phased-release delete, and §12's
  409 for removing a rejected version's review item).
Every other part of a document is checked as the document states it.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

import httpx

from tests.openapi import document, response_schema, validate

__all__ = ["NULLABLE_DATA", "OPERATIONS", "UNDECLARED", "check", "template_of"]

# (method, templated path) of every operation the sandbox serves.
OPERATIONS = [
    ("GET", "/v1/apps"),
    ("GET", "/v1/apps/{id}"),
    ("GET", "/v1/apps/{id}/appStoreVersions"),
    ("POST", "/v1/appStoreVersions"),
    ("GET", "/v1/appStoreVersions/{id}"),
    ("PATCH", "/v1/appStoreVersions/{id}"),
    ("DELETE", "/v1/appStoreVersions/{id}"),
    ("GET", "/v1/appStoreVersions/{id}/appStoreVersionLocalizations"),
    ("GET", "/v1/appStoreVersions/{id}/appStoreVersionPhasedRelease"),
    ("GET", "/v1/appStoreVersions/{id}/build"),
    ("GET", "/v1/appStoreVersions/{id}/relationships/build"),
    ("PATCH", "/v1/appStoreVersions/{id}/relationships/build"),
    ("POST", "/v1/appStoreVersionLocalizations"),
    ("GET", "/v1/appStoreVersionLocalizations/{id}"),
    ("PATCH", "/v1/appStoreVersionLocalizations/{id}"),
    ("DELETE", "/v1/appStoreVersionLocalizations/{id}"),
    ("POST", "/v1/appStoreVersionPhasedReleases"),
    ("PATCH", "/v1/appStoreVersionPhasedReleases/{id}"),
    ("DELETE", "/v1/appStoreVersionPhasedReleases/{id}"),
    ("GET", "/v1/builds"),
    ("GET", "/v1/builds/{id}"),
    ("GET", "/v1/reviewSubmissions"),
    ("POST", "/v1/reviewSubmissions"),
    ("GET", "/v1/reviewSubmissions/{id}"),
    ("PATCH", "/v1/reviewSubmissions/{id}"),
    ("GET", "/v1/reviewSubmissions/{id}/items"),
    ("POST", "/v1/reviewSubmissionItems"),
    ("DELETE", "/v1/reviewSubmissionItems/{id}"),
    ("POST", "/v1/appStoreVersionReleaseRequests"),
]
NULLABLE_DATA = {
    ("GET", "/v1/appStoreVersions/{id}/appStoreVersionPhasedRelease"),
    ("GET", "/v1/appStoreVersions/{id}/build"),
    ("GET", "/v1/appStoreVersions/{id}/relationships/build"),
}
UNDECLARED: dict[int, set[tuple[str, str]] | None] = {
    500: None,
    409: {
        ("DELETE", "/v1/appStoreVersionPhasedReleases/{id}"),
        ("DELETE", "/v1/reviewSubmissionItems/{id}"),
    },
}
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
        relationships = definition.get("properties", {}).get("relationships", {})
        for prop in relationships.get("properties", {}).values():
            data = prop.get("properties", {}).get("data")
            if data is not None and data.get("type") == "object":
                prop["properties"]["data"] = {"anyOf": [data, {"type": "null"}]}
    return relaxed


@functools.cache
def _schema(method: str, template: str, status: int) -> dict[str, Any]:
    schema = _nullable_attributes(response_schema(method, template, status))
    if (method, template) in NULLABLE_DATA and status == 200:
        schema = _nullable_data(schema)
    return schema


def _nullable_data(schema: dict[str, Any]) -> dict[str, Any]:
    """`data` of the document itself may be null (wherever the document's schema lives)."""
    relaxed = copy.deepcopy(schema)
    target = relaxed
    if "$ref" in target and "properties" not in target:
        target = relaxed["$defs"][target["$ref"].rsplit("/", 1)[-1]]
    data = target["properties"]["data"]
    target["properties"]["data"] = {"anyOf": [data, {"type": "null"}]}
    return relaxed


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
    undeclared = UNDECLARED.get(response.status_code, set())
    if undeclared is None or (request.method, template) in undeclared:
        # 500: declared nowhere in Apple's document, yet Apple sends it (FACTS §6 "500"),
        # injected only; 409 on a phased-release delete: FACTS-2 §10's model; 409 on a
        # review-item delete: FACTS-2 §12 (a rejected version's item).
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
