"""ES256 tokens: claims, caching, re-minting before expiry and once on a 401."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from reconciler.asc import Credentials, JwtAuth
from reconciler.errors import CredentialsRejectedError
from reconciler.sandbox import SandboxApp
from tests.asc.conftest import (
    ISSUER,
    KEY_ID,
    T0,
    FakeClock,
    MakeClient,
    authorizations,
    reject_the_key,
)


def _claims(token: str, key: ec.EllipticCurvePrivateKey) -> dict[str, object]:
    return jwt.decode(
        token,
        key.public_key(),
        algorithms=["ES256"],
        audience="appstoreconnect-v1",
        options={"verify_exp": False, "verify_iat": False},
    )


def test_a_team_token_carries_what_apple_asks_for(
    credentials: Credentials, wall: FakeClock, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    token = JwtAuth(credentials, wall).token()
    assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": KEY_ID, "typ": "JWT"}
    claims = _claims(token, ec_key)
    assert claims["iss"] == ISSUER and "sub" not in claims
    assert claims["aud"] == "appstoreconnect-v1"
    assert claims["iat"] == T0 - 60  # back-dated for clock skew
    assert 0 < claims["exp"] - T0 <= 20 * 60  # type: ignore[operator]
    assert claims["exp"] - claims["iat"] <= 20 * 60  # type: ignore[operator]


def test_an_individual_token_has_sub_user_and_no_iss(
    credentials: Credentials, wall: FakeClock, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    individual = Credentials(KEY_ID, None, credentials.private_key, "test")
    claims = _claims(JwtAuth(individual, wall).token(), ec_key)
    assert claims["sub"] == "user" and "iss" not in claims


def test_the_token_is_cached_and_re_minted_shortly_before_expiry(
    credentials: Credentials, wall: FakeClock, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    auth = JwtAuth(credentials, wall)
    first = auth.token()
    wall.now += 10 * 60
    assert auth.token() == first and auth.mint_count == 1
    exp = _claims(first, ec_key)["exp"]
    wall.now = float(exp) - 30  # type: ignore[arg-type] # inside the refresh margin
    second = auth.token()
    assert second != first and auth.mint_count == 2
    assert _claims(second, ec_key)["exp"] > wall.now + 10 * 60  # type: ignore[operator]


def test_a_lifetime_over_twenty_minutes_is_refused(credentials: Credentials) -> None:
    with pytest.raises(ValueError, match="lifetime"):
        JwtAuth(credentials, lifetime=20 * 60)


def test_a_client_keeps_working_across_token_expiry(
    make_client: MakeClient, sandbox: SandboxApp, wall: FakeClock
) -> None:
    with make_client() as client:
        client.get("/v1/apps")
        wall.now += 16 * 60  # the first token has expired by the sandbox's clock
        client.get("/v1/apps")
    assert len(set(authorizations(sandbox))) == 2
    assert client.request_count == 2  # re-minted before sending, not after a 401


def test_a_401_is_answered_by_one_fresh_token_then_success(
    make_client: MakeClient, sandbox: SandboxApp, credentials: Credentials, wall: FakeClock
) -> None:
    sandbox.fail_next("GET", "/v1/apps", "401")
    auth = JwtAuth(credentials, wall)
    client = make_client(auth=auth)
    document = client.get("/v1/apps")
    assert document["data"][0]["id"] == "1000000001"
    assert client.request_count == 2 and auth.mint_count == 2
    first, second = authorizations(sandbox)
    assert first and second and first != second


def test_a_401_is_re_sent_once_even_for_a_post(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    sandbox.fail_next("POST", "/v1/appStoreVersions", "401")
    body = {
        "data": {
            "type": "appStoreVersions",
            "attributes": {"platform": "IOS", "versionString": "1.0"},
            "relationships": {"app": {"data": {"type": "apps", "id": "1000000001"}}},
        }
    }
    client = make_client()
    assert client.post("/v1/appStoreVersions", body)["data"]["attributes"]["versionString"] == "1.0"
    assert client.request_count == 2  # a 401 means Apple did nothing, so this is safe


def test_a_second_401_means_the_credentials_are_rejected(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    reject_the_key(sandbox)
    client = make_client()
    with pytest.raises(CredentialsRejectedError) as caught:
        client.get("/v1/apps", {"limit": 1})
    message = str(caught.value)
    assert message.startswith("credentials rejected: App Store Connect answered HTTP 401 to GET")
    assert "Provide a properly configured and signed bearer token" in message
    assert "Check the key" in message
    assert caught.value.codes == ["NOT_AUTHORIZED"]
    assert client.request_count == 2
