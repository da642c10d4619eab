"""The manifest entries of the hostile-input review (section 1), one test per entry id.

Each test states what a user sees now; before the fix it crashed (exit 3), hung, or
accepted something it should not have.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from reconciler import manifest_files, yaml_bounds, yaml_values
from reconciler.errors import ManifestError
from reconciler.loader import load_manifest
from reconciler.manifest import Manifest, PlatformRelease

APP = "format: 1\napps:\n  com.example.weather:\n"


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _problems(tmp_path: Path, text: str | bytes, name: str = "m.yaml") -> list[str]:
    path = _write(tmp_path / name, text)
    with pytest.raises(ManifestError) as raised:
        load_manifest([path])
    return [str(p).removeprefix(f"{path}:") for p in raised.value.problems]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('format: 1\nx: !!int "1.2"\napps: {}\n', "2:4: tags are not allowed (!!int)"),
        ('format: 1\n!!int "abc": 1\napps: {}\n', "2:1: tags are not allowed (!!int)"),
        ("format: 0x_\napps: {}\n", "1:9: format: unknown format '0x_'"),
        ("format: 0o_\napps: {}\n", "1:9: format: unknown format '0o_'"),
        (APP + "    ios: {version: '1', copyright: -_}\n    macos: 5\n", "macos: expected a"),
        ("%YAML 1.1\n---\nformat: 1\napps:\n  com.a.b:\n    app_id: 1:30\n", "'1:30' is not an"),
        (f"format: {'9' * 5000}\napps: {{}}\n", "1:9: format: unknown format '99999"),
        (APP + f"    app_id: {'9' * 5000}\n", "app_id: '99999"),
    ],
)
def test_c1_integers_python_cannot_read_are_problems_not_crashes(
    tmp_path: Path, text: str, expected: str
) -> None:
    [problem] = _problems(tmp_path, text)
    assert problem.startswith(expected) or expected in problem, problem
    assert len(problem) < 300  # a 5000-digit value is cut short in the message


def test_c2_a_version_of_5000_digits_is_not_valid(tmp_path: Path) -> None:
    for version in (f'"{"9" * 5000}"', "9" * 5000, '"1234567890"'):
        [problem] = _problems(tmp_path, APP + f"    ios: {{version: {version}}}\n")
        assert "ios.version: " in problem and "is not a version" in problem
    assert load_manifest([_write(tmp_path / "ok.yaml", APP + "    ios: {version: '123456789'}\n")])


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("format: 1\nx: &a [*a]\napps: {}\n", "2:8: x.0"),
        ("format: 1\nx: &a {b: *a}\napps: {}\n", "2:11: x.b"),
    ],
)
def test_c3_an_alias_cycle_is_a_problem_not_a_recursion_error(
    tmp_path: Path, text: str, where: str
) -> None:
    assert _problems(tmp_path, text) == [f"{where}: alias *a refers to itself (a cycle)"]


@pytest.mark.parametrize("bundle_id", ["com.example.a,com.example.b", "", "com." + "a" * 152])
def test_c5_the_desired_state_of_a_plan_file_refuses_bad_bundle_ids(bundle_id: str) -> None:
    with pytest.raises(ValidationError):
        Manifest.model_validate({"apps": {bundle_id: {"ios": "absent"}}})
    assert Manifest.model_validate({"apps": {"com.example.a": {"ios": "absent"}}}).apps


def test_p1_an_alias_bomb_stops_at_a_counted_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    levels = ["a0: &a0 [" + ",".join(["1"] * 9) + "]"]
    levels += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    text = "format: 1\n" + "\n".join(levels) + "\napps: {}\n"  # 9**9 values if expanded
    counted = []
    original = yaml_values._Converter._count
    monkeypatch.setattr(
        yaml_values._Converter,
        "_count",
        lambda self, node: counted.append(1) or original(self, node),
    )
    [problem] = _problems(tmp_path, text)
    assert problem.startswith("7:10: ")  # the outermost alias: a5 is the first past the bound
    assert "too many aliases: they expand to more than 100000 values" in problem
    assert len(counted) == yaml_bounds.MAX_VALUES + 1


def test_p2_size_and_value_count_are_bounded_and_comments_are_cheap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = _write(tmp_path / "big.yaml", "format: 1\napps: {}\n#" + "x" * yaml_bounds.MAX_BYTES)
    with pytest.raises(ManifestError) as raised:
        load_manifest([big])
    assert str(raised.value.problems[0]).endswith(
        "larger than 2 MiB, the most a manifest file may hold: split it into several files "
        "in a folder"
    )
    # One 1 MB comment line: quadratic in ruamel's round-trip scanner (50 s), linear now.
    long_comment = _write(tmp_path / "c.yaml", APP + "    ios: absent\n# " + "x" * 1_000_000)
    assert load_manifest([long_comment]).apps
    monkeypatch.setattr(yaml_bounds, "MAX_VALUES", 50)
    [problem] = _problems(tmp_path, "format: 1\nx: [" + "1," * 60 + "]\napps: {}\n")
    assert "too many values: a manifest file holds at most 50" in problem


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!secret COPYRIGHT_TEXT", "!secret"),
        ("!include other.yaml", "!include"),
        ('!!binary "SGVsbG8="', "!!binary"),
        ('!<tag:example.com,2000:x> "x"', "!<tag:example.com,2000:x>"),
        ('!!null "2026 Example Inc."', "!!null"),
        ('!!str "2026"', "!!str"),
    ],
)
def test_u1_tags_are_refused_with_their_place(tmp_path: Path, value: str, tag: str) -> None:
    text = APP + f"    ios:\n      version: '1'\n      copyright: {value}\n"
    assert _problems(tmp_path, text) == [
        f"6:18: tags are not allowed ({tag}): write the value plainly, quote text"
    ]


def test_u1_a_tag_on_a_mapping_is_refused_too(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, APP + '    ios: !!map {version: "2.4.0"}\n')
    assert problem.startswith("4:10: tags are not allowed (!!map)")


@pytest.mark.parametrize("digits", ["3600", "1796144400", "1796144400000", "2026"])
def test_u2_quoted_digits_are_not_a_date(tmp_path: Path, digits: str) -> None:
    text = APP + "    ios:\n      version: '1'\n      release_type: scheduled\n"
    text += f"      earliest_release_date: '{digits}'\n"
    assert _problems(tmp_path, text) == [
        f"7:30: apps.com.example.weather.ios.earliest_release_date: '{digits}' is not a "
        "date-time: write it like 2026-12-01T09:00:00-08:00"
    ]


def test_u3_keys_and_file_names_are_shown_escaped(tmp_path: Path) -> None:
    [key] = _problems(tmp_path, 'format: 1\napps: {}\n"\\e[2J\\e[Hpwn\\rOK": 1\n')
    assert (
        key == "3:1: \\x1b[2J\\x1b[Hpwn\\rOK: unknown key (expected one of: format, defaults, apps)"
    )
    [bidi] = _problems(tmp_path, 'format: 1\napps: {}\n"a\\u202eb": 1\n')
    assert bidi.startswith("3:1: a\\u202eb: unknown key")
    [newline] = _problems(
        tmp_path, 'format: 1\napps:\n  "com.example.weather\\n":\n    ios: absent\n'
    )
    assert "\n" not in newline and newline.startswith("3:3: apps.com.example.weather\\n: ")
    path = _write(tmp_path / "evil\x1b[2J.yaml", "format: 1\n")
    with pytest.raises(ManifestError) as raised:
        load_manifest([path])
    assert "\x1b" not in str(raised.value) and "evil\\x1b[2J.yaml:1:1: apps: missing" in str(
        raised.value
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"format: 1\napps:\n  com.a.b:\n    ios:\n      copyright: 'ab\x00'\n", "5:21: "),
        (b"format: 1\n\napps: {}\n\n\n\nx: \x1b\n", "7:4: "),
        (b"format: 1\r\napps: {}\r\nx: '\x7f'\r\n", "3:5: "),
    ],
)
def test_u4_a_control_character_is_placed_at_its_line_and_column(
    tmp_path: Path, text: bytes, expected: str
) -> None:
    [problem] = _problems(tmp_path, text)
    assert problem.startswith(expected + "control character \\x"), problem
    assert "is not allowed" in problem and "position" not in problem


def test_u4_utf16_without_a_byte_order_mark_is_not_utf8(tmp_path: Path) -> None:
    text = "format: 1\napps: {}\n".encode("utf-16-be")
    assert _problems(tmp_path, text) == [
        "1:1: not UTF-8 text (UTF-16 or UTF-32?): save the file as UTF-8"
    ]


def test_u6_in_a_folder_odd_entries_are_reported_and_suffixes_ignore_case(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    _write(folder / "a.YAML", "format: 1\napps:\n  com.a.one:\n    ios: absent\n")
    _write(folder / "b.yml", "format: 1\napps:\n  com.a.two:\n    ios: absent\n")
    (folder / "dangling.yaml").symlink_to(folder / "nowhere.yaml")
    (folder / "self.yaml").symlink_to(folder / "self.yaml")
    os.mkfifo(folder / "fifo.yaml")
    with pytest.raises(ManifestError) as raised:
        load_manifest([folder])
    assert [str(p).removeprefix(f"{folder}/") for p in raised.value.problems] == [
        f"dangling.yaml: broken symbolic link (to {folder}/nowhere.yaml, which cannot be reached)",
        "fifo.yaml: not a regular file (a FIFO): a folder's manifests are files",
        f"self.yaml: broken symbolic link (to {folder}/self.yaml, which cannot be reached)",
    ]
    for odd in ("dangling.yaml", "self.yaml", "fifo.yaml"):
        (folder / odd).unlink()
    assert list(load_manifest([folder]).apps) == ["com.a.one", "com.a.two"]


def test_u6_a_device_or_pipe_given_by_name_is_read(tmp_path: Path) -> None:
    with pytest.raises(ManifestError) as raised:
        load_manifest([Path("/dev/null")])
    assert [str(p) for p in raised.value.problems] == [
        "/dev/null:1:1: file is empty: a manifest starts with `format: 1`"
    ]
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ManifestError) as raised:  # nobody writes to it: empty, not a hang
        load_manifest([fifo])
    assert "file is empty" in str(raised.value)

    read_end, write_end = os.pipe()  # what `reconciler validate <(generate)` names
    try:
        os.write(write_end, b"format: 1\napps:\n  com.a.b:\n    ios: absent\n")
        os.close(write_end)
        assert list(load_manifest([Path(f"/dev/fd/{read_end}")]).apps) == ["com.a.b"]
    finally:
        os.close(read_end)
    dangling = tmp_path / "gone.yaml"
    dangling.symlink_to(tmp_path / "nothing")
    with pytest.raises(ManifestError) as raised:
        load_manifest([dangling])
    assert "gone.yaml: broken symbolic link" in str(raised.value)


def test_u6_a_socket_given_by_name_is_not_read(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "s.yaml"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        files, problems = manifest_files.discover([path])
    assert files == [] and [p.message for p in problems] == ["not a regular file (a socket)"]


def test_u9_one_file_by_two_spellings_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "a" / "r.yaml", "format: 1\napps:\n  com.a.b:\n    ios: absent\n")
    (tmp_path / "link.yaml").symlink_to(path)
    monkeypatch.chdir(tmp_path / "a")
    spellings = [path, Path("r.yaml"), Path("../a/r.yaml"), tmp_path / "link.yaml", tmp_path]
    assert list(load_manifest(spellings).apps) == ["com.a.b"]


def test_u10_complex_and_alias_keys_are_named_at_their_place(tmp_path: Path) -> None:
    assert _problems(tmp_path, "format: 1\napps:\n  ? [a, b]\n  : 1\n") == [
        "3:5: apps: keys must be text, got a list"
    ]
    assert _problems(tmp_path, "format: 1\nx: &a {b: 1}\n*a : 1\napps: {}\n") == [
        "3:1: keys must be text, got a mapping"
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("format: 1.0", "1:9: format: write `format: 1` (a plain number), not 1.0"),
        ('format: "1"', "1:9: format: write `format: 1` (a plain number), not '1'"),
    ],
)
def test_u15_format_has_one_spelling(tmp_path: Path, line: str, expected: str) -> None:
    assert _problems(tmp_path, line + "\napps: {}\n") == [expected]


def test_u15_wrong_types_get_words_not_pydantic_internals(tmp_path: Path) -> None:
    text = APP + "    app_id: 1234567890.0\n    ios: {version: '1', copyright: 2026}\n"
    assert _problems(tmp_path, text) == [
        '4:13: apps.com.example.weather.app_id: expected an app id of digits, e.g. "1234567890"; '
        "got 1234567890.0 (a number)",
        "5:36: apps.com.example.weather.ios.copyright: expected a quoted string, got 2026 "
        "(a number)",
    ]


def test_u15_nanoseconds_are_not_dropped_in_silence(tmp_path: Path) -> None:
    entry = "    ios: {version: '1', release_type: scheduled, earliest_release_date: %s}\n"
    [problem] = _problems(tmp_path, APP + entry % "2026-12-01T09:00:00.000000001Z")
    assert problem.endswith(
        "earliest_release_date: must fall exactly on the hour in UTC "
        "(App Store Connect allows hour precision only)"
    )
    ok = load_manifest([_write(tmp_path / "ok.yaml", APP + entry % "2026-12-01T09:00:00.000Z")])
    release = ok.apps["com.example.weather"].ios
    assert isinstance(release, PlatformRelease) and release.earliest_release_date


def test_u15_an_unused_default_date_is_a_problem(tmp_path: Path) -> None:
    text = "format: 1\ndefaults:\n  earliest_release_date: 2026-12-01T09:00:00Z\napps:\n"
    text += "  com.a.b:\n    ios: {version: '1', release_type: manual}\n"
    [problem] = _problems(tmp_path, text)
    assert problem.startswith("3:3: defaults.earliest_release_date: never used")


def test_u15_bundle_ids_differing_in_case_are_one_app(tmp_path: Path) -> None:
    text = "format: 1\napps:\n  com.example.Weather:\n    ios: absent\n"
    first = _write(tmp_path / "a.yaml", text)
    second = _write(tmp_path / "b.yaml", text.replace("Weather", "weather"))
    with pytest.raises(ManifestError) as raised:
        load_manifest([first, second])
    assert [str(p) for p in raised.value.problems] == [
        f"{second}:3:3: apps.com.example.weather: app declared twice: also at {first}:3:3 as "
        "com.example.Weather (bundle ids do not differ by letter case alone)"
    ]


def test_u15_a_bundle_id_has_at_most_155_characters(tmp_path: Path) -> None:
    ok = "com." + "a" * 151
    assert load_manifest(
        [_write(tmp_path / "ok.yaml", f"format: 1\napps:\n  {ok}:\n    ios: absent\n")]
    )
    [problem] = _problems(tmp_path, f"format: 1\napps:\n  {ok}a:\n    ios: absent\n")
    assert problem.endswith(
        "is not a bundle id: it is 156 characters long, Apple allows at most 155"
    )


def test_u15_a_key_over_yamls_1024_character_limit_gets_a_hint(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, "format: 1\napps:\n  " + "a" * 1100 + ":\n    ios: absent\n")
    assert problem.endswith(
        "a key longer than 1024 characters is not allowed in YAML (use a shorter key)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("format: 1 # a\u2028b\napps: {}\n", "1:14: U+2028 (line separator) is not allowed"),
        ("format: 1\n# a\x85b\napps:\n  bad: 1\n", "2:4: U+0085 (next line) is not allowed"),
    ],
)
def test_u15_unicode_line_separators_are_refused_where_an_editor_shows_them(
    tmp_path: Path, text: str, expected: str
) -> None:
    [problem] = _problems(tmp_path, text)
    assert problem.startswith(expected)


def test_u15_a_key_called_release_keeps_the_field_path(tmp_path: Path) -> None:
    assert _problems(tmp_path, APP + '    tvos: {release: "1.0"}\n') == [
        "4:5: apps.com.example.weather.tvos.version: missing: this key is required",
        "4:21: apps.com.example.weather.tvos.release: expected true or false; got '1.0'",
    ]
