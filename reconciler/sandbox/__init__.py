"""The App Store Connect simulator: a second, independent implementation of Apple's rules.

It imports nothing from the rest of `reconciler` (DESIGN §5): only the standard library, httpx
and PyJWT/cryptography. See README.md in this folder for what it simulates and what it does not.
"""

from __future__ import annotations

from reconciler.sandbox.app import SandboxApp
from reconciler.sandbox.errors import ApiProblem
from reconciler.sandbox.faults import FaultSpec, FaultSpecError
from reconciler.sandbox.lifecycle import ACTIONS, LifecycleError, advance
from reconciler.sandbox.seed import seed_state, seed_text
from reconciler.sandbox.server import SandboxServer
from reconciler.sandbox.state import AppRecord, SandboxState, StateFileError, VersionRecord

__all__ = [
    "ACTIONS",
    "ApiProblem",
    "AppRecord",
    "FaultSpec",
    "FaultSpecError",
    "LifecycleError",
    "SandboxApp",
    "SandboxServer",
    "SandboxState",
    "StateFileError",
    "VersionRecord",
    "advance",
    "seed_state",
    "seed_text",
]
