"""The command line as a user meets it: exit codes, output formats, annotations, speed of --help."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import reconciler
from reconciler.cli import main
from reconciler.exit_codes import ExitCode

ROOT = Path(__file__).parent.parent
INVALID = ROOT / "tests" / "manifests" / "invalid"


def test_version_and_public_api() -> None:
    assert reconciler.__all__ == ["__version__"]
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == f"reconciler {reconciler.__version__}"


def test_help_lists_every_command_and_imports_no_heavy_library() -> None:
    code = (
        "import sys\nfrom reconciler.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "names = ('pydantic', 'httpx', 'ruamel', 'jwt', 'deepdiff')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "HEAVY []" in result.stdout
    for command in ("validate", "schema", "plan", "apply", "show", "sandbox"):
        assert f"    {command} " in result.stdout


def test_validate_a_valid_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT / "examples" / "releases.yaml")]) == 0
    assert capsys.readouterr().out == "4 apps, 7 platform entries, valid\n"


def test_validate_lists_every_problem_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(INVALID / "many_problems_at_once.yaml")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 5 and out[-1] == "4 problems found; the manifest is not valid."


def test_validate_json(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert main(["validate", "--format", "json", str(INVALID / "unknown_key_typo.yaml")]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report == {
        "valid": False,
        "errors": [
            {
                "file": str(INVALID / "unknown_key_typo.yaml"),
                "line": 6,
                "column": 7,
                "path": "apps.com.example.app.ios.relase_type",
                "message": "unknown key (did you mean 'release_type'?)",
            }
        ],
    }
    assert main(["validate", "--format", "json", str(ROOT / "examples" / "releases.yaml")]) == 0
    assert json.loads(capsys.readouterr().out) == {"valid": True, "errors": []}


def test_github_annotations_are_escaped_and_capped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    apps = "".join(f"  com.example.a{i}:\n    ios: {{version: '1.2.3.4'}}\n" for i in range(12))
    path = tmp_path / "100%,a:b.yaml"
    path.write_text("format: 1\napps:\n" + apps)
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert "::" not in captured.out
    lines = [line for line in captured.err.splitlines() if line.startswith("::")]
    assert len(lines) == 11
    assert lines[0].startswith(
        f"::error file={tmp_path}/100%25%2Ca%3Ab.yaml,line=4,col=20::"
        "apps.com.example.a0.ios.version:"
    )
    assert lines[-1] == "::error::2 more problems not annotated"


def test_annotation_messages_escape_newlines_and_percent() -> None:
    from reconciler.annotations import error_annotations
    from reconciler.errors import Problem

    [line] = error_annotations([Problem("f.yaml", 1, 2, "a", "50%\r\nnext")])
    assert line == "::error file=f.yaml,line=1,col=2::a: 50%25%0D%0Anext"


def test_no_traceback_without_debug_and_one_with_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    plain = subprocess.run(
        [sys.executable, "-m", "reconciler", "validate", str(bad)], capture_output=True, text=True
    )
    assert plain.returncode == 1
    assert "Traceback" not in plain.stdout + plain.stderr
    assert "not UTF-8 text" in plain.stdout


def test_an_unexpected_error_exits_3_and_debug_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import reconciler.commands.validate as command

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(command, "validate", broken)
    assert main(["validate", "x.yaml"]) == 3
    err = capsys.readouterr().err
    assert "unexpected error: RuntimeError: boom" in err and "Traceback" not in err
    assert main(["validate", "--debug", "x.yaml"]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_ctrl_c_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    import reconciler.commands.validate as command

    def interrupted(*args: object, **kwargs: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "validate", interrupted)
    assert main(["validate", "x.yaml"]) == 130


def test_path_defaults_to_releases_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 1
    assert "releases.yaml: no such file or folder" in capsys.readouterr().out
    (tmp_path / "releases.yaml").write_text("format: 1\napps: {}\n")
    assert main(["validate"]) == 0


def test_schema_command_writes_the_committed_schema(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    assert main(["schema", "--out", str(target)]) == 0
    assert target.read_text() == (ROOT / "schemas" / "manifest.schema.json").read_text()


def test_the_exit_codes_are_the_readmes_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| exit | meaning |", 1)[1].split("\n\n", 1)[0]
    assert [int(n) for n in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)] == [
        code.value for code in ExitCode
    ]


def test_commands_return_exit_codes_by_name_not_number() -> None:
    """A literal `return 1` or `exit(2)` hides which row of the table it means."""
    package = ROOT / "reconciler"
    found = []
    for path in [package / "cli.py", *sorted((package / "commands").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Constant):
                value = node.value.value
            elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("exit"):
                value = next((a.value for a in node.args if isinstance(a, ast.Constant)), None)
            else:
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                found.append(f"{path.name}:{node.lineno}")
    assert found == []
