"""Bearer tokens are checked like Apple's when a public key is given (FACTS §4)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from reconciler.sandbox import SandboxApp, SandboxState

NOW = 1_800_000_000
NOT_AUTHORIZED = {
    "status": "401",
    "code": "NOT_AUTHORIZED",
    "title": "Authentication credentials are missing or invalid.",
    "detail": "Provide a properly configured and signed bearer token, and make sure that it has "
    "not expired. Learn more about Generating Tokens for API Requests "
    "https://developer.apple.com/go/?id=api-generating-tokens",
}


@pytest.fixture(scope="module")
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def token(
    key: Any, *, headers: dict[str, Any] | None = None, alg: str = "ES256", **claims: Any
) -> str:
    payload = {
        "iss": "57246542-96fe-1a63-e053-0824d011072a",
        "iat": NOW,
        "exp": NOW + 1200,
        "aud": "appstoreconnect-v1",
    }
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": "ABC123DEFG", **(headers or {})})


def answer(key: ec.EllipticCurvePrivateKey, authorization: str | None) -> httpx.Response:
    app = SandboxApp(
        SandboxState(), public_key_pem=pem(key), clock=lambda: datetime.fromtimestamp(NOW, UTC)
    )
    headers = {"Authorization": authorization} if authorization else {}
    with httpx.Client(transport=app.transport(), base_url="https://x.test") as client:
        return client.get("/v1/apps", headers=headers)


def test_a_good_team_token_passes(key: ec.EllipticCurvePrivateKey) -> None:
    assert answer(key, f"Bearer {token(key)}").status_code == 200


def test_an_individual_key_token_with_sub_user_passes(key: ec.EllipticCurvePrivateKey) -> None:
    assert answer(key, f"Bearer {token(key, iss=None, sub='user')}").status_code == 200


def test_iat_is_optional(key: ec.EllipticCurvePrivateKey) -> None:
    assert answer(key, f"Bearer {token(key, iat=None)}").status_code == 200


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "not bearer",
        "garbage",
        "expired",
        "lifetime over 20 minutes",
        "wrong audience",
        "no issuer nor sub",
        "no kid",
        "another key",
        "HS256",
        "no exp",
    ],
)
def test_a_bad_token_gets_apples_exact_401(key: ec.EllipticCurvePrivateKey, case: str) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    authorization = {
        "missing": None,
        "not bearer": f"Basic {token(key)}",
        "garbage": "Bearer abc.def.ghi",
        "expired": f"Bearer {token(key, exp=NOW - 1)}",
        "lifetime over 20 minutes": f"Bearer {token(key, exp=NOW + 1201)}",
        "wrong audience": f"Bearer {token(key, aud='appstoreconnect-v2')}",
        "no issuer nor sub": f"Bearer {token(key, iss=None)}",
        "no kid": "Bearer "
        + jwt.encode(
            {"iss": "x", "exp": NOW + 60, "aud": "appstoreconnect-v1"}, key, algorithm="ES256"
        ),
        "another key": f"Bearer {token(other)}",
        "HS256": f"Bearer {token('secret-secret-secret-secret-secret!', alg='HS256')}",
        "no exp": f"Bearer {token(key, exp=None)}",
    }[case]
    response = answer(key, authorization)
    assert response.status_code == 401
    assert response.json() == {"errors": [NOT_AUTHORIZED]}
    assert "X-Rate-Limit" in response.headers


def test_without_a_public_key_auth_is_not_checked() -> None:
    app = SandboxApp(SandboxState())
    with httpx.Client(transport=app.transport(), base_url="https://x.test") as client:
        assert client.get("/v1/apps").status_code == 200


def test_the_default_clock_is_the_wall_clock(key: ec.EllipticCurvePrivateKey) -> None:
    app = SandboxApp(SandboxState(), public_key_pem=pem(key))
    now = int(time.time())
    good = token(key, iat=now, exp=now + 600)
    with httpx.Client(transport=app.transport(), base_url="https://x.test") as client:
        assert (
            client.get("/v1/apps", headers={"Authorization": f"Bearer {good}"}).status_code == 200
        )


def test_a_public_key_that_is_not_p256_is_refused() -> None:
    p384 = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(ValueError, match="P-256"):
        SandboxApp(SandboxState(), public_key_pem=pem(p384))
