"""`import` is the inverse of plan: what it reads, as a manifest, plans to nothing at all.

The accounts are the convergence property's (tests/test_convergence_children.py): versions in
every state, localizations with odd texts, builds, phased releases; and also the same accounts
after an apply, so imports of what reconciler itself wrote are covered too.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from reconciler.asc import AscClient
from reconciler.import_reader import read_for_import
from reconciler.importer import ImportedApp, imported_apps
from reconciler.manifest import AppEntry, Manifest, Platform, PlatformRelease
from reconciler.plan import Plan
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState, seed_state
from tests.profiles import examples
from tests.test_convergence_children import Scenario, build, scenarios


def manifest_of(apps: list[ImportedApp]) -> Manifest:
    """The manifest the imported values declare (as the YAML writer writes them)."""
    return Manifest(
        apps={
            app.bundle_id: AppEntry(
                app_id=app.app_id,
                **{p.value: PlatformRelease(**entry.values) for p, entry in app.platforms.items()},
            )
            for app in apps
        }
    )


def _import(state: SandboxState, bundle_ids: list[str] | None) -> tuple[list[ImportedApp], int]:
    app = SandboxApp(state)
    with AscClient("https://sandbox.test", transport=app.transport()) as client:
        imported = imported_apps(read_for_import(client, bundle_ids))
        return imported, client.request_count


def _plan(state: SandboxState, manifest: Manifest) -> Plan:
    with AscClient("https://sandbox.test", transport=SandboxApp(state).transport()) as client:
        return make_plan(manifest, read_state(client, manifest))


def test_the_demo_account_imports_to_a_manifest_that_plans_no_changes() -> None:
    state = seed_state()
    apps, requests = _import(state, None)
    assert [a.bundle_id for a in apps] == sorted(a.bundle_id for a in state)
    assert requests == 1 + len(apps)  # every app in one list, then one read per app
    plan = _plan(state, manifest_of(apps))
    assert plan.changes == () and plan.deferred == () and plan.errors == ()
    weather = next(a for a in apps if a.bundle_id == "com.example.weather")
    assert weather.platforms[Platform.IOS].state == "PREPARE_FOR_SUBMISSION"
    assert weather.missing == (Platform.VISIONOS,)


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenarios())
def test_import_then_plan_shows_no_changes(scenario: Scenario) -> None:
    state = build(scenario)
    bundle_ids = sorted(app.bundle_id for app in state)
    if not bundle_ids:
        return
    apps, _ = _import(state, bundle_ids)
    plan = _plan(state, manifest_of(apps))
    assert plan.changes == (), plan.changes
    assert plan.deferred == () and plan.errors == (), plan
    # Every platform with a version is imported; the others are named as left out.
    for app in apps:
        record = state.app_by_bundle_id(app.bundle_id)
        assert record is not None
        remote = {v.platform for v in state.versions(record.id)}
        assert {p.api for p in app.platforms} == remote
        assert set(app.platforms) | set(app.missing) == set(Platform)
