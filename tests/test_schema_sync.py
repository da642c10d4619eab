"""The committed JSON Schema is the one the models generate, and it accepts the examples."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from ruamel.yaml import YAML

from reconciler.schema import manifest_schema_text

ROOT = Path(__file__).parent.parent
COMMITTED = ROOT / "schemas" / "manifest.schema.json"


def test_the_committed_schema_is_up_to_date() -> None:
    assert COMMITTED.read_text() == manifest_schema_text(), (
        "schemas/manifest.schema.json is out of date: run "
        "`reconciler schema --out schemas/manifest.schema.json`"
    )


def test_the_examples_validate_against_the_schema_and_point_editors_at_it() -> None:
    schema = json.loads(COMMITTED.read_text())
    for path in [
        ROOT / "examples" / "releases.yaml",
        *sorted((ROOT / "examples" / "manifests").glob("*.yaml")),
    ]:
        text = path.read_text()
        assert text.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / text.splitlines()[0].split("$schema=")[1]).resolve()
        assert target == COMMITTED.resolve(), path
        data = YAML(typ="safe", pure=True).load(text)
        # YAML timestamps load as datetimes; the schema describes the text form.
        plain = json.loads(json.dumps(data, default=lambda value: value.isoformat()))
        jsonschema.validate(plain, schema)


def test_the_schema_rejects_a_typo() -> None:
    schema = json.loads(COMMITTED.read_text())
    bad = {"format": 1, "apps": {"com.a.b": {"ios": {"version": "1", "relase_type": "manual"}}}}
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(bad))
