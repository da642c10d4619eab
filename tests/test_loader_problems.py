"""Which model an error's hints come from: found by walking the model's field types along
pydantic's location, so that a new nested mapping (release notes by locale) gets them too."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from reconciler.manifest import AppEntry, Defaults, ManifestFile, PlatformRelease
from reconciler.manifest_problems import locate, validation_problem


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Notes(_Strict):
    whats_new: str | None = None
    promotional_text: str | None = None


class Release(_Strict):
    version: str
    release_notes: dict[str, Notes] | None = None


class Listing(_Strict):
    releases: list[Release] = []
    either: Notes | Release | None = None


class Account(_Strict):
    apps: dict[str, Listing]


def _errors(model: type[BaseModel], data: dict[str, Any]) -> list[Any]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    return raised.value.errors()


def _messages(model: type[BaseModel], data: dict[str, Any]) -> list[str]:
    return [str(validation_problem("f.yaml", e, data, {}, model)) for e in _errors(model, data)]


def test_a_key_in_a_mapping_of_sub_models_gets_the_sub_models_hints() -> None:
    data = {"apps": {"a": {"releases": [{"version": "1", "release_notes": {"en-US": {}}}]}}}
    data["apps"]["a"]["releases"][0]["release_notes"]["en-US"] = {"whats_nw": "Faster."}
    assert _messages(Account, data) == [
        "f.yaml:1:1: apps.a.releases.0.release_notes.en-US.whats_nw: unknown key "
        "(did you mean 'whats_new'?)"
    ]
    data["apps"]["a"]["releases"][0]["release_notes"]["en-US"] = {"colour": "red"}
    assert _messages(Account, data)[0].endswith(
        "en-US.colour: unknown key (expected one of: whats_new, promotional_text)"
    )


def test_a_union_of_models_is_walked_through_the_member_pydantic_names() -> None:
    errors = _errors(Account, {"apps": {"a": {"either": {"versoin": "1"}}}})
    found = {(e["loc"], locate(Account, tuple(e["loc"])).owner) for e in errors}
    assert (("apps", "a", "either", "Release", "versoin"), Release) in found
    assert (("apps", "a", "either", "Notes", "versoin"), Notes) in found
    assert {locate(Account, tuple(e["loc"])).key for e in errors} <= {
        ("apps", "a", "either", "versoin"),
        ("apps", "a", "either", "version"),  # Release's missing version
    }


@pytest.mark.parametrize(
    ("loc", "key", "owner"),
    [
        (("formt",), ("formt",), ManifestFile),
        (("defaults", "copyrite"), ("defaults", "copyrite"), Defaults),
        (("apps", "com.a.b", "iso"), ("apps", "com.a.b", "iso"), AppEntry),
        (
            ("apps", "com.a.b", "ios", "release", "relase_type"),
            ("apps", "com.a.b", "ios", "relase_type"),
            PlatformRelease,
        ),
        # The union's tag goes; a user's own key called `release` stays.
        (
            ("apps", "com.a.b", "ios", "release", "release"),
            ("apps", "com.a.b", "ios", "release"),
            PlatformRelease,
        ),
        (("apps", "com.a.b", "ios", "absent"), ("apps", "com.a.b", "ios"), AppEntry),
        # Below a field that is no model, there are no fields to hint from.
        (
            ("apps", "com.a.b", "ios", "release", "version", "x"),
            ("apps", "com.a.b", "ios", "version", "x"),
            None,
        ),
    ],
)
def test_each_level_of_the_manifest_has_its_model(
    loc: tuple[str, ...], key: tuple[str, ...], owner: type[BaseModel] | None
) -> None:
    where = locate(ManifestFile, loc)
    assert where.key == key and where.owner is owner and not where.about_key


def test_an_error_about_a_bundle_id_is_about_the_key() -> None:
    where = locate(ManifestFile, ("apps", "bad id", "[key]"))
    assert where.key == ("apps", "bad id") and where.about_key
    # Only after a mapping's key is `[key]` pydantic's marker; elsewhere it is a user's key.
    assert locate(ManifestFile, ("defaults", "[key]")).key == ("defaults", "[key]")
