"""A saved plan that submits is stale once someone else touched the review submissions (a
draft made by hand in App Store Connect): apply writes nothing and says what moved."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_run import in_fresh_folder
from tests.cli_run import run as _run

MANIFEST = """\
format: 1
apps:
  com.example.weather:
    ios:
      version: "2.4.0"
      build: "2040"
      release_notes: {default: "Bug fixes."}
      submit: true
"""


@pytest.fixture(autouse=True)
def _fresh_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    in_fresh_folder(tmp_path, monkeypatch)
    Path("releases.yaml").write_text(MANIFEST, encoding="utf-8")


def test_submit_plans_applies_and_a_rerun_plans_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "plan", "releases.yaml", "--sandbox")
    assert "» com.example.weather ios: submit version 2.4.0 for review" in out
    code, out, err = _run(capsys, "apply", "releases.yaml", "--sandbox", "--auto-approve")
    assert code == 0, err
    assert "» com.example.weather ios version 2.4.0 for review submitted" in out
    code, out, _ = _run(capsys, "plan", "releases.yaml", "--sandbox")
    assert (code, out.strip()) == (0, "No changes. App Store Connect matches the manifest.")


def test_a_saved_submit_is_stale_once_the_version_was_submitted_by_hand(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # First the notes and the build, so that the saved plan is the submission alone.
    Path("releases.yaml").write_text(MANIFEST.replace("      submit: true\n", ""))
    _run(capsys, "apply", "releases.yaml", "--sandbox", "--auto-approve")
    state = Path(".reconciler/sandbox-state.json")
    Path("releases.yaml").write_text(MANIFEST)
    _run(capsys, "plan", "releases.yaml", "--sandbox", "--out", "plan.json")
    code, _, err = _run(capsys, "sandbox", "advance", "com.example.weather", "ios", "submit")
    assert code == 0, err
    before = state.read_bytes()
    code, _, err = _run(capsys, "apply", "plan.json", "--sandbox")
    assert code == 1 and "stale plan" in err, err
    assert "review submission" in err
    assert state.read_bytes() == before
