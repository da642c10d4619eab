"""Fixtures for the App Store Connect client tests: generated keys, fake clocks, the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from reconciler.asc import AscClient, Credentials, JwtAuth, RetryPolicy, load_credentials
from reconciler.sandbox import SandboxApp, SandboxState
from reconciler.sandbox.auth import TokenChecker
from tests.openapi import to_json_schema, validate
from tests.sandbox.conformance import check

KEY_ID = "ABC123DEFG"
ISSUER = "57246542-96fe-1a63-e053-0824d011072a"
T0 = 1_800_000_000.0  # a fixed wall-clock instant (2027)
APP = "1000000001"  # com.example.weather, the one app of the sandbox account


@dataclass
class FakeClock:
    """A clock whose sleep only moves time forward and remembers each wait."""

    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def ec_pem(ec_key: ec.EllipticCurvePrivateKey) -> str:
    return ec_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def credentials(ec_pem: str) -> Credentials:
    env = {"ASC_KEY_ID": KEY_ID, "ASC_ISSUER_ID": ISSUER, "ASC_PRIVATE_KEY": ec_pem}
    return load_credentials(env)[0]


@pytest.fixture
def clock() -> FakeClock:
    """Monotonic time for the client (request timing, back-off)."""
    return FakeClock()


@pytest.fixture
def wall() -> FakeClock:
    """Wall-clock time shared by JwtAuth and the sandbox."""
    return FakeClock(now=T0)


def _public_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.fixture
def sandbox(wall: FakeClock, ec_key: ec.EllipticCurvePrivateKey) -> SandboxApp:
    """The sandbox with one app and no versions, checking tokens against the test key."""
    state = SandboxState()
    state.add_app("com.example.weather", app_id=APP)
    return SandboxApp(
        state,
        public_key_pem=_public_pem(ec_key),
        clock=lambda: datetime.fromtimestamp(wall(), UTC),
        sleep=wall.sleep,  # only injected latency sleeps, and none is injected here
    )


def add_version(sandbox: SandboxApp, platform: str, version: str, state: str) -> str:
    """A version of the test app, in any state; returns its id."""
    return sandbox.state.add_version(
        APP, platform=platform, version_string=version, app_version_state=state
    )


def authorizations(sandbox: SandboxApp) -> list[str | None]:
    """The Authorization header of each request the sandbox received, in order."""
    return [request.headers.get("Authorization") for request in sandbox.received]


def reject_the_key(sandbox: SandboxApp) -> None:
    """From now on the sandbox knows only another key, as after the key was revoked."""
    other = ec.generate_private_key(ec.SECP256R1())
    sandbox.checker = TokenChecker(_public_pem(other), sandbox.clock)


def _checked(sandbox: SandboxApp) -> httpx.MockTransport:
    """The sandbox, with every answer checked against Apple's OpenAPI subset on the way, so no
    client test relies on a shape Apple would not send."""
    errors = to_json_schema({"$ref": "#/components/schemas/ErrorResponse"})

    def answer(request: httpx.Request) -> httpx.Response:
        response = sandbox(request)
        if response.status_code > 500:  # an injected 5xx: the document declares none
            validate(response.json(), errors)
        else:
            check(response)
        return response

    return httpx.MockTransport(answer)


MakeClient = Callable[..., AscClient]


@pytest.fixture
def make_client(
    sandbox: SandboxApp, credentials: Credentials, clock: FakeClock, wall: FakeClock
) -> MakeClient:
    """An AscClient on the sandbox, signed with the test key; keyword arguments override."""

    def make(**overrides: Any) -> AscClient:
        options: dict[str, Any] = {
            "auth": JwtAuth(credentials, wall),
            "transport": _checked(sandbox),
            "retry": RetryPolicy.no_wait(),
            "clock": clock,
            "sleep": clock.sleep,
            "random": lambda: 0.5,
        }
        options.update(overrides)
        return AscClient(**options)

    return make


# A STATE_ERROR with nested errors under meta.associatedErrors: the shape FACTS §3 describes
# (fastlane's format_errors), not a captured body. The sandbox never sends one.
STATE_WITH_ASSOCIATED: dict[str, Any] = {
    "errors": [
        {
            "id": "5f1a4b9e-0000-4000-8000-000000000001",
            "status": "409",
            "code": "STATE_ERROR",
            "title": "The request cannot be fulfilled because of the state of another resource.",
            "detail": "Submission is not possible.",
            "meta": {
                "associatedErrors": {
                    "/v1/appStoreVersionLocalizations/loc-1": [
                        {
                            "status": "409",
                            "code": "ENTITY_ERROR.ATTRIBUTE.REQUIRED",
                            "title": "The provided entity is missing a required attribute",
                            "detail": "You must provide a value for the attribute 'whatsNew'.",
                            "source": {"pointer": "/data/attributes/whatsNew"},
                        }
                    ]
                }
            },
        }
    ]
}
