"""Apple's OpenAPI subset as JSON Schema, for contract tests (client requests, sandbox responses).

OpenAPI 3.0 schemas are almost JSON Schema. The differences handled here:
- `$ref: "#/components/schemas/X"` is rewritten to `#/$defs/X`, and every component schema is
  carried in `$defs`, so recursive schemas (ResponseError -> associatedErrors) resolve lazily;
- `nullable: true` becomes `type: [T, "null"]` (and `null` joins an `enum`); beside a `$ref`
  it becomes `anyOf: [{$ref}, {type: null}]`;
- `discriminator` is left for jsonschema to ignore: `type` enums already make `oneOf` exclusive.

`closed=True` adds `additionalProperties: false` to every object that lists its properties,
so a request body carrying a field the operation does not accept (e.g. `platform` on PATCH)
fails. Apple does not close its own schemas, hence the option.

Usage:
    validate(body, request_schema("POST", "/v1/appStoreVersions"))
    validate(doc, response_schema("GET", "/v1/apps", 200))
    validate_query("GET", "/v1/apps", {"filter[bundleId]": "a,b", "limit": "200"})
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema

__all__ = [
    "SPEC_PATH",
    "document",
    "operation",
    "parameter_names",
    "parameter_schema",
    "request_schema",
    "response_schema",
    "to_json_schema",
    "validate",
    "validate_query",
]

SPEC_PATH = (
    Path(__file__).resolve().parents[1] / "schemas" / "app-store-connect" / "openapi-subset.json"
)
_PREFIX = "#/components/schemas/"


@functools.cache
def document() -> dict[str, Any]:
    """The OpenAPI document (parsed once)."""
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@functools.cache
def _defs(closed: bool) -> dict[str, Any]:
    return {name: _convert(s, closed) for name, s in document()["components"]["schemas"].items()}


def to_json_schema(schema: Mapping[str, Any], *, closed: bool = False) -> dict[str, Any]:
    """A self-contained JSON Schema (2020-12) for an OpenAPI schema of this document."""
    converted = _convert(schema, closed)
    converted["$defs"] = _defs(closed)
    return converted


def _convert(node: Any, closed: bool) -> Any:
    if isinstance(node, list):
        return [_convert(item, closed) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _convert(value, closed) for key, value in node.items() if key != "nullable"}
    ref = out.get("$ref")
    if isinstance(ref, str) and ref.startswith(_PREFIX):
        out["$ref"] = "#/$defs/" + ref[len(_PREFIX) :]
    if node.get("nullable") is True:
        if "$ref" in out:
            out = {"anyOf": [{"$ref": out.pop("$ref")}, {"type": "null"}], **out}
        elif "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
    if closed and "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def operation(method: str, path: str) -> dict[str, Any]:
    """The operation object for `method` on the templated `path` (e.g. /v1/apps/{id})."""
    try:
        return document()["paths"][path][method.lower()]  # type: ignore[no-any-return]
    except KeyError:
        raise KeyError(f"{method.upper()} {path} is not in the OpenAPI subset") from None


def request_schema(method: str, path: str, *, closed: bool = True) -> dict[str, Any]:
    """The JSON Schema of the request body; closed by default (no field Apple does not list)."""
    content = operation(method, path)["requestBody"]["content"]["application/json"]
    return to_json_schema(content["schema"], closed=closed)


def response_schema(method: str, path: str, status: int) -> dict[str, Any]:
    """The JSON Schema of the response body for `status` (left open: Apple adds fields)."""
    response = operation(method, path)["responses"][str(status)]
    return to_json_schema(response["content"]["application/json"]["schema"])


def _parameters(method: str, path: str) -> list[dict[str, Any]]:
    shared = document()["paths"][path].get("parameters", [])
    return [*shared, *operation(method, path).get("parameters", [])]


def parameter_names(method: str, path: str, where: str = "query") -> set[str]:
    """Names of the parameters `in` query (or path) declared for the operation."""
    return {p["name"] for p in _parameters(method, path) if p["in"] == where}


def parameter_schema(method: str, path: str, name: str) -> dict[str, Any]:
    """The JSON Schema of one parameter's value."""
    for parameter in _parameters(method, path):
        if parameter["name"] == name:
            return to_json_schema(parameter["schema"])
    raise KeyError(f"{method.upper()} {path} has no parameter {name!r}")


def validate(instance: Any, schema: Mapping[str, Any]) -> None:
    """Raise jsonschema.ValidationError (the most relevant one) when `instance` does not fit."""
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


def validate_query(method: str, path: str, params: Mapping[str, str]) -> None:
    """Check query parameters as sent on the wire: each name declared, each value valid for its
    schema (arrays comma-separated, `style: form, explode: false`; integers and booleans)."""
    declared = parameter_names(method, path)
    for name, raw in params.items():
        if name not in declared:
            raise AssertionError(f"{method.upper()} {path} declares no query parameter {name!r}")
        schema = parameter_schema(method, path, name)
        kind = schema.get("type")
        value: Any = raw
        if kind == "array":
            value = raw.split(",")
        elif kind == "integer":
            value = int(raw) if raw.lstrip("-").isdigit() else raw
        elif kind == "boolean":
            value = {"true": True, "false": False}.get(raw, raw)
        validate(value, schema)
