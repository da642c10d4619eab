"""`reconciler import` as a user runs it with --sandbox, in process (cwd is a fresh folder).

The acceptance test of the issue is the first one: import the demo account, and a plan of the
file says "No changes". The others are what must not surprise: no writes to App Store
Connect, no file overwritten, an unknown bundle id named with a near miss.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.cli_run import in_fresh_folder
from tests.cli_run import run as _run

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "releases.yaml"
STATE = Path(".reconciler") / "sandbox-state.json"


@pytest.fixture(autouse=True)
def _fresh_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    in_fresh_folder(tmp_path, monkeypatch)


def _state_digest() -> str:
    return hashlib.sha256(STATE.read_bytes()).hexdigest()


def test_import_all_then_plan_says_no_changes_and_nothing_was_written(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _run(capsys, "sandbox", "reset")
    before = _state_digest()
    code, out, err = _run(capsys, "import", "--all", "--sandbox", "--out", "releases.yaml")
    assert code == 0, err
    assert out == ""
    assert "Imported 5 apps (9 platform entries) into releases.yaml" in err
    assert "Used 6 API requests" in err
    assert _state_digest() == before  # import never writes to App Store Connect
    text = Path("releases.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=schemas/manifest.schema.json\n")
    code, out, err = _run(capsys, "plan", "releases.yaml", "--sandbox")
    assert (code, out.strip()) == (0, "No changes. App Store Connect matches the manifest."), err


def test_named_apps_go_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "import", "com.example.notes", "--sandbox")
    assert code == 0, err
    assert "  com.example.notes:\n" in out and "com.example.weather" not in out
    assert "    ios:  # PREPARE_FOR_SUBMISSION\n" in out
    assert "    macos:  # REJECTED\n" in out


def test_an_existing_file_is_not_overwritten_without_force(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("releases.yaml").write_text("mine\n", encoding="utf-8")
    code, _, err = _run(capsys, "import", "--all", "--sandbox", "--out", "releases.yaml")
    assert code == 1
    assert "releases.yaml exists: refresh it with --update, or replace it with --force" in err
    assert Path("releases.yaml").read_text(encoding="utf-8") == "mine\n"
    code, _, err = _run(capsys, "import", "--all", "--sandbox", "--out", "releases.yaml", "--force")
    assert code == 0, err
    assert Path("releases.yaml").read_text(encoding="utf-8").startswith("# yaml-language-server")


def test_an_unknown_bundle_id_is_named_with_a_near_miss(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "import", "com.example.wether", "com.example.nope", "--sandbox")
    assert code == 1 and out == ""
    assert (
        "no app with bundle id com.example.wether in App Store Connect "
        "(did you mean com.example.weather?)" in err
    )
    assert "com.example.nope in App Store Connect" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["import", "--sandbox"], "name the apps (BUNDLE_ID ...), or pass --all"),
        (["import", "--all", "com.example.notes", "--sandbox"], "not both"),
        (["import", "--all", "--update", "missing.yaml", "--sandbox"], "not a file to refresh"),
    ],
)
def test_usage_mistakes_are_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = _run(capsys, *argv)
    assert code == 1 and message in err, err


def test_update_alone_refreshes_the_apps_the_file_declares(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("releases.yaml").write_bytes(EXAMPLE.read_bytes())
    code, _, err = _run(capsys, "import", "--update", "releases.yaml", "--sandbox")
    assert code == 0, err
    assert "Imported 4 apps" in err
    text = Path("releases.yaml").read_text(encoding="utf-8")
    assert text.startswith(EXAMPLE.read_text(encoding="utf-8")[:600])  # header and defaults
    assert "com.example.weather.watch" not in text  # not declared, not asked for
    code, out, err = _run(capsys, "plan", "releases.yaml", "--sandbox")
    assert (code, out.strip()) == (0, "No changes. App Store Connect matches the manifest."), err


def test_update_of_a_broken_file_names_its_problem_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("broken.yaml").write_text("format: 1\napps:\n  com.example.notes:\n    ios: 3\n")
    code, _, err = _run(capsys, "import", "--update", "broken.yaml", "--sandbox")
    assert code == 1
    assert "broken.yaml:4:" in err
    assert Path("broken.yaml").read_text() == "format: 1\napps:\n  com.example.notes:\n    ios: 3\n"


def test_split_writes_one_file_per_app_that_plans_no_changes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _run(capsys, "import", "--all", "--split", "apps", "--sandbox")
    assert code == 0, err
    names = sorted(p.name for p in Path("apps").iterdir())
    assert names == ["chess.yaml", "notes.yaml", "podcasts.yaml", "watch.yaml", "weather.yaml"]
    weather = (Path("apps") / "weather.yaml").read_text(encoding="utf-8")
    assert weather.startswith("# yaml-language-server: $schema=../schemas/manifest.schema.json")
    code, out, err = _run(capsys, "plan", "apps", "--sandbox")
    assert (code, out.strip()) == (0, "No changes. App Store Connect matches the manifest."), err
    code, _, err = _run(capsys, "import", "--all", "--split", "apps", "--sandbox")
    assert code == 1 and "replace with --force" in err


def test_the_readme_shows_what_import_writes_for_the_demo_account(
    capsys: pytest.CaptureFixture[str],
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = "reconciler import com.example.weather com.example.chess --sandbox"
    assert f"(`{command}`):\n\n```yaml\n" in readme
    shown = readme.split(f"(`{command}`):\n\n```yaml\n", 1)[1].split("```\n", 1)[0]
    code, out, err = _run(capsys, *command.split()[1:])
    assert code == 0, err
    assert out == shown
