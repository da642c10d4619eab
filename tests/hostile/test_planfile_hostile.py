"""Hostile and mistaken plan files (review S2, C5, U6, U7, U8; issue 9): apply writes only a plan
that its manifests give now, and any file, however edited, is a clear exit 1, never exit 3."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from reconciler.cli import main
from reconciler.commands.apply import ApplyOptions, apply
from reconciler.commands.plan import Output
from reconciler.commands.session import Connection
from reconciler.commands.show import show
from reconciler.errors import ReconcilerError
from reconciler.manifest import Manifest
from reconciler.plan import Plan
from reconciler.planfile import desired_digest, moved_objects
from reconciler.state import RemoteApp, RemoteState, RemoteVersion

ROOT = Path(__file__).parents[2]
STATE = Path(".reconciler/sandbox-state.json")


@pytest.fixture(autouse=True)
def _folder_with_a_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder holding releases.yaml (the example) and plan.json, saved from it."""
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    shutil.copy(ROOT / "examples" / "releases.yaml", "releases.yaml")
    assert main(["plan", "--sandbox", "--out", "plan.json"]) == 0
    capsys.readouterr()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "unexpected error" not in err and "Traceback" not in err, err
    return code, out, err


def _load(name: str = "plan.json") -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(name).read_text())
    return data


def _save(data: dict[str, Any], name: str = "plan.json") -> None:
    Path(name).write_text(json.dumps(data, indent=2))


def _reseal(data: dict[str, Any]) -> None:
    """What an attacker does after editing: recompute every checksum the file holds."""
    plan = {k: v for k, v in data["plan"].items() if k != "checksum"}
    data["plan"]["checksum"] = Plan.model_validate(plan).checksum
    data["fingerprints"] = RemoteState.model_validate(data["remote"]).fingerprints()
    data["desired_digest"] = desired_digest(Manifest.model_validate(data["desired"]))


def _chess(data: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = data["desired"]["apps"]["com.example.chess"]["tvos"]
    return entry


def _chess_change(data: dict[str, Any]) -> dict[str, Any]:
    (change,) = [c for c in data["plan"]["changes"] if c["app"] == "com.example.chess"]
    return change  # type: ignore[no-any-return]


# --- S2: a saved plan is tied to the manifests reviewed with it ------------------------------


def test_s2_an_edited_and_resealed_plan_is_refused_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = _load()
    _chess(data)["copyright"] = "EVIL"
    _chess_change(data)["after"]["copyright"] = "EVIL"
    _reseal(data)
    _save(data)
    before = STATE.read_bytes()
    code, out, err = _run(capsys, "apply", "plan.json", "--sandbox")
    assert code == 1 and out == ""
    assert err.startswith(
        "error: plan.json: the plan was made from a different manifest: nothing was applied.\n"
        "  - com.example.chess: tvos differs\n"
        "Manifests read again: releases.yaml"
    )
    assert STATE.read_bytes() == before


def test_s2_the_manifest_must_still_give_the_planned_desired_state(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = Path("releases.yaml").read_text()
    Path("releases.yaml").write_text(text.replace('version: "1.2"', 'version: "1.3"'))
    code, _, err = _run(capsys, "apply", "plan.json", "--sandbox")
    assert code == 1 and "com.example.chess: tvos differs" in err
    Path("releases.yaml").unlink()
    code, _, err = _run(capsys, "apply", "plan.json", "--sandbox")
    assert code == 1 and "  - releases.yaml: no such file or folder\n" in err
    Path("releases.yaml").write_text("# a comment moves every line\n" + text)
    code, out, err = _run(capsys, "apply", "plan.json", "--sandbox")
    assert code == 0, err  # the same desired state: where apps are declared does not count
    assert out.splitlines()[-1].startswith("Apply complete: 4 created")


def test_s2_paths_are_recorded_as_given_and_read_from_the_current_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _load()["manifests"] == ["releases.yaml"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, _, err = _run(capsys, "apply", "../plan.json", "--sandbox")
    assert code == 1 and "releases.yaml: no such file or folder" in err
    assert "relative paths from the current folder" in err


def test_s2_a_manifest_that_became_invalid_is_counted_not_quoted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("releases.yaml").write_text("format: 1\napps:\n  SECRET-LOOKING-KEY: {ios: 5}\n")
    code, _, err = _run(capsys, "apply", "plan.json", "--sandbox")
    assert code == 1
    assert re.search(r"  - releases.yaml: not a valid manifest now \(\d problems?; see `", err)
    assert "SECRET-LOOKING-KEY" not in err


def test_s2_a_plan_file_of_the_older_format_is_refused_clearly(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = _load()
    data["format_version"] = "1"
    for key in ("manifests", "desired_digest"):
        del data[key]
    _save(data)
    code, _, err = _run(capsys, "apply", "plan.json", "--sandbox")
    assert code == 1
    assert 'plan file format "1" was saved by an older reconciler and does not record' in err


# --- C5: damaged files are "damaged plan file", whatever the damage --------------------------


def test_c5_integers_over_4300_digits_are_a_damaged_plan_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = Path("plan.json").read_text()
    huge = '"x": ' + "9" * 5000 + ', "format_version"'
    Path("huge.json").write_text(text.replace('"format_version"', huge, 1))
    for argv in (["show", "huge.json"], ["apply", "huge.json", "--sandbox"]):
        code, _, err = _run(capsys, *argv)
        assert code == 1 and "huge.json: damaged plan file (a number too long to read)" in err


@pytest.mark.parametrize("bundle_id", ["com.example.a,com.example.b", ""])
def test_c5_a_bad_bundle_id_in_desired_is_refused_before_any_request(
    capsys: pytest.CaptureFixture[str], bundle_id: str
) -> None:
    data = _load()
    data["desired"]["apps"][bundle_id] = data["desired"]["apps"]["com.example.chess"]
    before = STATE.read_bytes()
    for resealed in (False, True):
        if resealed:  # (a manifest model with a bundle-id pattern refuses to reseal it)
            with contextlib.suppress(ValidationError):
                _reseal(data)
        _save(data)
        code, _, err = _run(capsys, "apply", "plan.json", "--sandbox")
        assert code == 1
        assert re.search(
            "changed after it was saved|damaged plan file|made from a different manifest", err
        )
        assert STATE.read_bytes() == before


def test_c5_a_desired_state_the_model_refuses_is_a_damaged_plan_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = _load()
    data["desired"]["apps"]["com.example.chess"]["tvos"] = 5
    _save(data)
    code, _, err = _run(capsys, "show", "plan.json")
    assert code == 1 and "plan.json: damaged plan file (desired.apps.com.example.chess.tvos" in err


HOSTILE: list[Any] = [None, -1, True, "\x1b[2J\r", [1, [2]], {"x": None}]


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


def _replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(data))
    if not path:
        return value
    node = copy
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return copy


def _refused(command: str, path: Path) -> bool:
    """Run show or apply (with --sandbox) in process: True when refused with an expected
    error (exit 1); any other exception is a bug (exit 3) and fails the test."""

    def output(form: str) -> Output:
        return Output(io.StringIO(), io.StringIO(), format=form, github=True)

    try:
        if command == "show":
            for form in ("text", "markdown", "json"):
                show(path, output(form))
        else:
            sandbox = Connection({}, sandbox=True, cwd=Path())
            apply(ApplyOptions(paths=[path]), sandbox, output("json"))
    except ReconcilerError:
        return True
    return False


def test_c5_every_value_replaced_by_anything_gives_exit_0_or_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("releases.yaml").write_text(
        "format: 1\napps:\n  com.example.chess:\n    tvos: {version: '1.2', copyright: c}\n"
        "  com.example.notes:\n    ios: {version: '3.1.0', release_type: manual}\n"
    )
    assert _run(capsys, "plan", "--sandbox", "--out", "plan.json")[0] == 0
    original = _load()
    state = STATE.read_bytes()
    edited = Path("edited.json")
    refused = 0
    for path in _leaves(original):
        for value in HOSTILE:
            data = _replaced(original, path, value)
            resealed = json.loads(json.dumps(data))
            try:
                _reseal(resealed)
            except Exception:  # the models refuse it: the reader must refuse it too
                resealed = data
            for variant in (data, resealed):
                _save(variant, edited.name)
                refused += _refused("show", edited)
                if path[:1] in (("desired",), ("plan",)) and variant is resealed:
                    refused += _refused("apply", edited)
                    STATE.write_bytes(state)  # a no-op edit may apply: start over
    assert refused > 500


# --- U6: special files -----------------------------------------------------------------------


def test_u6_a_fifo_or_a_device_is_not_a_regular_file_and_nothing_blocks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    os.mkfifo("fifo.json")
    results: list[tuple[int, str, str]] = []
    for argv in (["show", "fifo.json"], ["show", "/dev/null"]):
        runner = threading.Thread(target=lambda a=argv: results.append(_run(capsys, *a)))
        runner.daemon = True  # a blocked read would otherwise hang the test run
        runner.start()
        runner.join(timeout=10)
        assert not runner.is_alive(), f"{argv} blocked"
    # apply reads plan files as show does (and sets signal handlers: the main thread only).
    results.insert(1, _run(capsys, "apply", "fifo.json", "--sandbox"))
    assert [code for code, _, _ in results] == [1, 1, 1]
    assert "error: fifo.json: not a regular file" in results[0][2]
    assert "error: fifo.json: not a regular file" in results[1][2]
    assert "error: /dev/null: not a regular file" in results[2][2]


# --- U7: apply tells a plan file from manifests by content ----------------------------------


def test_u7_a_flow_style_manifest_is_a_manifest_and_a_plan_file_goes_alone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    flow = '{format: 1, apps: {com.example.chess: {tvos: {version: "1.2"}}}}\n'
    Path("flow.yaml").write_text(flow)
    Path("flow.txt").write_text(flow)
    for name in ("flow.yaml", "flow.txt"):
        code, _, err = _run(capsys, "apply", name, "--sandbox", "--auto-approve")
        assert code == 0, err
    shutil.copy("plan.json", "plan.saved")  # any name: told by its content
    assert "the plan made now" not in _run(capsys, "show", "plan.saved")[2]
    code, _, err = _run(capsys, "apply", "plan.json", "releases.yaml", "--sandbox")
    assert code == 1
    assert err.startswith("error: a plan file cannot be combined with manifests")


# --- U8: messages name the real cause --------------------------------------------------------


def test_u8_each_plan_file_mistake_is_named_for_what_it_is(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = _load()
    _chess(data)["copyright"] = "edited"
    _save(data, "desired.json")  # desired edited, nothing recomputed
    assert "was changed after it was saved" in _run(capsys, "apply", "desired.json")[2]

    data = _load()
    _chess_change(data)["after"]["copyright"] = "edited"
    _reseal(data)
    _save(data, "resealed.json")  # the plan edited, its checksum recomputed
    code, _, err = _run(capsys, "apply", "resealed.json", "--sandbox")
    assert code == 1 and "stale plan" not in err and "App Store Connect changed" not in err
    assert "although nothing moved: the file was edited" in err

    Path("report.json").write_text(_run(capsys, "plan", "--sandbox", "--format", "json")[1])
    for command in ("show", "apply"):
        err = _run(capsys, command, "report.json")[2]
        assert "this is the JSON report of `plan --format json`, not a saved plan" in err
        assert "reconciler plan --out PLANFILE" in err

    Path("one.json").write_text('{"format_version": 1}')
    err = _run(capsys, "show", "one.json")[2]
    assert 'plan file format 1 is not one this reconciler reads ("2")' in err

    Path("bom.json").write_bytes(b"\xef\xbb\xbf" + Path("plan.json").read_bytes())
    assert _run(capsys, "show", "bom.json")[0] == 0


# --- issue 9: the stale-plan message shows JSON values ---------------------------------------


def test_issue9_moved_objects_are_described_with_json_values() -> None:
    def state(copyright: str | None, state: str) -> RemoteState:
        version = RemoteVersion(
            id="v1", platform="IOS", version_string="2.4", state=state, copyright=copyright
        )
        return RemoteState(
            apps={"com.x": RemoteApp(id="1", bundle_id="com.x", versions=(version,))}
        )

    moved = moved_objects(
        state(None, "PREPARE_FOR_SUBMISSION"), state("2026 \x1b[31m", "IN_REVIEW")
    )
    assert moved == [
        'com.x ios 2.4 (id v1): state "PREPARE_FOR_SUBMISSION" -> "IN_REVIEW"',
        'com.x ios 2.4 (id v1): copyright null -> "2026 \\u001b[31m"',
    ]
