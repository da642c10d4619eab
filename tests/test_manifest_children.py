"""The manifest keys for what hangs off a version (release_notes, promotional_text, build,
phased_release), read through the loader as files, and the JSON schema that describes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from reconciler.errors import ManifestError
from reconciler.kinds.locales import LOCALES, locale_hint
from reconciler.loader import load_manifest
from reconciler.manifest import Manifest, PlatformRelease

SCHEMA = Path(__file__).parent.parent / "schemas" / "manifest.schema.json"
HEAD = "format: 1\napps:\n  com.a.b:\n    ios:\n      version: '2.0'\n"


def _file(tmp_path: Path, body: str, head: str = HEAD) -> Path:
    path = tmp_path / "r.yaml"
    path.write_text(head + body, encoding="utf-8")
    return path


def _load(tmp_path: Path, body: str, head: str = HEAD) -> Manifest:
    return load_manifest([_file(tmp_path, body, head)])


def _ios(manifest: Manifest) -> PlatformRelease:
    release = manifest.apps["com.a.b"].ios
    assert isinstance(release, PlatformRelease)
    return release


def _problems(tmp_path: Path, body: str, head: str = HEAD) -> list[str]:
    path = _file(tmp_path, body, head)
    with pytest.raises(ManifestError) as raised:
        load_manifest([path])
    return [str(p).removeprefix(f"{path}:") for p in raised.value.problems]


def test_every_new_key_loads(tmp_path: Path) -> None:
    release = _ios(
        _load(
            tmp_path,
            "      release_notes:\n"
            "        default: Bug fixes.\n"
            "        en-US: The radar is faster.\n"
            "        'no': Raskere radar.\n"
            "      promotional_text: {en-US: Now with widgets.}\n"
            "      build: '2040'\n"
            "      phased_release: paused\n",
        )
    )
    assert release.release_notes == {
        "default": "Bug fixes.",
        "en-US": "The radar is faster.",
        "no": "Raskere radar.",
    }
    assert release.promotional_text == {"en-US": "Now with widgets."}
    assert (release.build, release.phased_release) == ("2040", "paused")
    assert release.manages_children()


def test_a_platform_without_the_new_keys_manages_no_children(tmp_path: Path) -> None:
    release = _ios(_load(tmp_path, ""))
    assert (release.release_notes, release.promotional_text, release.build) == (None, None, None)
    assert release.phased_release is None and not release.manages_children()


# Locales (R14): Apple's 50 codes; a near miss gets Apple's spelling, at file:line:col.
def test_nb_is_refused_with_apples_spelling_at_its_place(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "      release_notes:\n        nb: Raskere.\n")
    assert problems == [
        "7:9: apps.com.a.b.ios.release_notes.nb: 'nb' is not an App Store locale: Apple uses `no`"
    ]


@pytest.mark.parametrize(
    ("code", "apple"),
    [
        ("nb-NO", "no"),
        ("zh-CN", "zh-Hans"),
        ("zh-TW", "zh-Hant"),
        ("en-us", "en-US"),
        ("de", "de-DE"),
        ("de-AT", "de-DE"),
        ("bn", "bn-BD"),
        ("ur", "ur-PK"),
        ("iw", "he"),
        # Case and underscores (Android's and Java's spelling) are no reason to lose the hint.
        ("NB", "no"),
        ("zh-cn", "zh-Hans"),
        ("zh_CN", "zh-Hans"),
        ("en_US", "en-US"),
        ("pt_br", "pt-BR"),
        ("no_NO", "no"),
    ],
)
def test_near_misses_name_apples_code(code: str, apple: str) -> None:
    assert locale_hint(code) == f"{code!r} is not an App Store locale: Apple uses `{apple}`"


@pytest.mark.parametrize("code", ["en", "es", "pt", "zh", "fa", "sw-KE", "xx"])
def test_a_code_with_no_single_match_lists_none(code: str) -> None:
    assert locale_hint(code) == (
        f"{code!r} is not one of Apple's 50 App Store locales (e.g. en-US, de-DE, ja)"
    )


def test_apple_has_fifty_locales_and_every_hint_points_at_one_of_them() -> None:
    assert len(LOCALES) == len(set(LOCALES)) == 50
    for code in ["nb", "nb-NO", "nn", "zh-CN", "zh-TW", "zh-HK", "iw", "in"]:
        assert locale_hint(code).split("`")[1] in LOCALES


def test_an_unknown_locale_in_promotional_text_is_refused_too(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, "      promotional_text: {zh-CN: 新}\n")
    assert problem.startswith("6:26: apps.com.a.b.ios.promotional_text.zh-CN:")
    assert problem.endswith("Apple uses `zh-Hans`")


def test_default_is_only_for_release_notes(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, "      promotional_text:\n        default: Hi.\n")
    assert problem == (
        "7:9: apps.com.a.b.ios.promotional_text.default: `default` is only for release_notes: "
        "name each locale here"
    )


# Lengths (R17), in code points.
def test_4000_emoji_are_4000_characters(tmp_path: Path) -> None:
    notes = "😀" * 4000  # 16 000 bytes of UTF-8, 8 000 UTF-16 units: still 4000 characters
    release = _ios(_load(tmp_path, f"      release_notes: {{en-US: '{notes}'}}\n"))
    assert release.release_notes == {"en-US": notes}


def test_4001_characters_of_release_notes_are_refused(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, f"      release_notes: {{en-US: '{'é' * 4001}'}}\n")
    assert problem.startswith("6:30: apps.com.a.b.ios.release_notes.en-US:")
    assert "is 4001 characters long; App Store Connect allows 4000" in problem


def test_promotional_text_takes_170_characters(tmp_path: Path) -> None:
    ok = _ios(_load(tmp_path, f"      promotional_text: {{ja: '{'あ' * 170}'}}\n"))
    assert ok.promotional_text == {"ja": "あ" * 170}
    [problem] = _problems(tmp_path, f"      promotional_text: {{ja: '{'あ' * 171}'}}\n")
    assert "is 171 characters long; App Store Connect allows 170" in problem


def test_a_block_scalar_of_4000_characters_is_not_refused_for_its_final_newline(
    tmp_path: Path,
) -> None:
    release = _ios(
        _load(tmp_path, f"      release_notes:\n        en-US: |\n          {'a' * 4000}\n")
    )
    assert release.release_notes is not None


# Build numbers: an unquoted integer means the same; a float or a boolean does not.
@pytest.mark.parametrize(
    ("text", "number"), [("2040", "2040"), ("'2040'", "2040"), ("'1.2.3'", "1.2.3")]
)
def test_build_numbers_that_load(tmp_path: Path, text: str, number: str) -> None:
    assert _ios(_load(tmp_path, f"      build: {text}\n")).build == number


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2040.5", "got 2040.5 (a number): quote it"),
        ("true", "got True (a boolean): quote it"),
        ("'1.2.3.4'", "'1.2.3.4' does not have the expected form"),
        ("'20a'", "'20a' does not have the expected form"),
    ],
)
def test_build_numbers_that_do_not(tmp_path: Path, text: str, words: str) -> None:
    [problem] = _problems(tmp_path, f"      build: {text}\n")
    assert problem.startswith("6:14: apps.com.a.b.ios.build:") and words in problem


# phased_release: true | false | paused | complete, and nothing that only looks like one.
@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("false", False), ("paused", "paused"), ("complete", "complete")],
)
def test_phased_release_values(tmp_path: Path, text: str, value: bool | str) -> None:
    assert _ios(_load(tmp_path, f"      phased_release: {text}\n")).phased_release == value


@pytest.mark.parametrize("text", ["yes", "Paused", "'true'", "1", "active", "null_"])
def test_phased_release_refuses_everything_else(tmp_path: Path, text: str) -> None:
    [problem] = _problems(tmp_path, f"      phased_release: {text}\n")
    assert problem.startswith("6:23: apps.com.a.b.ios.phased_release: expected true, false,")


def test_phased_release_is_not_a_default(tmp_path: Path) -> None:
    # A default would make every platform's first version an error (phased release is for
    # updates only), so it is declared per platform.
    head = "format: 1\ndefaults:\n  phased_release: true\napps:\n  com.a.b:\n"
    [problem] = _problems(tmp_path, "    ios: {version: '2.0'}\n", head=head)
    assert "defaults.phased_release: unknown key" in problem


# The JSON schema (editors) accepts what the loader accepts.
def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA.read_text())
    return loaded


def _as_data(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def test_the_schema_accepts_a_manifest_with_every_new_key(tmp_path: Path) -> None:
    text = (
        "format: 1\n"
        'defaults:\n  copyright: "2026 Example Inc."\n'
        "apps:\n  com.a.b:\n"
        "    ios:\n"
        "      version: '2.5.0'\n"
        "      release_notes: {default: Bug fixes., en-US: Faster., 'no': Raskere.}\n"
        "      promotional_text: {en-US: Now with widgets.}\n"
        "      build: '2040'\n"
        "      phased_release: true\n"
        "    macos: {version: '2.5.0', phased_release: complete, build: '1.2.3'}\n"
    )
    jsonschema.validate(_as_data(text), _schema())
    load_manifest([_file(tmp_path, text, head="")])  # and the loader agrees


@pytest.mark.parametrize(
    "entry",
    [
        {"version": "2.0", "phased_release": "maybe"},
        {"version": "2.0", "build": "20a"},
        {"version": "2.0", "promotional_text": {"en-US": "x" * 171}},
        {"version": "2.0", "release_notes": {"en-US": "x" * 4001}},
        {"version": "2.0", "release_notes": "Bug fixes."},
    ],
)
def test_the_schema_refuses_what_the_loader_refuses(entry: dict[str, Any]) -> None:
    data = {"format": 1, "apps": {"com.a.b": {"ios": entry}}}
    validator = jsonschema.Draft202012Validator(_schema())
    assert list(validator.iter_errors(data))
