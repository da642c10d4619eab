"""App Store Connect API credentials, read from the environment the way CI holds them.

Sources, in order of precedence for each piece (our names win over aliases):

    key id      ASC_KEY_ID, APP_STORE_CONNECT_API_KEY_KEY_ID (fastlane),
                APP_STORE_CONNECT_KEY_IDENTIFIER (codemagic), key_id in fastlane's JSON file
    issuer id   ASC_ISSUER_ID, APP_STORE_CONNECT_API_KEY_ISSUER_ID, APP_STORE_CONNECT_ISSUER_ID,
                issuer_id in the JSON file; absent everywhere = an individual key
    key         ASC_PRIVATE_KEY_PATH, ASC_PRIVATE_KEY, APP_STORE_CONNECT_API_KEY_KEY_FILEPATH,
                APP_STORE_CONNECT_API_KEY_KEY, APP_STORE_CONNECT_PRIVATE_KEY, key in the JSON file
                (fastlane's JSON file is named by APP_STORE_CONNECT_API_KEY_PATH)

A key value may be PEM text, PEM with literal `\\n`, base64 of the PEM (or of the DER body), or
codemagic's `@file:PATH` / `@env:NAME`. Error messages and notes name variables, never values:
not even a path, since a key put in a path variable by mistake would be printed with it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    load_der_private_key,
    load_pem_private_key,
)

from reconciler.errors import CredentialsError

__all__ = ["Credentials", "load_credentials"]

_KEY_ID = re.compile(r"^[A-Za-z0-9]{10}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_PEM_LABEL = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----")
_FASTLANE_JSON = "APP_STORE_CONNECT_API_KEY_PATH"
# cryptography cannot load keys on some curves (sect163k1, ...): none of them is P-256.
_UNSUPPORTED = "it uses a curve or algorithm this reconciler cannot read (Apple's keys are P-256)"


@dataclass(frozen=True)
class Credentials:
    """A key id, an issuer id (None for an individual key) and the parsed EC P-256 key.

    The key is held as a `cryptography` key object, excluded from repr and comparison, so
    printing or logging a Credentials never shows it.
    """

    key_id: str
    issuer_id: str | None
    private_key: ec.EllipticCurvePrivateKey = field(repr=False, compare=False)
    key_source: str = ""

    def __str__(self) -> str:
        kind = f"team key, issuer {self.issuer_id}" if self.issuer_id else "individual key"
        return f"App Store Connect API key {self.key_id} ({kind}, from {self.key_source})"


def _read_path(path: Path) -> bytes:
    return path.read_bytes()


@dataclass(frozen=True)
class _Value:
    source: str  # the variable (or file field) it came from, for messages
    text: str
    is_path: bool = False


def load_credentials(
    environ: Mapping[str, str], read_file: Callable[[Path], bytes] = _read_path
) -> tuple[Credentials, list[str]]:
    """Resolve credentials from `environ`; return them with notes the CLI may print.

    Raises CredentialsError (one line, naming the variable) when a piece is missing or unusable.
    """
    notes: list[str] = []
    env = {k: v.strip() for k, v in environ.items() if v.strip()}
    file_fields = _fastlane_json(env, read_file)

    def candidates(names: list[str], json_field: str) -> list[_Value]:
        found = [_Value(n, env[n], n.endswith("PATH")) for n in names if n in env]
        if json_field in file_fields:
            found.append(_Value(f"{_FASTLANE_JSON} ({json_field})", file_fields[json_field]))
        return found

    key_ids = candidates(
        ["ASC_KEY_ID", "APP_STORE_CONNECT_API_KEY_KEY_ID", "APP_STORE_CONNECT_KEY_IDENTIFIER"],
        "key_id",
    )
    issuers = candidates(
        ["ASC_ISSUER_ID", "APP_STORE_CONNECT_API_KEY_ISSUER_ID", "APP_STORE_CONNECT_ISSUER_ID"],
        "issuer_id",
    )
    keys = candidates(
        [
            "ASC_PRIVATE_KEY_PATH",
            "ASC_PRIVATE_KEY",
            "APP_STORE_CONNECT_API_KEY_KEY_FILEPATH",
            "APP_STORE_CONNECT_API_KEY_KEY",
            "APP_STORE_CONNECT_PRIVATE_KEY",
        ],
        "key",
    )
    if not key_ids:
        raise CredentialsError(
            "no App Store Connect key id: set ASC_KEY_ID (and ASC_ISSUER_ID, ASC_PRIVATE_KEY)"
        )
    if not keys:
        raise CredentialsError(
            "no App Store Connect private key: set ASC_PRIVATE_KEY_PATH (the .p8 file) "
            "or ASC_PRIVATE_KEY (its text)"
        )

    key_id = _pick(key_ids, notes, "key id")
    if not _KEY_ID.match(key_id.text):
        raise CredentialsError(
            f"{key_id.source} must be the 10-character key id shown in App Store Connect "
            f"(it has {len(key_id.text)} characters)"
        )
    issuer_id: str | None = None
    if issuers:
        issuer = _pick(issuers, notes, "issuer id")
        if not _UUID.match(issuer.text):
            raise CredentialsError(
                f"{issuer.source} must be the issuer id (a UUID) shown in App Store Connect"
            )
        issuer_id = issuer.text
    else:
        notes.append("no issuer id set: using an individual API key (JWT subject 'user')")

    private_key = _load_key(keys[0], env, read_file)
    for other in keys[1:]:
        if not _same_key(private_key, other, env, read_file):
            notes.append(
                f"private key: {keys[0].source} and {other.source} differ; using {keys[0].source}"
            )
    if file_fields.get("in_house", "").lower() == "true":
        notes.append(f"{_FASTLANE_JSON}: in_house (Enterprise) is ignored")
    creds = Credentials(key_id.text, issuer_id, private_key, keys[0].source)
    return creds, notes


def _pick(values: list[_Value], notes: list[str], what: str) -> _Value:
    chosen = values[0]
    for other in values[1:]:
        if other.text != chosen.text:
            notes.append(
                f"{what}: {chosen.source} and {other.source} differ; using {chosen.source}"
            )
    return chosen


def _fastlane_json(env: Mapping[str, str], read_file: Callable[[Path], bytes]) -> dict[str, str]:
    if _FASTLANE_JSON not in env:
        return {}
    raw = _read_named_file(_FASTLANE_JSON, env[_FASTLANE_JSON], read_file, "its JSON key file")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        # The decoder's message may quote the file's content (the key), so it is dropped.
        raise CredentialsError(f"{_FASTLANE_JSON}: the file is not valid JSON") from None
    if not isinstance(data, dict):
        raise CredentialsError(f"{_FASTLANE_JSON}: the file must hold a JSON object")
    return {
        k: str(v).strip() if not isinstance(v, bool) else str(v).lower()
        for k, v in data.items()
        if k in ("key_id", "issuer_id", "key", "in_house") and v not in (None, "")
    }


_BASE64_TEXT = re.compile(r"^[A-Za-z0-9+/_-]+=*$")


def _looks_like(value: str) -> str | None:
    """What a value that should be a path looks like instead, or None if it could be a path.

    Only the kind is ever named: the value itself may be the key, so it is never echoed.
    """
    if "-----BEGIN" in value or "PRIVATE KEY" in value:
        return "PEM key text"
    if value.lstrip().startswith(("{", "[")):
        return "JSON text"
    if "\n" in value or "\\n" in value:
        return "text of several lines"
    compact = "".join(value.split())
    if len(compact) >= 24 and "." not in compact and _BASE64_TEXT.match(compact):
        return "base64 key text"
    return None


def _read_named_file(
    source: str, path: str, read_file: Callable[[Path], bytes], what: str = "the file it names"
) -> bytes:
    """The bytes of the file a variable names. Errors name the variable, never the path: a
    key put in a path variable by mistake must not be printed."""
    try:
        return read_file(Path(path).expanduser())
    except (OSError, RuntimeError, ValueError) as exc:  # RuntimeError: `~nosuchuser`
        kind = _looks_like(path)
        if kind is not None:
            fix = (
                "put the key text in ASC_PRIVATE_KEY"
                if source != _FASTLANE_JSON
                else f"{_FASTLANE_JSON} names fastlane's JSON key file"
            )
            raise CredentialsError(
                f"{source} should name a file, but its value looks like {kind}, not a path: {fix}"
            ) from None
        if isinstance(exc, OSError):
            reason = exc.strerror or type(exc).__name__
        elif isinstance(exc, RuntimeError):
            reason = "its ~ names no known user"
        else:
            reason = "not a usable path"
        raise CredentialsError(
            f"{source}: cannot read {what}: {reason} (the path is not shown; check the variable)"
        ) from None


def _key_bytes(value: _Value, env: Mapping[str, str], read_file: Callable[[Path], bytes]) -> bytes:
    text = value.text
    if text.startswith("@env:"):  # codemagic's indirection
        name = text[5:]
        if name not in env:
            raise CredentialsError(
                f"{value.source} points at another variable with @env:, and that one is not set"
            )
        text = env[name]
    if text.startswith("@file:"):
        return _read_named_file(value.source, text[6:], read_file, "the file its @file: names")
    if value.is_path:
        return _read_named_file(value.source, text, read_file)
    if "-----BEGIN" not in text and text.lower().endswith(".p8") and len(text) < 400:
        raise CredentialsError(
            f"{value.source} looks like a file path; put the path in ASC_PRIVATE_KEY_PATH"
        )
    return text.encode()


def _load_key(
    value: _Value, env: Mapping[str, str], read_file: Callable[[Path], bytes]
) -> ec.EllipticCurvePrivateKey:
    raw = _key_bytes(value, env, read_file)
    not_key = f"{value.source} does not hold an App Store Connect private key (a .p8 EC P-256 key)"
    text = raw.decode("utf-8", errors="replace").strip().replace("\\n", "\n").replace("\r", "")
    if "-----BEGIN" not in text:
        # Base64 is recognised by content, so APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64
        # (fastlane's flag) needs no reading: PEM text always has a BEGIN line.
        try:
            decoded = base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            raise CredentialsError(f"{not_key}: it is neither PEM text nor base64") from None
        if b"-----BEGIN" not in decoded:
            return _check_key(_der(decoded, not_key), value, not_key)
        text = decoded.decode("utf-8", errors="replace").strip().replace("\r", "")
    label = _PEM_LABEL.search(text)
    kind = label.group(1) if label else "?"
    if kind == "ENCRYPTED PRIVATE KEY" or "Proc-Type: 4,ENCRYPTED" in text:
        raise CredentialsError(f"{not_key}: the key is password-protected")
    if kind not in ("PRIVATE KEY", "EC PRIVATE KEY"):
        raise CredentialsError(f"{not_key}: found a PEM block of type {kind!r}")
    try:
        key = load_pem_private_key(text.encode(), password=None)
    except UnsupportedAlgorithm:
        raise CredentialsError(f"{not_key}: {_UNSUPPORTED}") from None
    except (TypeError, ValueError):
        raise CredentialsError(f"{not_key}: the PEM text is damaged") from None
    return _check_key(key, value, not_key)


def _der(data: bytes, not_key: str) -> object:
    try:
        return load_der_private_key(data, password=None)
    except UnsupportedAlgorithm:
        raise CredentialsError(f"{not_key}: {_UNSUPPORTED}") from None
    except (TypeError, ValueError):
        raise CredentialsError(f"{not_key}: the base64 decodes to no key") from None


def _check_key(key: object, value: _Value, not_key: str) -> ec.EllipticCurvePrivateKey:
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        kind = type(key).__name__.replace("PrivateKey", "").lstrip("_") or "unknown"
        raise CredentialsError(f"{not_key}: it is a {kind} key")
    if not isinstance(key.curve, ec.SECP256R1):
        raise CredentialsError(f"{not_key}: it is an EC key on curve {key.curve.name}, not P-256")
    return key


def _same_key(
    key: ec.EllipticCurvePrivateKey,
    other: _Value,
    env: Mapping[str, str],
    read_file: Callable[[Path], bytes],
) -> bool:
    try:
        other_key = _load_key(other, env, read_file)
    except CredentialsError:
        return False
    return bool(key.private_numbers() == other_key.private_numbers())
