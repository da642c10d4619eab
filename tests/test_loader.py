"""The loader: several files, folders, defaults, and what it keeps of each app."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from reconciler.errors import ManifestError
from reconciler.loader import load_manifest
from reconciler.manifest import ABSENT, Platform, PlatformRelease, ReleaseType

EXAMPLES = Path(__file__).parent.parent / "examples"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _problems(paths: list[Path]) -> list[str]:
    with pytest.raises(ManifestError) as raised:
        load_manifest(paths)
    return [str(p) for p in raised.value.problems]


def test_the_example_and_its_split_copy_hold_the_same_desired_state() -> None:
    single = load_manifest([EXAMPLES / "releases.yaml"])
    split = load_manifest([EXAMPLES / "manifests"])
    assert single.apps == split.apps
    assert len(single.apps) == 4
    assert {p for app in single.apps.values() for p in app.platforms()} == set(Platform)


def test_defaults_fill_missing_keys_and_entries_override_them() -> None:
    manifest = load_manifest([EXAMPLES / "releases.yaml"])
    chess = manifest.apps["com.example.chess"].tvos
    notes = manifest.apps["com.example.notes"].ios
    assert isinstance(chess, PlatformRelease) and isinstance(notes, PlatformRelease)
    assert chess.copyright == "2026 Example Chess Club"
    assert chess.release_type is ReleaseType.AFTER_APPROVAL
    assert notes.release_type is ReleaseType.MANUAL
    assert notes.copyright == "2026 Example Inc."
    assert manifest.apps["com.example.weather"].tvos == ABSENT


def test_dates_keep_their_instant() -> None:
    weather = load_manifest([EXAMPLES / "releases.yaml"]).apps["com.example.weather"].ios
    assert isinstance(weather, PlatformRelease) and weather.earliest_release_date
    assert weather.earliest_release_date == datetime(2026, 12, 1, 17, tzinfo=UTC)


def test_a_default_date_only_fills_scheduled_entries(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "r.yaml",
        "format: 1\ndefaults:\n  earliest_release_date: 2026-12-01T09:00:00Z\n"
        "apps:\n  com.a.b:\n    ios: {version: '1', release_type: scheduled}\n"
        "    macos: {version: '1', release_type: manual}\n",
    )
    app = load_manifest([path]).apps["com.a.b"]
    assert isinstance(app.ios, PlatformRelease) and app.ios.earliest_release_date is not None
    assert isinstance(app.macos, PlatformRelease) and app.macos.earliest_release_date is None


def test_the_same_app_in_two_files_names_both_places(tmp_path: Path) -> None:
    text = "format: 1\napps:\n  com.a.b:\n    ios: absent\n"
    first = _write(tmp_path / "a.yaml", text)
    second = _write(tmp_path / "sub" / "b.yml", "# another\n" + text)
    problems = _problems([tmp_path])
    assert problems == [f"{second}:4:3: apps.com.a.b: app declared twice: also at {first}:3:3"]


def test_a_folder_is_read_recursively_and_hidden_folders_are_skipped(tmp_path: Path) -> None:
    _write(tmp_path / "a" / "one.yaml", "format: 1\napps:\n  com.a.one:\n    ios: absent\n")
    _write(tmp_path / "two.yml", "format: 1\napps:\n  com.a.two:\n    ios: absent\n")
    _write(tmp_path / ".reconciler" / "junk.yaml", "not: a manifest\n")
    _write(tmp_path / "notes.txt", "ignored")
    assert list(load_manifest([tmp_path]).apps) == ["com.a.one", "com.a.two"]


def test_a_missing_path_and_an_empty_folder_are_reported_together(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    problems = _problems([tmp_path / "missing.yaml", tmp_path / "empty"])
    assert problems == [
        f"{tmp_path / 'empty'}: folder holds no manifest (*.yaml or *.yml)",
        f"{tmp_path / 'missing.yaml'}: no such file or folder",
    ]


def test_problems_of_several_files_are_listed_at_once(tmp_path: Path) -> None:
    _write(tmp_path / "a.yaml", "format: 3\napps: {}\n")
    _write(tmp_path / "b.yaml", "")
    problems = _problems([tmp_path])
    assert len(problems) == 2
    assert "unknown format 3" in problems[0] and "file is empty" in problems[1]


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfformat: 1\napps:\n  com.a.b:\n    ios: absent\n")
    assert list(load_manifest([path]).apps) == ["com.a.b"]


def test_apps_are_sorted_and_located(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "r.yaml",
        "format: 1\napps:\n  com.z.z:\n    ios: absent\n  com.a.a:\n    ios: absent\n",
    )
    manifest = load_manifest([path])
    assert list(manifest.apps) == ["com.a.a", "com.z.z"]
    assert str(manifest.locations["com.a.a"]) == f"{path}:5:3"
