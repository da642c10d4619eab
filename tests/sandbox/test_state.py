"""The builder API, the state file (atomic, readable after a killed write) and the seed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.sandbox import SandboxState, StateFileError, seed_state, seed_text

REPO = Path(__file__).resolve().parents[2]


def test_the_builder_makes_deterministic_ids_and_dates() -> None:
    def build() -> SandboxState:
        state = SandboxState()
        app_id = state.add_app("com.acme.app", name="Acme")
        state.add_version(app_id, version_string="1.0", app_version_state="READY_FOR_DISTRIBUTION")
        state.add_version(app_id, version_string="1.1")
        return state

    a, b = build(), build()
    assert a.to_json() == b.to_json()
    app_id = next(iter(a.apps))
    assert app_id == "6400000000" and app_id.isdigit()
    newest, oldest = a.versions(app_id)
    assert (newest.version_string, oldest.version_string) == ("1.1", "1.0")
    assert newest.created_date > oldest.created_date
    assert len(newest.id) == 36 and newest.id.count("-") == 4
    assert oldest.app_store_state == "READY_FOR_SALE" and oldest.submitted
    assert not newest.submitted


def test_the_builder_refuses_typos() -> None:
    state = SandboxState()
    app_id = state.add_app("com.acme.app")
    with pytest.raises(ValueError, match="platform"):
        state.add_version(app_id, platform="ios")
    with pytest.raises(ValueError, match="app_version_state"):
        state.add_version(app_id, app_version_state="LIVE")
    with pytest.raises(ValueError, match="bundle id"):
        state.add_app("com.acme.app")
    with pytest.raises(KeyError):
        state.add_version("nope")


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    state = seed_state()
    path = tmp_path / "deep" / "state.json"
    state.save(path)
    assert SandboxState.load(path).to_json() == state.to_json()
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]  # no temp file left


def test_ids_keep_counting_after_a_reload(tmp_path: Path) -> None:
    state = SandboxState()
    first = state.add_app("com.a")
    state.save(tmp_path / "s.json")
    again = SandboxState.load(tmp_path / "s.json")
    assert again.add_app("com.b") != first


@pytest.mark.parametrize(
    "text", ["{", "[]", '{"format": 2, "apps": []}', '{"format": 1, "apps": [{"bundleId": "x"}]}']
)
def test_a_bad_state_file_is_a_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(text)
    with pytest.raises(StateFileError):
        SandboxState.load(path)


def test_a_missing_state_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StateFileError, match="cannot read"):
        SandboxState.load(tmp_path / "nope.json")


def test_a_write_killed_midway_leaves_the_old_state_readable(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    seed_state().save(path)
    before = path.read_text()
    # A child process saves a large state but is killed (os._exit) between write and replace.
    script = f"""
import os, pathlib
from reconciler.sandbox import state as module
from reconciler.sandbox import seed_state
def killed(self, target):
    os._exit(9)
module.Path.replace = killed
big = seed_state()
for n in range(2000):
    big.add_app(f"com.example.bulk{{n}}")
big.save(pathlib.Path({str(path)!r}))
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, check=False)
    assert result.returncode == 9
    assert path.read_text() == before
    assert SandboxState.load(path).to_json() == seed_state().to_json()


def test_save_uses_fsync_and_replace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        calls.append("fsync")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    SandboxState().save(tmp_path / "s.json")
    assert calls and json.loads((tmp_path / "s.json").read_text())["format"] == 1


def test_the_seed_is_the_documented_account() -> None:
    state = seed_state()
    summary = {
        (app.bundle_id, app.id, app.name): sorted(
            (v.platform, v.version_string, v.app_version_state) for v in state.versions(app.id)
        )
        for app in state
    }
    assert summary == {
        ("com.example.weather", "1234567890", "Weather"): [
            ("IOS", "2.3.0", "READY_FOR_DISTRIBUTION"),
            ("IOS", "2.3.1", "PREPARE_FOR_SUBMISSION"),
            ("MAC_OS", "2.3.0", "READY_FOR_DISTRIBUTION"),
            ("TV_OS", "1.0", "PREPARE_FOR_SUBMISSION"),
        ],
        ("com.example.weather.watch", "1234567891", "Weather for Apple Watch"): [
            ("IOS", "1.0", "READY_FOR_DISTRIBUTION"),
        ],
        ("com.example.notes", "2234567890", "Notes"): [
            ("IOS", "3.0.0", "READY_FOR_DISTRIBUTION"),
            ("IOS", "3.1.0", "PREPARE_FOR_SUBMISSION"),
            ("MAC_OS", "3.0.0", "READY_FOR_DISTRIBUTION"),
            ("MAC_OS", "3.0.1", "REJECTED"),
        ],
        ("com.example.podcasts", "3234567890", "Podcasts"): [
            ("IOS", "4.8", "READY_FOR_DISTRIBUTION"),
            ("IOS", "4.9.0", "IN_REVIEW"),
        ],
        ("com.example.chess", "4234567890", "Chess"): [
            ("IOS", "1.1", "REPLACED_WITH_NEW_VERSION"),
            ("IOS", "1.2", "READY_FOR_DISTRIBUTION"),
            ("TV_OS", "1.1", "READY_FOR_DISTRIBUTION"),
        ],
    }
    attrs = {
        (v.app_id, v.platform, v.version_string): (v.copyright, v.release_type, v.submitted)
        for v in state.version_records.values()
    }
    assert attrs["1234567890", "IOS", "2.3.0"][:2] == ("2025 Example Inc.", "AFTER_APPROVAL")
    assert attrs["1234567890", "IOS", "2.3.1"][:2] == ("2025 Example Inc.", "MANUAL")
    assert attrs["1234567890", "TV_OS", "1.0"][2] is False
    assert attrs["2234567890", "IOS", "3.1.0"][:2] == ("2026 Example Inc.", "AFTER_APPROVAL")
    assert attrs["2234567890", "MAC_OS", "3.0.1"][2] is True
    assert attrs["4234567890", "IOS", "1.2"][:2] == ("2026 Example Inc.", "AFTER_APPROVAL")


def test_the_examples_seed_is_a_link_to_the_packaged_one() -> None:
    example = REPO / "examples" / "sandbox-account.json"
    assert example.is_symlink()
    assert not example.readlink().is_absolute()
    assert example.read_text() == seed_text()


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe not utf-8",
        b'{"format": 1, "apps": [{"id": "1", "bundleId": null, "versions": []}]}',
        b'{"format": 1, "apps": [{"id": "1", "bundleId": "com.a.b", "versions": [7]}]}',
    ],
)
def test_a_damaged_state_file_is_a_state_file_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(StateFileError):
        SandboxState.load(path)


def children_state() -> SandboxState:
    state = SandboxState()
    app_id = state.add_app("com.example.kids")
    live = state.add_version(
        app_id, version_string="1.0", app_version_state="READY_FOR_DISTRIBUTION"
    )
    new = state.add_version(app_id, version_string="1.1")
    state.add_localization(live, "en-US", whats_new="Hi", promotional_text="Sale", keywords="a,b")
    state.add_localization(new, "de-DE", description="Hallo", support_url="https://example.com")
    build = state.add_build(app_id, version="1.0", number="7", uploaded_date="2026-01-02T03:00:00Z")
    state.add_build(app_id, version="1.1", number="8", processing_state="PROCESSING")
    state.attach_build(live, build)
    state.add_phased_release(live, "PAUSED")
    state.add_phased_release(new)
    return state


def test_localizations_builds_and_phased_releases_survive_a_round_trip(tmp_path: Path) -> None:
    state = children_state()
    path = tmp_path / "state.json"
    state.save(path)
    loaded = SandboxState.load(path)
    assert loaded.to_json() == state.to_json()
    live = loaded.versions(next(iter(loaded.apps)), "IOS")[-1]
    (loc,) = loaded.localizations_of(live.id)
    assert (loc.locale, loc.whats_new, loc.promotional_text) == ("en-US", "Hi", "Sale")
    build = loaded.builds[live.build_id or ""]
    assert (build.number, build.train, build.version_id) == ("7", "1.0", live.id)
    assert build.expiration_date == "2026-04-02T03:00:00Z"  # 90 days after the upload
    phased = loaded.phased_release_of(live.id)
    assert phased is not None and phased.state == "PAUSED" and phased.current_day_number == 1
    # Counters are kept: the next ids differ from every id already used.
    assert loaded.add_localization(live.id, "fr-FR") not in state.localizations


def test_the_children_builder_is_deterministic() -> None:
    assert children_state().to_json() == children_state().to_json()
    with pytest.raises(ValueError, match="already has a phased release"):
        state = children_state()
        state.add_phased_release(next(iter(state.version_records)))
    with pytest.raises(ValueError, match="processing_state"):
        children_state().add_build(next(iter(children_state().apps)), processing_state="DONE")


def test_a_state_file_from_before_children_still_loads() -> None:
    old = {
        "format": 1,
        "next_app_number": 6400000000,
        "next_version_number": 2,
        "apps": [
            {
                "id": "1",
                "bundleId": "com.example.old",
                "versions": [
                    {
                        "platform": "IOS",
                        "versionString": "1.0",
                        "appVersionState": "READY_FOR_DISTRIBUTION",
                    }
                ],
            }
        ],
    }
    state = SandboxState.from_json(old)
    (version,) = state.version_records.values()
    assert state.localizations_of(version.id) == [] and state.builds == {}
    assert state.phased_release_of(version.id) is None and version.build_id is None


def test_the_seed_has_children() -> None:
    state = seed_state()
    weather_live = next(
        v for v in state.versions("1234567890", "IOS") if v.version_string == "2.3.0"
    )
    assert [r.locale for r in state.localizations_of(weather_live.id)] == [
        "en-US",
        "de-DE",
        "fr-FR",
    ]
    assert all(r.whats_new for r in state.localizations_of(weather_live.id))
    trains = {(b.train, b.number): b.processing_state for b in state.builds_of("1234567890")}
    assert trains["2.4.0", "2040"] == "VALID" and trains["2.4.0", "2041"] == "PROCESSING"
    chess_live = next(v for v in state.versions("4234567890", "IOS") if v.version_string == "1.2")
    phased = state.phased_release_of(chess_live.id)
    assert phased is not None and phased.state == "ACTIVE"


@pytest.mark.parametrize(
    "version_extra",
    [
        {"localizations": [{"locale": "en-US", "colour": "red"}]},
        {"phasedRelease": {"phasedReleaseState": "SOMETIMES"}},
        {"build": "no-such-build"},
    ],
)
def test_damaged_children_are_state_file_errors(version_extra: dict[str, object]) -> None:
    data = {
        "format": 1,
        "apps": [
            {
                "id": "1",
                "bundleId": "com.a.b",
                "versions": [
                    {
                        "platform": "IOS",
                        "versionString": "1.0",
                        "appVersionState": "PREPARE_FOR_SUBMISSION",
                        **version_extra,
                    }
                ],
            }
        ],
    }
    with pytest.raises(StateFileError):
        SandboxState.from_json(data)
