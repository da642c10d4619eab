"""Credentials are read the way CI holds them; a bad one fails in one line naming the variable."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from reconciler.asc import load_credentials
from reconciler.errors import CredentialsError
from tests.asc.conftest import ISSUER, KEY_ID

OTHER_ID = "ZZZ999YYYX"


def _files(files: dict[str, bytes]):  # type: ignore[no-untyped-def]
    def read(path: Path) -> bytes:
        if str(path) not in files:
            raise FileNotFoundError(2, "No such file or directory")
        return files[str(path)]

    return read


def _pem_body(pem: str) -> str:
    return "".join(line for line in pem.splitlines() if "-----" not in line)


def test_our_names_with_a_pem_file(ec_pem: str, ec_key: ec.EllipticCurvePrivateKey) -> None:
    env = {"ASC_KEY_ID": KEY_ID, "ASC_ISSUER_ID": ISSUER, "ASC_PRIVATE_KEY_PATH": "/k/AuthKey.p8"}
    creds, notes = load_credentials(env, _files({"/k/AuthKey.p8": ec_pem.encode()}))
    assert (creds.key_id, creds.issuer_id, creds.key_source) == (
        KEY_ID,
        ISSUER,
        "ASC_PRIVATE_KEY_PATH",
    )
    assert creds.private_key.private_numbers() == ec_key.private_numbers()
    assert notes == []


@pytest.mark.parametrize("form", ["pem", "escaped", "base64", "base64-der", "crlf"])
def test_every_text_form_of_the_key(ec_pem: str, form: str) -> None:
    value = {
        "pem": ec_pem,
        "escaped": ec_pem.replace("\n", "\\n"),
        "base64": base64.b64encode(ec_pem.encode()).decode(),
        "base64-der": _pem_body(ec_pem),
        "crlf": ec_pem.replace("\n", "\r\n"),
    }[form]
    creds, _ = load_credentials(
        {"ASC_KEY_ID": KEY_ID, "ASC_ISSUER_ID": ISSUER, "ASC_PRIVATE_KEY": value}
    )
    assert creds.key_id == KEY_ID


def test_an_absent_issuer_means_an_individual_key(ec_pem: str) -> None:
    creds, notes = load_credentials({"ASC_KEY_ID": KEY_ID, "ASC_PRIVATE_KEY": ec_pem})
    assert creds.issuer_id is None
    assert any("individual" in n for n in notes)


def test_fastlane_variables(ec_pem: str) -> None:
    env = {
        "APP_STORE_CONNECT_API_KEY_KEY_ID": KEY_ID,
        "APP_STORE_CONNECT_API_KEY_ISSUER_ID": ISSUER,
        "APP_STORE_CONNECT_API_KEY_KEY": base64.b64encode(ec_pem.encode()).decode(),
        "APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64": "true",
    }
    creds, notes = load_credentials(env)
    assert (creds.key_id, creds.issuer_id, creds.key_source) == (
        KEY_ID,
        ISSUER,
        "APP_STORE_CONNECT_API_KEY_KEY",
    )
    assert notes == []
    path_env = {
        "APP_STORE_CONNECT_API_KEY_KEY_ID": KEY_ID,
        "APP_STORE_CONNECT_API_KEY_KEY_FILEPATH": "/a.p8",
    }
    creds, _ = load_credentials(path_env, _files({"/a.p8": ec_pem.encode()}))
    assert creds.issuer_id is None


def test_fastlane_json_file(ec_pem: str) -> None:
    doc = {
        "key_id": KEY_ID,
        "issuer_id": ISSUER,
        "key": ec_pem,
        "in_house": False,
        "duration": 1200,
    }
    env = {"APP_STORE_CONNECT_API_KEY_PATH": "/ci/api_key.json"}
    creds, notes = load_credentials(env, _files({"/ci/api_key.json": json.dumps(doc).encode()}))
    assert (creds.key_id, creds.issuer_id) == (KEY_ID, ISSUER)
    assert creds.key_source == "APP_STORE_CONNECT_API_KEY_PATH (key)"
    assert notes == []


def test_codemagic_variables_and_file_indirection(ec_pem: str) -> None:
    env = {
        "APP_STORE_CONNECT_KEY_IDENTIFIER": KEY_ID,
        "APP_STORE_CONNECT_ISSUER_ID": ISSUER,
        "APP_STORE_CONNECT_PRIVATE_KEY": ec_pem,
    }
    assert load_credentials(env)[0].key_id == KEY_ID
    env["APP_STORE_CONNECT_PRIVATE_KEY"] = "@file:/secrets/key.p8"
    assert load_credentials(env, _files({"/secrets/key.p8": ec_pem.encode()}))[0].key_id == KEY_ID
    env["APP_STORE_CONNECT_PRIVATE_KEY"] = "@env:MY_KEY"
    assert load_credentials({**env, "MY_KEY": ec_pem})[0].key_id == KEY_ID


def test_our_names_win_and_the_notes_say_which_was_used(ec_pem: str) -> None:
    other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    env = {
        "ASC_KEY_ID": KEY_ID,
        "APP_STORE_CONNECT_API_KEY_KEY_ID": OTHER_ID,
        "ASC_ISSUER_ID": ISSUER,
        "APP_STORE_CONNECT_ISSUER_ID": ISSUER,  # agrees: no note
        "ASC_PRIVATE_KEY": ec_pem,
        "APP_STORE_CONNECT_PRIVATE_KEY": other.decode(),
        "APP_STORE_CONNECT_API_KEY_KEY": base64.b64encode(ec_pem.encode()).decode(),  # same key
    }
    creds, notes = load_credentials(env)
    assert creds.key_id == KEY_ID
    assert notes == [
        "key id: ASC_KEY_ID and APP_STORE_CONNECT_API_KEY_KEY_ID differ; using ASC_KEY_ID",
        "private key: ASC_PRIVATE_KEY and APP_STORE_CONNECT_PRIVATE_KEY differ; "
        "using ASC_PRIVATE_KEY",
    ]
    assert not any("BEGIN" in n or _pem_body(ec_pem)[:20] in n for n in notes)


def test_empty_variables_count_as_unset(ec_pem: str) -> None:
    env = {"ASC_KEY_ID": "", "APP_STORE_CONNECT_KEY_IDENTIFIER": KEY_ID, "ASC_PRIVATE_KEY": ec_pem}
    assert load_credentials(env)[0].key_id == KEY_ID


def _rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _certificate_pem(key: ec.EllipticCurvePrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test")])
    import datetime as dt

    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _p384_pem() -> str:
    return (
        ec.generate_private_key(ec.SECP384R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ("rsa", "it is a RSA key"),
        ("cert", "type 'CERTIFICATE'"),
        ("p384", "curve secp384r1"),
        ("garbage", "neither PEM text nor base64"),
        ("base64-garbage", "decodes to no key"),
        ("damaged", "damaged"),
        ("path", "looks like a file path"),
    ],
)
def test_a_key_that_is_not_ec_p256_is_refused_without_showing_it(
    bad: str, expected: str, ec_key: ec.EllipticCurvePrivateKey, ec_pem: str
) -> None:
    value = {
        "rsa": _rsa_pem,
        "cert": lambda: _certificate_pem(ec_key),
        "p384": _p384_pem,
        "garbage": lambda: "not a key at all!",
        "base64-garbage": lambda: base64.b64encode(b"hello world, not DER").decode(),
        "damaged": lambda: ec_pem.replace(_pem_body(ec_pem)[10:30], "A" * 20),
        "path": lambda: "~/keys/AuthKey_ABC123DEFG.p8",
    }[bad]()
    with pytest.raises(CredentialsError) as caught:
        load_credentials({"ASC_KEY_ID": KEY_ID, "ASC_PRIVATE_KEY": value})
    message = str(caught.value)
    assert expected in message
    assert message.startswith("ASC_PRIVATE_KEY ")
    assert "\n" not in message
    assert value not in message and _pem_body(value)[:16] not in message


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "no App Store Connect key id: set ASC_KEY_ID"),
        ({"ASC_KEY_ID": KEY_ID}, "no App Store Connect private key"),
        (
            {"ASC_KEY_ID": "SHORT", "ASC_PRIVATE_KEY": "x"},
            "ASC_KEY_ID must be the 10-character key id",
        ),
        (
            {"APP_STORE_CONNECT_KEY_IDENTIFIER": "ABC123DEFGH", "ASC_PRIVATE_KEY": "x"},
            "APP_STORE_CONNECT_KEY_IDENTIFIER must be the 10-character key id shown in "
            "App Store Connect (it has 11",
        ),
        (
            {"ASC_KEY_ID": KEY_ID, "ASC_ISSUER_ID": "team", "ASC_PRIVATE_KEY": "x"},
            "ASC_ISSUER_ID must be",
        ),
        (
            {"ASC_KEY_ID": KEY_ID, "ASC_PRIVATE_KEY_PATH": "/nope.p8"},
            "ASC_PRIVATE_KEY_PATH: cannot read the file it names: No such file or directory "
            "(the path is not shown; check the variable)",
        ),
        (
            {"APP_STORE_CONNECT_API_KEY_PATH": "/nope.json"},
            "APP_STORE_CONNECT_API_KEY_PATH: cannot read",
        ),
        (
            {"ASC_KEY_ID": KEY_ID, "ASC_PRIVATE_KEY": "@env:MISSING"},
            "ASC_PRIVATE_KEY points at another variable with @env:, and that one is not set",
        ),
    ],
)
def test_missing_or_malformed_pieces_name_the_variable(env: dict[str, str], expected: str) -> None:
    with pytest.raises(
        CredentialsError, match="^" + expected.replace("(", r"\(").replace(")", r"\)")
    ):
        load_credentials(env, _files({}))


def test_a_broken_fastlane_json_file_never_echoes_its_content(ec_pem: str) -> None:
    broken = ('{"key_id": "' + KEY_ID + '", "key": "' + ec_pem).encode()  # truncated
    with pytest.raises(CredentialsError) as caught:
        load_credentials({"APP_STORE_CONNECT_API_KEY_PATH": "/k.json"}, _files({"/k.json": broken}))
    assert str(caught.value) == "APP_STORE_CONNECT_API_KEY_PATH: the file is not valid JSON"
    with pytest.raises(CredentialsError, match="must hold a JSON object"):
        load_credentials({"APP_STORE_CONNECT_API_KEY_PATH": "/k.json"}, _files({"/k.json": b"[]"}))


def test_in_house_is_noted(ec_pem: str) -> None:
    doc = {"key_id": KEY_ID, "key": ec_pem, "in_house": True}
    _, notes = load_credentials(
        {"APP_STORE_CONNECT_API_KEY_PATH": "/k.json"}, _files({"/k.json": json.dumps(doc).encode()})
    )
    assert any("in_house" in n for n in notes)


def test_credentials_never_show_the_key(ec_pem: str) -> None:
    creds, _ = load_credentials(
        {"ASC_KEY_ID": KEY_ID, "ASC_ISSUER_ID": ISSUER, "ASC_PRIVATE_KEY": ec_pem}
    )
    for text in (repr(creds), str(creds), f"{creds!r} {creds}"):
        assert _pem_body(ec_pem)[:16] not in text and "BEGIN" not in text
    assert KEY_ID in str(creds)


def test_a_password_protected_key_is_refused(ec_key: ec.EllipticCurvePrivateKey) -> None:
    locked = ec_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    ).decode()
    with pytest.raises(CredentialsError, match="password-protected"):
        load_credentials({"ASC_KEY_ID": KEY_ID, "ASC_PRIVATE_KEY": locked})


def test_an_unusable_alias_key_is_noted_not_fatal(ec_pem: str) -> None:
    env = {"ASC_KEY_ID": KEY_ID, "ASC_PRIVATE_KEY": ec_pem, "APP_STORE_CONNECT_PRIVATE_KEY": "junk"}
    creds, notes = load_credentials(env)
    assert creds.key_source == "ASC_PRIVATE_KEY"
    assert notes[-1].startswith("private key: ASC_PRIVATE_KEY and APP_STORE_CONNECT_PRIVATE_KEY")


def test_a_legacy_encrypted_pem_is_called_password_protected(
    ec_key: ec.EllipticCurvePrivateKey,
) -> None:
    locked = ec_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.BestAvailableEncryption(b"secret"),
    ).decode()
    assert "Proc-Type: 4,ENCRYPTED" in locked
    with pytest.raises(CredentialsError, match="password-protected"):
        load_credentials({"ASC_KEY_ID": KEY_ID, "ASC_PRIVATE_KEY": locked})


@pytest.mark.parametrize(
    "name",
    [
        "ASC_PRIVATE_KEY_PATH",
        "APP_STORE_CONNECT_API_KEY_KEY_FILEPATH",
        "APP_STORE_CONNECT_API_KEY_PATH",
    ],
)
@pytest.mark.parametrize("form", ["pem", "base64", "json"])
def test_key_text_put_in_a_path_variable_is_never_echoed(name: str, form: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    body = "".join(pem.decode().splitlines()[1:-1])
    value = {
        "pem": pem.decode(),
        "base64": base64.b64encode(pem).decode(),
        "json": json.dumps({"key_id": "ABCDE12345", "key": pem.decode()}),
    }[form]
    environ = {"ASC_KEY_ID": "ABCDE12345", name: value}
    with pytest.raises(CredentialsError) as raised:
        load_credentials(environ)
    message = str(raised.value)
    assert name in message
    assert body[:40] not in message and value[:40] not in message and "PRIVATE KEY" not in message
