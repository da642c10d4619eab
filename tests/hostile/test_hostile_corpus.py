"""A generated corpus of hostile manifests, each run through `reconciler validate`.

For every case: exit 0 or 1 (never 3), no traceback, JSON output that parses, and work
bounded by a counter (YAML nodes composed plus values converted), not by a timer.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler import yaml_bounds, yaml_values
from reconciler.cli import main

HEAD = "format: 1\napps:\n  com.example.weather:\n"
BIG = "9" * 5000


def _laughs(width: int, depth: int, leaf: str = "1") -> str:
    lines = [f"a0: &a0 [{', '.join([leaf] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, depth)]
    return "\n".join(lines) + "\n"


def _text_cases() -> dict[str, str]:
    return _bombs_and_nesting() | _numbers_and_tags() | _keys_and_shapes() | _text_and_dates()


def _bombs_and_nesting() -> dict[str, str]:
    return {
        "bomb_laughs_9x9": "format: 1\n" + _laughs(9, 9) + "apps: {}\n",
        "bomb_in_copyright": (
            "format: 1\nx:\n" + _indent(_laughs(9, 9), 2) + HEAD + "    ios:\n      version: '1'\n"
            "      copyright: *a8\n"
        ),
        "bomb_mapping": "format: 1\n"
        + "\n".join(
            f"m{i}: &m{i} {{{', '.join(f'k{j}: *m{i - 1}' for j in range(9))}}}"
            if i
            else "m0: &m0 {k: 1}"
            for i in range(9)
        )
        + "\napps: {}\n",
        "alias_cycle_list": "format: 1\nx: &a [*a]\napps: {}\n",
        "alias_cycle_map": "format: 1\nx: &a {b: *a}\napps: {}\n",
        "alias_chain_deep": "format: 1\n"
        + "".join(f"a{i}: &a{i} [[[*a{i - 1}]]]\n" if i else "a0: &a0 1\n" for i in range(60))
        + "apps: {}\n",
        "deep_flow_list": "format: 1\nx: " + "[" * 100_000 + "\napps: {}\n",
        "deep_flow_map": "format: 1\nx: " + "{a: " * 1500 + "1" + "}" * 1500 + "\napps: {}\n",
        "deep_block": "format: 1\n" + "".join(" " * i + "a:\n" for i in range(600)) + "apps: {}\n",
    }


def _numbers_and_tags() -> dict[str, str]:
    tags = ["!secret X", "!include other.yaml", '!!binary "SGVsbG8="', '!!int "1.2"', "!!map {}"]
    tags += ['!<tag:example.com,2000:x> "1"', '!!null "x"', "!!python/object/apply:os.system [id]"]
    cases = {
        "huge_format": f"format: {BIG}\napps: {{}}\n",
        "huge_version_unquoted": HEAD + f"    ios: {{version: {BIG}}}\n",
        "huge_version_quoted": HEAD + f'    ios: {{version: "{BIG}"}}\n',
        "huge_app_id": HEAD + f"    app_id: {BIG}\n",
        "huge_copyright": HEAD + f"    ios: {{version: '1', copyright: {BIG}}}\n",
        "huge_key": f"format: 1\n{BIG}: 1\napps: {{}}\n",
        "huge_float": HEAD + "    ios: {version: 1e99999, copyright: -.nan}\n",
        "int_0x_": "format: 0x_\napps: {}\n",
        "int_0o_": "format: 0o_\napps: {}\n",
        "int_0b2": "format: 0b2\napps: {}\n",
        "int_dash_underscore": HEAD + "    ios: {version: '1', copyright: -_}\n",
        "yaml11_sexagesimal": "%YAML 1.1\n---\nformat: 1\napps:\n  com.a.b:\n    app_id: 1:30\n",
        "yaml11_octal_bool": "%YAML 1.1\n---\nformat: 0777\napps:\n  com.a.b:\n    ios: yes\n",
    }
    for index, tag in enumerate(tags):
        cases[f"tag_{index}"] = HEAD + f"    ios: {{version: '1', copyright: {tag}}}\n"
    return cases


def _keys_and_shapes() -> dict[str, str]:
    return {
        "long_key": "format: 1\n" + "k" * 2000 + ": 1\napps: {}\n",
        "key_escape": 'format: 1\n"\\e[2J\\e[Hpwn\\rOK": 1\napps: {}\n',
        "key_bidi": 'format: 1\n"a\\u202eb": 1\napps: {}\n',
        "key_newline": 'format: 1\napps:\n  "com.example.weather\\n":\n    ios: absent\n',
        "key_complex": "format: 1\napps:\n  ? [a, b]\n  : 1\n",
        "key_alias_to_map": "format: 1\nx: &a {b: 1}\n*a : 1\napps: {}\n",
        "key_null_bool_int": "format: 1\nnull: 1\ntrue: 2\n3: 3\napps: {}\n",
        "key_merge": "format: 1\nd: &d {version: '1'}\napps:\n  com.a.b:\n    ios: {<<: *d}\n",
        "dup_via_alias": "format: 1\nk: &k format\n*k : 1\napps: {}\n",
        "undefined_alias": "format: 1\napps: *nowhere\n",
        "top_list": "- format: 1\n",
        "top_scalar": "just text\n",
        "top_null": "~\n",
        "multi_document": "format: 1\napps: {}\n---\nformat: 1\napps: {}\n",
        "tabs": "format: 1\napps:\n\tcom.a.b: {}\n",
        "release_key": HEAD + '    tvos: {release: "1.0"}\n',
        "bundle_156": "format: 1\napps:\n  com." + "a" * 152 + ":\n    ios: absent\n",
        "bundle_case_twice": "format: 1\napps:\n  com.a.B: {ios: absent}\n"
        "  com.a.b: {ios: absent}\n",
    }


def _text_and_dates() -> dict[str, str]:
    return {
        "long_comment": HEAD + "    ios: absent\n# " + "x" * 300_000 + "\n",
        "long_value": HEAD + "    ios: {version: '1', copyright: '" + "x" * 300_000 + "'}\n",
        "date_digits": HEAD + "    ios: {version: '1', release_type: scheduled, "
        "earliest_release_date: '3600'}\n",
        "date_nanoseconds": HEAD + "    ios: {version: '1', release_type: scheduled, "
        "earliest_release_date: 2026-12-01T09:00:00.000000001Z}\n",
        "date_year_10000": HEAD + "    ios: {version: '1', release_type: scheduled, "
        "earliest_release_date: '10000-01-01T00:00:00Z'}\n",
        "line_separator": "format: 1 # a\u2028b\napps: {}\n",
        "next_line": "format: 1\n# a\x85b\napps: {}\n",
        "paragraph_separator": "format: 1\napps: {}\n\u2029\n",
    }


def _indent(text: str, by: int) -> str:
    return "".join(" " * by + line + "\n" for line in text.splitlines())


def _byte_cases() -> dict[str, bytes]:
    valid = (HEAD + "    ios: absent\n").encode()
    rng = random.Random(20261201)
    cases = {
        "empty": b"",
        "bom_only": b"\xef\xbb\xbf",
        "whitespace_only": b" \n\n   \n",
        "nul_byte": b"format: 1\napps:\n  com.a.b:\n    ios:\n      copyright: 'ab\x00'\n",
        "raw_escape": b"format: 1\nx: \x1b[31m\napps: {}\n",
        "del_char": b"format: 1\nx: '\x7f'\napps: {}\n",
        "c1_control": "format: 1\nx: '\x9b'\napps: {}\n".encode(),
        "cr_only": valid.replace(b"\n", b"\r"),
        "crlf": valid.replace(b"\n", b"\r\n"),
        "latin1": b"format: 1\nx: '\xe9t\xe9'\napps: {}\n",
        "cesu_surrogate": b"format: 1\nx: '\xed\xa0\x80'\napps: {}\n",
        "overlong_slash": b"format: 1\nx: '\xc0\xaf'\napps: {}\n",
        "utf16_le_bom": valid.decode().encode("utf-16"),
        "utf16_be_no_bom": valid.decode().encode("utf-16-be"),
        "utf16_le_no_bom": valid.decode().encode("utf-16-le"),
        "utf32": valid.decode().encode("utf-32"),
        "bom_then_nul": b"\xef\xbb\xbf\x00format: 1\n",
    }
    for index in range(12):
        cases[f"random_{index}"] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        mutated = bytearray(valid)
        for _ in range(3):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        cases[f"mutated_{index}"] = bytes(mutated)
    return cases


def _write_corpus(folder: Path, only: str | None = None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    cases = {name: text.encode() for name, text in _text_cases().items()} | _byte_cases()
    paths = []
    for name, data in cases.items():
        if only in (None, name):
            paths.append(folder / f"{name}.yaml")
            paths[-1].write_bytes(data)
    return paths


def _odd_files(folder: Path) -> list[Path]:
    """FIFO, dangling and looping links, a folder named like a manifest, and a folder of them."""
    folder.mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / "fifo.yaml")
    (folder / "dangling.yaml").symlink_to(folder / "nowhere.yaml")
    (folder / "loop.yaml").symlink_to(folder / "loop.yaml")
    (folder / "dir.yaml").mkdir()
    inner = folder / "with_odd_entries"
    inner.mkdir()
    os.mkfifo(inner / "b.yaml")
    (inner / "c.YML").symlink_to(inner / "missing")
    (inner / "a.yaml").write_text(HEAD + "    ios: absent\n")
    names = ["fifo.yaml", "dangling.yaml", "loop.yaml", "dir.yaml", "with_odd_entries"]
    return [folder / name for name in names] + [Path("/dev/null")]


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts YAML nodes composed and values converted: the work a manifest costs."""
    counter = [0]
    for owner, name in [
        (yaml_bounds._BoundedComposer, "compose_node"),
        (yaml_values._Converter, "_count"),
    ]:
        original = getattr(owner, name)

        def counted(self: object, *args: object, _original: object = original) -> object:
            counter[0] += 1
            return _original(self, *args)  # type: ignore[operator]

        monkeypatch.setattr(owner, name, counted)
    yield counter


CORPUS = sorted([*_text_cases(), *_byte_cases()])


@pytest.mark.parametrize("name", CORPUS)
def test_a_hostile_manifest_gets_exit_0_or_1_and_no_traceback(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], work: list[int]
) -> None:
    [path] = _write_corpus(tmp_path, only=name)
    _check(path, capsys)
    assert work[0] <= 2 * 2 * (yaml_bounds.MAX_VALUES + 1)  # two runs, each bounded twice over


@pytest.mark.parametrize("index", range(6))
def test_odd_file_types_get_exit_0_or_1_and_no_traceback(
    index: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _odd_files(tmp_path)[index]
    _check(path, capsys)


def test_a_socket_gets_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "s.yaml"))
        assert _check(tmp_path / "s.yaml", capsys) == 1


def _check(path: Path, capsys: pytest.CaptureFixture[str]) -> int:
    code = main(["validate", str(path)])
    text = capsys.readouterr()
    assert code in (0, 1), text
    assert "Traceback" not in text.out + text.err and "unexpected error" not in text.err
    assert "\x1b" not in text.out + text.err
    assert main(["validate", "--format", "json", str(path)]) == code
    document = json.loads(capsys.readouterr().out)
    assert document["valid"] is (code == 0)
    return code


def test_the_whole_corpus_in_a_subprocess_prints_no_traceback(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    odd = _odd_files(corpus / "odd")
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "validate", str(corpus), *map(str, odd)],
        capture_output=True,
        text=True,
        timeout=300,  # a guard against a hang, not a speed assertion
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr == ""
    problems = result.stdout.splitlines()
    assert problems[-1].endswith("found; the manifest is not valid.")
    for name in ("bomb_laughs_9x9", "deep_flow_list", "fifo.yaml", "dangling.yaml", "null"):
        assert any(name in line for line in problems), name
