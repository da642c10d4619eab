"""Property: requests generated from the document's own parameters and request bodies never get
a 5xx (no fault injected) and never an answer off the response schema."""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.sandbox import SandboxApp, seed_state
from tests.openapi import document, operation
from tests.profiles import examples
from tests.sandbox.conformance import OPERATIONS, check
from tests.sandbox.conftest import fixed_clock

SEED = seed_state()
APP_IDS = list(SEED.apps)
VERSION_IDS = list(SEED.version_records)
CHILD_IDS = [*list(SEED.localizations)[:3], *list(SEED.builds)[:3], *SEED.phased_releases]
_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters=",&#%/?"), max_size=12
)


def _schema_values(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for an OpenAPI schema of the document (refs, nullable, enums, objects)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _schema_values(document()["components"]["schemas"][name], depth)
    strategy: st.SearchStrategy[Any]
    if "enum" in schema:
        strategy = st.sampled_from(schema["enum"])
    elif schema.get("type") == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        strategy = st.fixed_dictionaries(
            {k: _schema_values(v, depth + 1) for k, v in properties.items() if k in required},
            optional={
                k: _schema_values(v, depth + 1) for k, v in properties.items() if k not in required
            },
        )
    elif schema.get("type") == "array":
        strategy = st.lists(_schema_values(schema["items"], depth + 1), max_size=2)
    elif schema.get("type") == "boolean":
        strategy = st.booleans()
    elif schema.get("type") == "integer":
        strategy = st.integers(-2, 250)
    elif schema.get("format") == "date-time":
        strategy = st.sampled_from(
            [
                "2026-12-01T09:00:00-08:00",
                "2026-12-01T09:30:00Z",
                "tomorrow",
                "2027-01-01T00:00:00Z",
            ]
        )
    elif schema.get("type") == "string":
        strategy = st.sampled_from([*APP_IDS[:2], *VERSION_IDS[:2], "1.0", "2.4.0"]) | _TEXT
    else:
        strategy = st.none()
    if schema.get("nullable"):
        strategy = strategy | st.none()
    return strategy


def _query_values(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items", {})
        item = st.sampled_from(items["enum"]) if "enum" in items else _TEXT
        return st.lists(item, min_size=1, max_size=3).map(",".join)
    if kind == "integer":
        return st.integers(-1, 260).map(str)
    if kind == "boolean":
        return st.sampled_from(["true", "false", "maybe"])
    return _TEXT


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, dict[str, str], Any]:
    method, template = draw(st.sampled_from(OPERATIONS))
    op = operation(method, template)
    resource_id = draw(
        st.sampled_from([*APP_IDS, *VERSION_IDS, *CHILD_IDS, "0"]) | _TEXT.filter(bool)
    )
    path = template.replace("{id}", resource_id.replace("/", "_"))
    params = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
    names = (
        draw(st.lists(st.sampled_from(sorted(params)), max_size=4, unique=True)) if params else []
    )
    query = {name: draw(_query_values(params[name]["schema"])) for name in names}
    body = None
    if "requestBody" in op:
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        body = draw(_schema_values(schema))
        if method == "PATCH" and draw(st.booleans()) and isinstance(body.get("data"), dict):
            body["data"]["id"] = resource_id
    return method, path, query, body


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_generated_requests_get_no_5xx_and_only_answers_on_schema(
    request: tuple[str, str, dict[str, str], Any],
) -> None:
    method, path, query, body = request
    app = SandboxApp(seed_state(), clock=fixed_clock)
    with httpx.Client(
        transport=app.transport(), base_url="https://api.appstoreconnect.apple.com"
    ) as c:
        response = c.request(method, path, params=query, json=body)
    assert response.status_code < 500, response.text
    check(response)
