"""The demo account every `--sandbox` run starts from, shipped inside the package."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from importlib import resources

from reconciler.sandbox.state import SandboxState

__all__ = ["SEED_NAME", "seed_state", "seed_text"]

SEED_NAME = "sandbox-account.json"


def seed_text() -> str:
    return resources.files("reconciler.sandbox").joinpath(SEED_NAME).read_text(encoding="utf-8")


def seed_state(clock: Callable[[], datetime] | None = None) -> SandboxState:
    """A fresh copy of the seed account: five apps in different states."""
    return SandboxState.from_json(json.loads(seed_text()), clock=clock)
