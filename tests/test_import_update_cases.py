"""`import --update` and `import` on what a review found (each case a reproduction): a
person's file keeps what already means the same, odd values Apple holds are left out rather
than crashing, and the file on disk keeps its line ends, mode and link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.import_update import update_document
from reconciler.import_yaml import new_document
from reconciler.importer import ImportedApp, ImportedPlatform, imported_apps
from reconciler.loader import load_text
from reconciler.manifest import Platform
from reconciler.sandbox import seed_state
from reconciler.state import (
    RemoteApp,
    RemoteBuild,
    RemoteLocalization,
    RemoteState,
    RemoteVersion,
    VersionChildren,
)
from tests.cli_run import in_fresh_folder
from tests.test_import_yaml import assert_no_changes, imported, plan_of

LIVE = "READY_FOR_DISTRIBUTION"


def _entry(state: str = "PREPARE_FOR_SUBMISSION", **values: object) -> ImportedPlatform:
    return ImportedPlatform(state, {"version": "2.0", **values}, locales=("en-US",))


def _app(**platforms: ImportedPlatform) -> ImportedApp:
    return ImportedApp(
        "com.example.app", "1000000001", {Platform(p): e for p, e in platforms.items()}
    )


# --- what a person wrote stays --------------------------------------------------------------


def test_absent_stays_where_nothing_is_editable() -> None:
    text = "format: 1\napps:\n  com.example.app:\n    tvos: absent  # we never ship on tvOS\n"
    after = update_document(text, [_app(tvos=_entry(LIVE))])
    assert "    tvos: absent  # we never ship on tvOS\n" in after


def test_absent_is_replaced_where_it_would_delete_the_editable_version() -> None:
    text = "format: 1\napps:\n  com.example.app:\n    tvos: absent\n"
    after = update_document(text, [_app(tvos=_entry("PREPARE_FOR_SUBMISSION"))])
    assert '    tvos:  # PREPARE_FOR_SUBMISSION\n      version: "2.0"\n' in after


def test_a_persons_one_word_comment_on_a_platform_key_stays() -> None:
    for comment in ("# TODO", "# FROZEN (live)", "#\tPREPARE"):
        text = f'format: 1\napps:\n  com.example.app:\n    ios:  {comment}\n      version: "2.0"\n'
        assert f"    ios:  {comment}\n" in update_document(text, [_app(ios=_entry())])


def test_our_state_comment_is_refreshed() -> None:
    text = (
        "format: 1\napps:\n  com.example.app:\n"
        '    ios:  # WAITING_FOR_REVIEW\n      version: "2.0"\n'
    )
    after = update_document(text, [_app(ios=_entry())])
    assert "    ios:  # PREPARE_FOR_SUBMISSION\n" in after


def test_a_flow_entry_that_already_matches_is_left_as_written() -> None:
    line = '    ios: {version: "2.0", release_type: manual}  # pinned by Ana\n'
    text = f"format: 1\napps:\n  com.example.app:\n    app_id: '1000000001'\n{line}"
    assert update_document(text, [_app(ios=_entry(release_type="manual"))]) == text


@pytest.mark.parametrize("written", ["complete", "false"])
def test_a_finished_rollout_written_as_complete_or_false_stays(written: str) -> None:
    text = (
        "format: 1\napps:\n  com.example.app:\n    app_id: '1000000001'\n"
        f'    ios:  # READY_FOR_DISTRIBUTION (live)\n      version: "2.0"\n'
        f"      phased_release: {written}  # finished on day 5\n"
    )
    entry = ImportedPlatform(LIVE, {"version": "2.0"}, rollout="COMPLETE")
    assert update_document(text, [_app(ios=entry)]) == text


def test_a_replaced_block_scalar_keeps_the_blank_line_and_comment_after_it() -> None:
    text = (
        "format: 1\napps:\n  com.example.app:\n    app_id: '1000000001'\n"
        '    ios:  # PREPARE_FOR_SUBMISSION\n      version: "2.0"\n'
        "      promotional_text:\n        en-US: |-\n          old\n          text\n\n"
        "      # keep me\n"
    )
    after = update_document(text, [_app(ios=_entry(promotional_text={"en-US": "new"}))])
    assert after.endswith('        en-US: "new"\n\n      # keep me\n')


def test_apps_indented_differently_each_keep_their_own_indentation() -> None:
    state = seed_state()
    text = (
        'format: 1\napps:\n  com.example.chess:\n    ios:\n      version: "1.2"\n'
        '  com.example.weather:\n      ios:\n          version: "2.3.1"\n'
    )
    after = update_document(text, imported(state, ["com.example.chess", "com.example.weather"]))
    assert '      app_id: "1234567890"\n      ios:  # PREPARE_FOR_SUBMISSION\n' in after
    assert_no_changes(plan_of(state, load_text(after, "m.yaml")))


def test_a_bundle_id_in_other_letter_case_is_spelled_as_apple_does() -> None:
    state = seed_state()
    text = 'format: 1\napps:\n  com.example.Weather:   # ours\n    ios:\n      version: "2.3.1"\n'
    after = update_document(text, imported(state, ["com.example.weather"]))
    assert "  com.example.weather:   # ours\n" in after
    assert_no_changes(plan_of(state, load_text(after, "m.yaml")))


def test_an_empty_flow_apps_as_import_writes_it_takes_new_apps() -> None:
    state = seed_state()
    text = new_document([], schema="s.json")
    after = update_document(text, imported(state, ["com.example.chess"]))
    assert "apps:  # the account has no apps this key can see\n  com.example.chess:\n" in after
    assert_no_changes(plan_of(state, load_text(after, "m.yaml")))


def test_a_non_empty_flow_apps_is_refused_in_words() -> None:
    text = 'format: 1\napps: {com.example.app: {ios: {version: "1.2"}}}\n'
    with pytest.raises(ValueError, match="flow style"):
        update_document(text, [_app(ios=_entry())])


def test_our_no_version_comment_goes_once_the_platform_has_one() -> None:
    text = (
        "format: 1\napps:\n  com.example.app:\n    app_id: '1000000001'\n"
        "    # macos: no App Store version yet\n"
    )
    after = update_document(text, [_app(macos=_entry())])
    assert "no App Store version yet" not in after
    assert "    macos:  # PREPARE_FOR_SUBMISSION\n" in after


# --- odd values Apple holds -----------------------------------------------------------------


def test_values_a_manifest_cannot_hold_are_left_out_with_a_comment_and_a_warning() -> None:
    def version(vid: str, string: str, **more: object) -> RemoteVersion:
        return RemoteVersion(id=vid, platform="IOS", version_string=string, **more)  # type: ignore[arg-type]

    long_notes = RemoteLocalization(id="l1", locale="en-US", whats_new="n" * 4500)
    odd = RemoteApp(
        id="abc",
        bundle_id="com.example.odd",
        versions=(
            version("v1", "1.0", state=LIVE),
            version(
                "v2",
                "1.1",
                state="PREPARE_FOR_SUBMISSION",
                release_type="SCHEDULED",
                earliest_release_date="2026-12-20T17:30:00Z",
                children=VersionChildren(
                    localizations=(long_notes,),
                    build=RemoteBuild(id="b", number="1.2.3.4.5", train="1.1", platform="IOS"),
                ),
            ),
        ),
    )
    tv = RemoteVersion(id="t1", platform="TV_OS", version_string="2.3.1b", state=LIVE)
    odd = odd.model_copy(update={"versions": (*odd.versions, tv)})
    bad_id = RemoteApp(id="5", bundle_id="com.example.my_chess")
    [refused, app] = imported_apps(RemoteState(apps={a.bundle_id: a for a in (odd, bad_id)}))
    text = new_document([app, refused], schema="s.json")
    manifest = load_text(text, "odd.yaml")  # loads: nothing it cannot hold was written
    assert list(manifest.apps) == ["com.example.odd"]
    assert "app_id" not in text  # "abc" is no app id
    warnings = app.warnings() + refused.warnings()
    assert any("tvos: left out: version '2.3.1b'" in w for w in warnings), warnings
    assert any("build '1.2.3.4.5'" in w for w in warnings), warnings
    assert any("release_notes of en-US" in w for w in warnings), warnings
    assert any("release_type 'scheduled'" in w for w in warnings), warnings
    assert refused.warnings() == [
        "com.example.my_chess: left out: 'com.example.my_chess' is not a bundle id a manifest "
        "can hold"
    ]
    assert "    # left out: build '1.2.3.4.5'" in text


# --- the file on disk -----------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return in_fresh_folder(tmp_path, monkeypatch)


def _import(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["import", *argv, "--sandbox"])
    return code, capsys.readouterr().err


def test_crlf_a_byte_order_mark_the_mode_and_a_symlink_are_kept(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = folder / "real.yaml"
    real.write_bytes(
        b"\xef\xbb\xbfformat: 1\r\napps:\r\n  com.example.notes:\r\n"
        b'    ios:\r\n      version: "3.0"\r\n'
    )
    real.chmod(0o664)
    (folder / "link.yaml").symlink_to(real)
    code, err = _import(capsys, "--update", "link.yaml")
    assert code == 0, err
    data = real.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfformat: 1\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b'version: "3.1.0"\r\n' in data
    assert (real.stat().st_mode & 0o777) == 0o664
    assert (folder / "link.yaml").is_symlink()


def test_new_files_get_the_umask_mode(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = os.umask(0o022)
    try:
        assert _import(capsys, "--all", "--out", "new.yaml")[0] == 0
    finally:
        os.umask(old)
    assert ((folder / "new.yaml").stat().st_mode & 0o777) == 0o644


def test_update_refuses_a_file_past_the_size_bound(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = folder / "big.yaml"
    big.write_text("format: 1\napps: {}\n" + "# padding\n" * 300_000, encoding="utf-8")
    before = big.read_bytes()
    code, err = _import(capsys, "--update", "big.yaml", "com.example.notes")
    assert code == 1 and "larger than 2 MiB" in err
    assert big.read_bytes() == before


def test_split_writes_nothing_when_a_folder_is_in_the_way(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "sp" / "notes.yaml").mkdir(parents=True)
    code, err = _import(capsys, "--all", "--split", "sp", "--force")
    assert code == 1 and "a folder is in the way" in err
    assert sorted(p.name for p in (folder / "sp").iterdir()) == ["notes.yaml"]
    (folder / "afile").write_text("x", encoding="utf-8")
    code, err = _import(capsys, "--all", "--split", "afile")
    assert code == 1 and "afile is not a folder" in err


def test_did_you_mean_ignores_letter_case(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _import(capsys, "COM.EXAMPLE.CHES")
    assert code == 1 and "(did you mean com.example.chess?)" in err


def test_one_changed_locale_leaves_the_other_locales_as_written() -> None:
    text = (
        "format: 1\napps:\n  com.example.app:\n    app_id: '1000000001'\n"
        '    ios:  # PREPARE_FOR_SUBMISSION\n      version: "2.0"\n'
        "      promotional_text:   # reviewed by legal\n"
        "        # German copy from the agency\n"
        "        de-DE: 'Jetzt neu.'   # approved\n"
        "        en-US: Old text.\n"
        "        fr-FR: >-\n          Nouveau\n          texte.\n"
    )
    wanted = {"de-DE": "Jetzt neu.", "en-US": "New text.", "fr-FR": "Nouveau texte.", "ja": "新"}
    entry = ImportedPlatform(
        "PREPARE_FOR_SUBMISSION",
        {"version": "2.0", "promotional_text": wanted},
        locales=("de-DE", "en-US", "fr-FR", "ja"),
    )
    after = update_document(text, [_app(ios=entry)])
    assert after == text.replace("        en-US: Old text.\n", '        en-US: "New text."\n') + (
        '        ja: "新"\n'
    )
