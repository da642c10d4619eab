"""make_plan(manifest, state) -> Plan: each kind plans its part of each app and platform.
Pure and deterministic. The rules themselves live in the kinds (`reconciler.kinds`); here are
only what concerns the app as a whole (it must exist, its id must match) and targeting.
"""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.kinds import all_kinds
from reconciler.manifest import Manifest, Platform
from reconciler.plan import Change, Deferral, Plan, PlanItem, PlanProblem, Target
from reconciler.state import RemoteState

__all__ = ["Target", "is_targeted", "make_plan"]


def make_plan(
    manifest: Manifest, state: RemoteState, targets: Iterable[Target] | None = None
) -> Plan:
    """Plan every targeted app and platform of the manifest against the remote state."""
    wanted_targets = [Target(*t) for t in targets] if targets is not None else None
    items: list[PlanItem] = []
    for bundle_id, entry in manifest.apps.items():
        platforms = [p for p in entry.platforms() if is_targeted(wanted_targets, bundle_id, p)]
        if not platforms:
            continue
        app = state.apps.get(bundle_id)
        if app is None:
            items.append(_app_missing(bundle_id))
            continue
        if entry.app_id is not None and entry.app_id != app.id:
            items.append(_app_id_mismatch(bundle_id, entry.app_id, app.id))
            continue
        for platform in platforms:
            spec = entry.platforms()[platform]
            for kind in all_kinds():
                items.extend(kind.plan(app, platform, spec))
    return Plan(
        changes=tuple(i for i in items if isinstance(i, Change)),
        deferred=tuple(i for i in items if isinstance(i, Deferral)),
        errors=tuple(i for i in items if isinstance(i, PlanProblem)),
        targets=tuple(sorted(set(wanted_targets), key=str)) if wanted_targets is not None else None,
    )


def is_targeted(targets: Iterable[Target] | None, bundle_id: str, platform: Platform) -> bool:
    """Whether a full plan (targets None) or one of the targets covers this app and platform."""
    if targets is None:
        return True
    return any(b == bundle_id and p in (None, platform) for b, p in targets)


def _app_missing(bundle_id: str) -> PlanProblem:
    return PlanProblem(
        app=bundle_id,
        rule="app-not-found",
        message=(
            f"no app with bundle id {bundle_id} in App Store Connect: create the app there "
            "first (the API cannot create apps), or check the bundle id and the key's access."
        ),
    )


def _app_id_mismatch(bundle_id: str, declared: str, actual: str) -> PlanProblem:
    return PlanProblem(
        app=bundle_id,
        rule="app-id-mismatch",
        message=(
            f"app_id {declared} does not match: App Store Connect has {bundle_id} as app "
            f"{actual}. Fix or remove app_id."
        ),
    )
