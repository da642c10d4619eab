"""schemas/manifest.schema.json as editors and independent validators see it.

`check-jsonschema` (its own YAML loader, format checks on) reads the examples and the manifest
corpus with the committed schema, and every key carries a title and a description, so that
completion in an editor explains itself. `reconciler validate` stays the full check: some rules
(dates on the hour, a date only with `scheduled`) are beyond what the schema can say.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.worktree import ROOT

SCHEMA = ROOT / "schemas" / "manifest.schema.json"
EXAMPLES = [
    ROOT / "examples" / "releases.yaml",
    *sorted((ROOT / "examples" / "manifests").glob("*.yaml")),
    # Valid in shape: its errors are about the sandbox account, which only `plan` reads.
    ROOT / "examples" / "errors.yaml",
]
CORPUS = ROOT / "tests" / "manifests"
# What reconciler refuses and the schema cannot tell: rules across keys and on date values.
BEYOND_THE_SCHEMA = {
    "date_half_hour_offset.yaml",
    "date_not_on_hour.yaml",
    "date_out_of_range.yaml",
    "date_without_scheduled.yaml",
    "defaults_scheduled_without_date.yaml",
    "scheduled_without_date.yaml",
    # A gap the schema could close: bundle-id keys are `patternProperties` with nothing
    # refusing a key that does not match (pydantic's output for dict[BundleId, ...]).
    "bundle_id_invalid.yaml",
}
# What reconciler accepts and the schema refuses: an unquoted app id, which YAML reads as an
# integer and reconciler takes as the digits it means; the schema says string.
STRICTER_IN_THE_SCHEMA = {"aliases_and_absent.yaml"}


def _check_jsonschema(*paths: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "check_jsonschema", "--output-format", "json"]
    done = subprocess.run(
        [*command, "--schemafile", str(SCHEMA), *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    report: dict[str, Any] = json.loads(done.stdout)
    assert done.returncode == (0 if report["status"] == "ok" else 1), done.stderr
    return report


def _refused(report: dict[str, Any]) -> set[str]:
    problems = [*report.get("errors", []), *report.get("parse_errors", [])]
    return {Path(problem["filename"]).name for problem in problems}


def test_check_jsonschema_accepts_every_example() -> None:
    report = _check_jsonschema(*EXAMPLES)
    assert report["status"] == "ok", report


def test_check_jsonschema_refuses_every_broken_manifest_the_schema_can_tell() -> None:
    broken = sorted((CORPUS / "invalid").glob("*.yaml"))
    report = _check_jsonschema(*broken)
    assert _refused(report) == {path.name for path in broken} - BEYOND_THE_SCHEMA


def test_check_jsonschema_accepts_the_valid_corpus_but_an_unquoted_app_id() -> None:
    report = _check_jsonschema(*sorted((CORPUS / "valid").glob("*.yaml")))
    assert _refused(report) == STRICTER_IN_THE_SCHEMA


def _keys(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property of every object in the schema, with a path to name it by."""
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            yield f"{where}.{name}", prop
        for key, child in node.items():
            yield from _keys(child, f"{where}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _keys(child, f"{where}[{index}]")


def test_every_key_has_a_title_and_a_description() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    keys = dict(_keys(schema, "#"))
    assert len(keys) >= 19  # format 1's keys: every object's, not only the top level
    missing = [
        path for path, prop in keys.items() if not prop.get("title") or not prop.get("description")
    ]
    assert missing == []
    untitled = [name for name, child in schema["$defs"].items() if not child.get("description")]
    assert untitled == []
    assert schema["title"] == "reconciler manifest (format 1)"
