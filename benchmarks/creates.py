"""What the apply benchmarks share: an account of N apps whose manifest asks each for a new
iOS version (N creates), and the checks after an apply (no duplicate, nothing left to do)."""

from __future__ import annotations

from reconciler.asc import AscClient
from reconciler.manifest import AppEntry, Manifest, PlatformRelease
from reconciler.plan import Plan
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState

WRITES = frozenset({"POST", "PATCH", "DELETE"})


def account(count: int, copyright: str | None = None) -> tuple[SandboxState, Manifest]:
    """Every app has a live iOS 1.0; the manifest asks for 1.1."""
    state = SandboxState()
    apps: dict[str, AppEntry] = {}
    for i in range(count):
        bundle_id = f"com.example.app{i:05d}"
        app_id = state.add_app(bundle_id, name=f"App {i}")
        state.add_version(
            app_id, platform="IOS", version_string="1.0", app_version_state="READY_FOR_DISTRIBUTION"
        )
        apps[bundle_id] = AppEntry(ios=PlatformRelease(version="1.1", copyright=copyright))
    return state, Manifest(apps=apps)


def plan_of(state: SandboxState, manifest: Manifest) -> Plan:
    """The plan of the account as it stands, read without faults."""
    with AscClient("https://sandbox.test", transport=SandboxApp(state).transport()) as client:
        return make_plan(manifest, read_state(client, manifest))


def duplicates_after(state: SandboxState, manifest: Manifest) -> int:
    """Extra 1.1 versions in the sandbox's own state; exits when a fresh plan is not empty."""
    extra = 0
    for bundle_id in manifest.apps:
        found = state.app_by_bundle_id(bundle_id)
        assert found is not None
        made = [v for v in state.versions(found.id, "IOS") if v.version_string == "1.1"]
        extra += max(0, len(made) - 1)
    if plan_of(state, manifest).changes:
        raise SystemExit(f"{len(manifest.apps)} apps: a plan after apply still has changes")
    return extra
