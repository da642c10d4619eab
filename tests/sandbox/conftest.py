"""Fixtures for the sandbox tests: the seed account, a fixed clock, a client on MockTransport."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from reconciler.sandbox import SandboxApp, SandboxState, seed_state

BASE = "https://api.appstoreconnect.apple.com"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WEATHER, WATCH, NOTES, PODCASTS, CHESS = (
    "1234567890",
    "1234567891",
    "2234567890",
    "3234567890",
    "4234567890",
)


def fixed_clock() -> datetime:
    return NOW


@pytest.fixture
def state() -> SandboxState:
    return seed_state()


@pytest.fixture
def app(state: SandboxState) -> SandboxApp:
    return SandboxApp(state, clock=fixed_clock)


@pytest.fixture
def client(app: SandboxApp) -> Iterator[httpx.Client]:
    with httpx.Client(transport=app.transport(), base_url=BASE) as http:
        yield http


def create_body(app_id: str, platform: str = "IOS", version: str = "9.0", **attrs: Any) -> Any:
    return {
        "data": {
            "type": "appStoreVersions",
            "attributes": {"platform": platform, "versionString": version, **attrs},
            "relationships": {"app": {"data": {"type": "apps", "id": app_id}}},
        }
    }


def patch_body(version_id: str, **attrs: Any) -> Any:
    return {"data": {"type": "appStoreVersions", "id": version_id, "attributes": attrs}}


def version_id(state: SandboxState, app_id: str, platform: str, version: str) -> str:
    for v in state.versions(app_id, platform):
        if v.version_string == version:
            return v.id
    raise KeyError(version)


def only_error(response: httpx.Response) -> dict[str, Any]:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]  # type: ignore[no-any-return]
