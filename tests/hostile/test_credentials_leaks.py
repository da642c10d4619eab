"""Hostile credentials (review S1, C3, C6): keys in every accepted form, and pieces of them, in
every variable, through the whole CLI at -v and --debug. No piece of a key may be printed, and
no value may crash the CLI (exit 3)."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric import ec

from reconciler.cli import main
from reconciler.sandbox import SandboxApp, SandboxServer, seed_state
from tests.profiles import CI

MANIFEST = "releases.yaml"  # written into each test's folder: one app, one request
KEY_ID = "ABCDE12345"
WINDOW = 16  # any run of this many characters of a key's base64 counts as a leak

Placement = Callable[[str, Path], dict[str, str]]


@pytest.fixture(scope="module")
def api_url() -> Iterator[str]:
    """The sandbox on loopback, in this process: valid keys get a real plan."""
    with SandboxServer(SandboxApp(seed_state()), port=0) as server:
        server.start()
        yield server.url


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / MANIFEST).write_text(
        "format: 1\napps:\n  com.example.chess:\n    tvos: {version: '1.2'}\n"
    )
    for name in list(os.environ):
        if name.startswith(("ASC_", "APP_STORE_CONNECT_", "GITHUB_")):
            monkeypatch.delenv(name)


def _b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def _forms(key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    """The key written every way reconciler accepts it (and fastlane and codemagic store it)."""
    none = s.NoEncryption()
    pkcs8 = key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, none).decode()
    sec1 = key.private_bytes(s.Encoding.PEM, s.PrivateFormat.TraditionalOpenSSL, none).decode()
    return {
        "pem": pkcs8,
        "pem-escaped": pkcs8.replace("\n", "\\n"),
        "base64-pem": _b64(pkcs8),
        "base64-der": _b64(key.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8, none)),
        "sec1-pem": sec1,
        "sec1-base64-pem": _b64(sec1),
        "sec1-base64-der": _b64(
            key.private_bytes(s.Encoding.DER, s.PrivateFormat.TraditionalOpenSSL, none)
        ),
    }


def _windows(forms: dict[str, str]) -> set[str]:
    """Every WINDOW-long run of the base64 texts of the key (PEM bodies are base64 DER)."""
    texts = [v for k, v in forms.items() if "base64" in k]
    return {t[i : i + WINDOW] for t in texts for i in range(len(t) - WINDOW + 1)}


def _values(forms: dict[str, str]) -> list[str]:
    """Each form, and pieces of it: its halves and a run from the middle."""
    values = []
    for text in forms.values():
        half = len(text) // 2
        values += [text, text[:half], text[half:], text[half - 10 : half + 10]]
    return values


def _file(folder: Path, name: str, content: str) -> str:
    path = folder / name
    path.write_text(content)
    return str(path)


PLACEMENTS: dict[str, Placement] = {
    "ASC_PRIVATE_KEY_PATH": lambda v, d: {"ASC_PRIVATE_KEY_PATH": v},
    "ASC_PRIVATE_KEY": lambda v, d: {"ASC_PRIVATE_KEY": v},
    "fastlane FILEPATH": lambda v, d: {"APP_STORE_CONNECT_API_KEY_KEY_FILEPATH": v},
    "fastlane KEY": lambda v, d: {"APP_STORE_CONNECT_API_KEY_KEY": v},
    "codemagic": lambda v, d: {"APP_STORE_CONNECT_PRIVATE_KEY": v},
    "codemagic @file:": lambda v, d: {"APP_STORE_CONNECT_PRIVATE_KEY": "@file:" + v},
    "codemagic @env:": lambda v, d: {"APP_STORE_CONNECT_PRIVATE_KEY": "@env:" + v},
    "fastlane JSON path": lambda v, d: {"APP_STORE_CONNECT_API_KEY_PATH": v},
    "fastlane JSON key": lambda v, d: {
        "APP_STORE_CONNECT_API_KEY_PATH": _file(d, "key.json", json.dumps({"key": v}))
    },
    "key file": lambda v, d: {"ASC_PRIVATE_KEY_PATH": _file(d, "AuthKey.p8", v)},
    "@file: key file": lambda v, d: {
        "APP_STORE_CONNECT_PRIVATE_KEY": "@file:" + _file(d, "AuthKey.p8", v)
    },
}


def _leaks(text: str, secrets: set[str]) -> list[str]:
    compact = "".join(text.replace("\\n", "").split())
    found = set()
    for haystack in (text, compact):
        found |= {haystack[i : i + WINDOW] for i in range(len(haystack) - WINDOW + 1)} & secrets
    return sorted(found)


def test_s1_no_piece_of_a_key_is_ever_printed_from_any_variable(
    api_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    worked = 0
    for _ in range(2 if CI else 1):  # CI: a second random key, for leaks that hang on its bytes
        forms = _forms(ec.generate_private_key(ec.SECP256R1()))
        secrets = _windows(forms)
        for value in _values(forms):
            for where, placement in PLACEMENTS.items():
                env = {"ASC_KEY_ID": KEY_ID, "ASC_API_BASE_URL": api_url}
                env |= placement(value, tmp_path)
                for name, setting in env.items():
                    monkeypatch.setenv(name, setting)
                for flag in ("-v", "--debug"):
                    code = main(["plan", MANIFEST, flag])
                    out, err = capsys.readouterr()
                    assert code in (0, 1), (where, flag, err)
                    assert not _leaks(out + err, secrets), (where, flag, out + err)
                    worked += code == 0
                for name in env:
                    monkeypatch.delenv(name)
    assert worked > 20  # whole keys were used, and made requests, at both verbosities


def test_s1_a_path_variable_holding_base64_der_says_what_it_looks_like(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    der = _forms(ec.generate_private_key(ec.SECP256R1()))["base64-der"]
    monkeypatch.setenv("ASC_KEY_ID", KEY_ID)
    monkeypatch.setenv("ASC_PRIVATE_KEY_PATH", der)
    assert main(["plan", MANIFEST]) == 1
    assert capsys.readouterr().err == (
        "error: ASC_PRIVATE_KEY_PATH should name a file, but its value looks like base64 key "
        "text, not a path: put the key text in ASC_PRIVATE_KEY\n"
    )
    monkeypatch.setenv("ASC_PRIVATE_KEY_PATH", "/secret/place/AuthKey_ABCDE12345.p8")
    assert main(["plan", MANIFEST]) == 1
    err = capsys.readouterr().err
    assert "ASC_PRIVATE_KEY_PATH: cannot read the file it names: No such file" in err
    assert "/secret/place" not in err  # the value of a path variable is never echoed


def test_c3_a_fastlane_key_file_nested_too_deeply_is_not_valid_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "fastlane_deep.json"
    deep.write_text("[" * 100_000)
    monkeypatch.setenv("APP_STORE_CONNECT_API_KEY_PATH", str(deep))
    assert main(["plan", MANIFEST]) == 1
    assert capsys.readouterr().err == (
        "error: APP_STORE_CONNECT_API_KEY_PATH: the file is not valid JSON\n"
    )


def _sect163k1_pem() -> str:
    """An EC key on curve sect163k1, which cryptography cannot load (built by hand: ASN.1)."""
    oid = bytes([0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x01])  # 1.3.132.0.1
    body = bytes([0x02, 0x01, 0x01, 0x04, 21]) + bytes(range(1, 22)) + bytes([0xA0, 7]) + oid
    der = bytes([0x30, len(body)]) + body
    return f"-----BEGIN EC PRIVATE KEY-----\n{_b64(der)}\n-----END EC PRIVATE KEY-----\n"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"ASC_PRIVATE_KEY_PATH": "~nosuchuser/AuthKey.p8"},
            "ASC_PRIVATE_KEY_PATH: cannot read the file it names: its ~ names no known user",
        ),
        (
            {"ASC_PRIVATE_KEY": _sect163k1_pem()},
            "ASC_PRIVATE_KEY does not hold an App Store Connect private key (a .p8 EC P-256 "
            "key): it uses a curve or algorithm this reconciler cannot read",
        ),
        (
            {"ASC_PRIVATE_KEY": _b64(base64.b64decode(_sect163k1_pem().splitlines()[1]))},
            "it uses a curve or algorithm this reconciler cannot read",
        ),
    ],
)
def test_c6_an_unknown_home_or_an_unsupported_curve_is_a_clear_error(
    env: dict[str, str],
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ASC_KEY_ID", KEY_ID)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["plan", MANIFEST]) == 1
    err = capsys.readouterr().err
    assert expected in err and "unexpected error" not in err
