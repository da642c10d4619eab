"""`release: true` as a user runs it with --sandbox, in process: the release waits for App
Review, is planned once the version waits for the developer, and a saved plan of it is stale
once someone released the version by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_run import in_fresh_folder
from tests.cli_run import run as _run

MANIFEST = """\
format: 1
apps:
  com.example.notes:
    ios:
      version: "3.1.0"
      release_type: manual
      release: true
"""
STATE = Path(".reconciler") / "sandbox-state.json"


@pytest.fixture(autouse=True)
def _fresh_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    in_fresh_folder(tmp_path, monkeypatch)
    Path("releases.yaml").write_text(MANIFEST, encoding="utf-8")


def _advance(capsys: pytest.CaptureFixture[str], *actions: str) -> None:
    for action in actions:
        code, _, err = _run(capsys, "sandbox", "advance", "com.example.notes", "ios", action)
        assert code == 0, err


def test_the_release_waits_for_app_review_then_is_planned(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(capsys, "plan", "releases.yaml", "--sandbox")
    assert code == 0
    assert "… com.example.notes ios 3.1.0: 3.1.0 is PREPARE_FOR_SUBMISSION: waiting for" in out
    assert _run(capsys, "apply", "releases.yaml", "--sandbox", "--auto-approve")[0] == 0
    _advance(capsys, "submit", "review")
    code, out, _ = _run(capsys, "plan", "releases.yaml", "--sandbox")
    assert "3.1.0 is IN_REVIEW: waiting for App Review's approval" in out
    _advance(capsys, "approve")
    code, out, _ = _run(capsys, "plan", "releases.yaml", "--sandbox", "--format", "json")
    document = json.loads(out)
    assert [(c["kind"], c["action"]) for c in document["changes"]] == [("release", "create")]
    code, out, _ = _run(capsys, "plan", "releases.yaml", "--sandbox")
    assert "» com.example.notes ios: release version 3.1.0" in out
    assert "1 to release." in out
    code, out, err = _run(capsys, "apply", "releases.yaml", "--sandbox", "--auto-approve")
    assert code == 0, err
    assert "» com.example.notes ios version 3.1.0 released (id " in out
    assert "confirmed by reading back" in out
    assert "1 released" in out
    code, out, _ = _run(capsys, "plan", "releases.yaml", "--sandbox")
    assert (code, out.strip()) == (0, "No changes. App Store Connect matches the manifest.")


def test_a_saved_release_is_stale_once_the_version_was_released_by_hand(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run(capsys, "apply", "releases.yaml", "--sandbox", "--auto-approve")[0] == 0
    _advance(capsys, "submit", "approve")
    _run(capsys, "plan", "releases.yaml", "--sandbox", "--out", "plan.json")
    _advance(capsys, "release")  # someone pressed the button in App Store Connect
    before = STATE.read_bytes()
    code, out, err = _run(capsys, "apply", "plan.json", "--sandbox")
    assert code == 1 and out == ""
    assert "stale plan" in err
    assert '"PENDING_DEVELOPER_RELEASE" -> "READY_FOR_DISTRIBUTION"' in err
    assert STATE.read_bytes() == before
    code, out, _ = _run(capsys, "plan", "releases.yaml", "--sandbox")
    assert (code, out.strip()) == (0, "No changes. App Store Connect matches the manifest.")
