"""plan, show and apply as a user runs them with --sandbox, in process (cwd is a fresh folder)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from reconciler.commands.plan import Output
from reconciler.commands.session import Connection
from tests.cli_run import in_fresh_folder
from tests.cli_run import run as _run

ROOT = Path(__file__).parent.parent
EXAMPLE = str(ROOT / "examples" / "releases.yaml")
ERRORS = str(ROOT / "examples" / "errors.yaml")


@pytest.fixture(autouse=True)
def _fresh_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    in_fresh_folder(tmp_path, monkeypatch)


def test_the_readme_demo_shows_a_create_a_rename_an_update_and_a_deferral(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(capsys, "plan", EXAMPLE, "--sandbox")
    assert code == 0
    assert "+ com.example.weather macos: create version 2.4.0" in out
    assert '~ version:               "2.3.1" -> "2.4.0"' in out
    assert '~ release_type: "after_approval" -> "manual"' in out
    assert "com.example.podcasts ios 5.0.0 waits for 4.9.0 (IN_REVIEW)" in out
    assert "- com.example.weather tvos: delete version 1.0" in out
    assert out.rstrip().endswith("Plan: 4 to create, 6 to update, 1 to delete. 1 deferred.")
    assert err == (
        "Used 3 API requests; rate budget 3497/3500 left this hour.\n"
        "Applying it needs about 14 requests (3 to read again, 11 writes); 3497 left this hour.\n"
    )
    assert "\x1b[" not in out  # not a terminal: no colour


def test_plan_apply_plan_converges_and_the_deferral_stays(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run(capsys, "plan", EXAMPLE, "--sandbox", "--detailed-exitcode")[0] == 2
    code, out, _ = _run(capsys, "plan", EXAMPLE, "--sandbox", "--out", "plan.json")
    assert code == 0 and Path("plan.json").exists()
    code, out, err = _run(capsys, "apply", "plan.json", "--sandbox")
    assert code == 0, err
    assert "+ com.example.weather macos 2.4.0 created (id " in out
    assert out.splitlines()[-1] == (
        "Apply complete: 4 created, 6 updated, 1 deleted, 1 deferred, 0 failed."
    )
    code, out, _ = _run(capsys, "plan", EXAMPLE, "--sandbox", "--detailed-exitcode")
    assert code == 0
    assert out.rstrip().endswith("No changes to apply. 1 deferred.")
    assert not re.search(r"^[+~-] ", out, re.MULTILINE)  # no change blocks
    _assert_the_example_was_applied(_versions())
    # Once 4.9.0 is approved (and so released: it is after_approval), the next run creates 5.0.0.
    assert _run(capsys, "sandbox", "advance", "com.example.podcasts", "ios", "approve")[0] == 0
    code, out, _ = _run(capsys, "plan", EXAMPLE, "--sandbox")
    assert "+ com.example.podcasts ios: create version 5.0.0" in out


def _versions() -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    """The sandbox account's versions by (bundle id, API platform), then by version string."""
    data = json.loads(Path(".reconciler/sandbox-state.json").read_text(encoding="utf-8"))
    found: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for app in data["apps"]:
        for version in app["versions"]:
            platform = found.setdefault((app["bundleId"], version["platform"]), {})
            platform[version["versionString"]] = version
    return found


def _assert_the_example_was_applied(versions: dict[tuple[str, str], dict[str, Any]]) -> None:
    weather_ios = versions["com.example.weather", "IOS"]
    assert sorted(weather_ios) == ["2.3.0", "2.4.0"]  # 2.3.1 was renamed, not duplicated
    assert weather_ios["2.4.0"]["releaseType"] == "SCHEDULED"
    assert weather_ios["2.4.0"]["earliestReleaseDate"] == "2026-12-01T17:00:00Z"
    assert weather_ios["2.4.0"]["copyright"] == "2026 Example Inc."
    assert sorted(versions["com.example.weather", "MAC_OS"]) == ["2.3.0", "2.4.0"]
    assert ("com.example.weather", "TV_OS") not in versions
    assert versions["com.example.notes", "IOS"]["3.1.0"]["releaseType"] == "MANUAL"
    assert "5.0.0" not in versions["com.example.podcasts", "IOS"]  # deferred
    assert sorted(versions["com.example.podcasts", "VISION_OS"]) == ["1.0"]
    chess_tv = versions["com.example.chess", "TV_OS"]["1.2"]
    assert chess_tv["copyright"] == "2026 Example Chess Club"
    assert chess_tv["appVersionState"] == "PREPARE_FOR_SUBMISSION"


def test_a_saved_plan_is_refused_once_app_store_connect_moved(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _run(capsys, "plan", EXAMPLE, "--sandbox", "--out", "plan.json")
    state = Path(".reconciler/sandbox-state.json")
    assert _run(capsys, "sandbox", "advance", "com.example.notes", "ios", "submit")[0] == 0
    before = state.read_bytes()
    code, out, err = _run(capsys, "apply", "plan.json", "--sandbox")
    assert code == 1 and out == ""
    assert "stale plan" in err
    assert "com.example.notes ios 3.1.0" in err
    assert 'state "PREPARE_FOR_SUBMISSION" -> "WAITING_FOR_REVIEW"' in err  # JSON values
    assert state.read_bytes() == before  # nothing was written


def test_a_release_note_edited_in_the_web_interface_makes_the_saved_plan_stale(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _run(capsys, "plan", EXAMPLE, "--sandbox", "--out", "plan.json")
    state = Path(".reconciler/sandbox-state.json")
    data = json.loads(state.read_text(encoding="utf-8"))
    weather = next(a for a in data["apps"] if a["bundleId"] == "com.example.weather")
    editable = next(v for v in weather["versions"] if v["versionString"] == "2.3.1")
    german = next(loc for loc in editable["localizations"] if loc["locale"] == "de-DE")
    german["whatsNew"] = "Von Hand geschrieben."  # someone typed it into App Store Connect
    state.write_text(json.dumps(data), encoding="utf-8")
    before = state.read_bytes()
    code, out, err = _run(capsys, "apply", "plan.json", "--sandbox")
    assert code == 1 and out == ""
    assert "stale plan" in err
    assert (
        "com.example.weather localization de-DE of ios 2.3.1: release_notes null -> "
        '"Von Hand geschrieben."'
    ) in err
    assert state.read_bytes() == before  # nothing was written


def test_a_hand_edited_plan_file_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys, "plan", EXAMPLE, "--sandbox", "--out", "plan.json")
    saved = json.loads(Path("plan.json").read_text())
    saved["plan"]["changes"][0]["after"]["version"] = "9.9.9"
    Path("plan.json").write_text(json.dumps(saved))
    code, _, err = _run(capsys, "apply", "plan.json", "--sandbox")
    assert code == 1 and "changed after it was saved" in err
    Path("plan.json").write_text("{}")
    assert "not a plan file" in _run(capsys, "show", "plan.json")[2]


def test_show_renders_a_saved_plan_without_requests(capsys: pytest.CaptureFixture[str]) -> None:
    _, planned, _ = _run(capsys, "plan", EXAMPLE, "--sandbox", "--out", "plan.json")
    Path(".reconciler/sandbox-state.json").unlink()  # show must not need the account
    code, shown, err = _run(capsys, "show", "plan.json")
    assert code == 0 and shown == planned and err == ""
    code, as_json, _ = _run(capsys, "show", "plan.json", "--format", "json")
    report = json.loads(as_json)
    assert report["format_version"] == "1" and report["summary"]["create"] == 4


def test_errors_exit_1_and_become_annotations_at_the_app(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, err = _run(capsys, "plan", ERRORS, "--sandbox", "--format", "markdown")
    assert code == 1
    assert out.startswith("## App Store Connect plan") and "::error" not in out
    assert f"::error file={ERRORS},line=7,col=3::apps.com.example.chess.ios: version 1.0" in err
    assert summary.read_text().startswith("## App Store Connect plan")


def test_targets_narrow_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "plan", EXAMPLE, "--sandbox", "--target", "com.example.weather:macos"
    )
    assert code == 0
    assert out.startswith("! Partial plan")
    assert "Plan: 1 to create, 0 to update, 0 to delete." in out
    code, _, err = _run(capsys, "plan", EXAMPLE, "--sandbox", "--target", "com.example.nope")
    assert code == 1 and "not an app of the manifest" in err
    code, _, err = _run(
        capsys, "plan", EXAMPLE, "--sandbox", "--target", "com.example.chess:android"
    )
    assert code == 1 and "unknown platform" in err


def test_apply_without_a_terminal_needs_auto_approve(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "apply", EXAMPLE, "--sandbox")
    assert code == 1 and "--auto-approve" in err
    code, out, _ = _run(capsys, "plan", EXAMPLE, "--sandbox")
    assert "Plan: 4 to create" in out  # nothing was applied
    code, out, _ = _run(capsys, "apply", EXAMPLE, "--sandbox", "--auto-approve", "--format", "json")
    report = json.loads(out)  # one JSON document: the plan is not printed before it
    assert code == 0
    assert report["summary"] == {
        "created": 4,
        "updated": 6,
        "deleted": 1,
        "submitted": 0,
        "released": 0,
        "deferred": 1,
        "failed": 0,
        "skipped": 0,
        "errors": 0,
    }
    statuses = sorted(r["status"] for r in report["results"])
    assert statuses == ["deferred"] + ["done"] * 11
    code, out, _ = _run(capsys, "apply", EXAMPLE, "--sandbox")
    assert code == 0 and "Apply complete: 0 created" in out  # nothing to do: no prompt needed


def test_the_prompt_accepts_only_yes(capsys: pytest.CaptureFixture[str]) -> None:
    from reconciler.commands.apply import PROMPT, ApplyOptions, apply

    asked: list[str] = []
    options = ApplyOptions(paths=[Path(EXAMPLE)], interactive=True)
    for answer, expected in (("y", 1), ("YES please", 1), ("yes", 0)):
        out, err = _Buffer(), _Buffer()

        def confirm(prompt: str, answer: str = answer) -> str:
            asked.append(prompt)
            return answer

        code = apply(
            options, Connection({}, sandbox=True, cwd=Path()), Output(out, err), confirm=confirm
        )
        assert code == expected, (answer, err.getvalue())
    assert asked == ["\n" + PROMPT] * 3


def test_missing_credentials_name_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ASC_KEY_ID", "ASC_ISSUER_ID", "ASC_PRIVATE_KEY", "ASC_PRIVATE_KEY_PATH"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = _run(capsys, "plan", EXAMPLE)
    assert code == 1 and "ASC_KEY_ID" in err and "Traceback" not in err


class _Buffer:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def getvalue(self) -> str:
        return "".join(self.parts)


def test_a_saved_plan_of_a_manifest_that_leaves_keys_out_applies(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("releases.yaml").write_text(
        "format: 1\napps:\n"
        "  com.example.notes:\n    ios:\n      version: '3.1.0'\n      release_type: manual\n"
        "  com.example.chess:\n    ios:\n      version: '1.2'\n"
    )
    assert _run(capsys, "plan", "--sandbox", "--out", "plan.json")[0] == 0
    code, out, err = _run(capsys, "apply", "plan.json", "--sandbox")
    assert code == 0, err
    assert out.splitlines()[-1].startswith("Apply complete: 0 created, 1 updated")


def test_apply_of_a_plan_with_errors_says_what_was_not_applied(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("m.yaml").write_text(
        "format: 1\napps:\n  com.example.chess:\n    ios: {version: '1.0'}\n"
        "  com.example.notes:\n    ios: {version: '3.1.0', release_type: manual}\n"
    )
    assert _run(capsys, "plan", "m.yaml", "--sandbox", "--out", "p.tfplan")[0] == 1
    code, out, _ = _run(capsys, "apply", "p.tfplan", "--sandbox", "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["summary"]["updated"] == 1 and report["summary"]["errors"] == 1
    assert report["errors"][0]["rule"] == "version-not-greater"


def test_the_plan_errors_are_listed_after_an_apply(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "apply", ERRORS, "--sandbox")
    assert code == 1
    assert "✗ com.example.chess ios 1.0: not applied: version 1.0 must be greater" in out
    assert out.splitlines()[-1].endswith("7 plan errors (not applied).")


def test_ctrl_d_at_the_prompt_cancels(capsys: pytest.CaptureFixture[str]) -> None:
    from reconciler.commands.apply import ApplyOptions, apply

    def no_answer(prompt: str) -> str:
        raise EOFError

    out, err = _Buffer(), _Buffer()
    options = ApplyOptions(paths=[Path(EXAMPLE)], interactive=True)
    code = apply(
        options, Connection({}, sandbox=True, cwd=Path()), Output(out, err), confirm=no_answer
    )
    assert code == 1 and "Apply cancelled" in err.getvalue()


def test_an_invalid_manifest_is_annotated_by_plan_too(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    Path("m.yaml").write_text(
        "format: 1\napps:\n  com.example.notes:\n    ios:\n      versoin: '3'\n"
    )
    code, _, err = _run(capsys, "plan", "m.yaml", "--sandbox")
    assert code == 1
    assert (
        "::error file=m.yaml,line=5,col=7::apps.com.example.notes.ios.versoin: unknown key" in err
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["plan", EXAMPLE, "--sandbox", "--target", "com.example.notes:macos"],
            "does not manage macos",
        ),
        (["plan", EXAMPLE, "--sandbox", "--target", ""], "is not an app of the manifest"),
        (["plan", EXAMPLE, "--sandbox", "--out", "."], "cannot write ."),
        (
            ["apply", EXAMPLE, "--sandbox", "--read-back-seconds", "inf"],
            "must be between 0 and 3600",
        ),
        (["sandbox", "serve", "--port", "70000"], "must be between 0 and 65535"),
        (["schema", "--out", "."], "cannot write ."),
    ],
)
def test_bad_input_is_an_error_not_a_bug(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = _run(capsys, *argv)
    assert code == 1 and message in err and "unexpected error" not in err


def test_an_unwritable_step_summary_is_a_warning(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "/nonexistent/folder/summary.md")
    code, out, err = _run(capsys, "plan", EXAMPLE, "--sandbox")
    assert code == 0 and "Plan: 4 to create" in out
    assert "warning: cannot append to GITHUB_STEP_SUMMARY" in err


def test_a_sandbox_folder_that_cannot_be_made_is_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path(".reconciler").write_text("a file where the folder should be")
    code, _, err = _run(capsys, "plan", EXAMPLE, "--sandbox")
    assert code == 1 and "cannot keep the sandbox account" in err


def test_a_bad_base_url_is_an_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    monkeypatch.setenv("ASC_KEY_ID", "ABCDE12345")
    monkeypatch.setenv("ASC_PRIVATE_KEY", pem.decode())
    monkeypatch.setenv("ASC_API_BASE_URL", "http://[::1")
    code, _, err = _run(capsys, "plan", EXAMPLE)
    assert code == 1 and "ASC_API_BASE_URL is not an http(s) URL" in err


def test_plan_says_what_apply_will_need_and_apply_refuses_what_the_budget_cannot_hold(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from reconciler.sandbox import SandboxApp, SandboxServer, seed_state

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    app = SandboxApp(seed_state(), hourly_limit=6)
    with SandboxServer(app, port=0) as server:
        server.start()
        monkeypatch.setenv("ASC_API_BASE_URL", server.url)
        monkeypatch.setenv("ASC_KEY_ID", "ABCDE12345")
        monkeypatch.setenv("ASC_PRIVATE_KEY", pem.decode())
        code, _, err = _run(capsys, "plan", EXAMPLE)
        assert code == 0
        assert "Applying it needs about 14 requests (3 to read again, 11 writes); 3 left" in err
        assert "not enough, apply would be refused" in err
        writes_before = [e for e in app.request_log if e[0] != "GET"]
        code, _, err = _run(capsys, "apply", EXAMPLE, "--auto-approve")
    assert code == 1
    assert "this apply needs about 13 requests" in err and "0 left this hour" in err
    assert "--wait-for-budget" in err
    assert [e for e in app.request_log if e[0] != "GET"] == writes_before  # nothing written


def test_a_processing_build_is_deferred_until_the_sandbox_finishes_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("build.yaml").write_text(
        'format: 1\napps:\n  com.example.weather:\n    ios:\n      version: "2.4.0"\n'
        '      build: "2041"\n'
    )
    code, out, _ = _run(capsys, "plan", "build.yaml", "--sandbox")
    assert code == 0
    assert (
        "com.example.weather ios 2.4.0: build 2041 of 2.4.0 is processing; apply skips it, "
        "a later run attaches it once it is processed."
    ) in out
    code, out, _ = _run(
        capsys, "sandbox", "advance", "com.example.weather", "ios", "process", "--build", "2041"
    )
    assert code == 0 and "(2041): PROCESSING -> VALID" in out
    code, out, _ = _run(capsys, "apply", "build.yaml", "--sandbox", "--auto-approve")
    assert code == 0, out
    assert "~ com.example.weather ios: update build of 2.4.0" in out
    assert '~ build: null -> "2041"' in out
    code, out, _ = _run(capsys, "plan", "build.yaml", "--sandbox")
    assert code == 0 and "No changes." in out
    code, _, err = _run(
        capsys, "sandbox", "advance", "com.example.weather", "ios", "process", "--build", "9"
    )
    assert code == 1 and "no build 9 in PROCESSING" in err
