"""Fixtures for the App Store Connect client tests: generated keys, fake clocks, the fake API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from reconciler.asc import AscClient, Credentials, JwtAuth, RetryPolicy, load_credentials
from tests.asc.fake import FakeAsc

KEY_ID = "ABC123DEFG"
ISSUER = "57246542-96fe-1a63-e053-0824d011072a"
T0 = 1_800_000_000.0  # a fixed wall-clock instant (2027)


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
    """Wall-clock time shared by JwtAuth and the fake API."""
    return FakeClock(now=T0)


@pytest.fixture
def fake(wall: FakeClock, ec_key: ec.EllipticCurvePrivateKey) -> FakeAsc:
    api = FakeAsc(wall=wall, public_key=ec_key.public_key())
    api.add_app("1000000001", "com.example.weather")
    return api


MakeClient = Callable[..., AscClient]


@pytest.fixture
def make_client(
    fake: FakeAsc, credentials: Credentials, clock: FakeClock, wall: FakeClock
) -> MakeClient:
    """An AscClient on the fake, signed with the test key; keyword arguments override."""

    def make(**overrides: Any) -> AscClient:
        options: dict[str, Any] = {
            "auth": JwtAuth(credentials, wall),
            "transport": httpx.MockTransport(fake),
            "retry": RetryPolicy.no_wait(),
            "clock": clock,
            "sleep": clock.sleep,
            "random": lambda: 0.5,
        }
        options.update(overrides)
        return AscClient(**options)

    return make
