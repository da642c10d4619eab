"""The manifest JSON Schema, generated from the pydantic models (editors use it to complete)."""

from __future__ import annotations

import json

from reconciler.manifest import ManifestFile

__all__ = ["SCHEMA_ID", "manifest_schema_text"]

SCHEMA_ID = "https://github.com/reconciler/reconciler/schemas/manifest.schema.json"


def manifest_schema_text() -> str:
    """The schema as committed in schemas/manifest.schema.json: stable key order, final newline."""
    schema = ManifestFile.model_json_schema()
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "reconciler manifest (format 1)",
        **schema,
    }
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"
