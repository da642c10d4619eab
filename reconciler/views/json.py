"""The plan's public, versioned JSON form (docs/plan-json.md). Pure."""

from __future__ import annotations

import json
from typing import Any

from reconciler.plan import Change, Deferral, Plan, PlanProblem
from reconciler.views.words import FORMAT_VERSION

__all__ = ["plan_json"]


def plan_json(plan: Plan) -> str:
    """The public, versioned JSON form (docs/plan-json.md): sorted keys, two-space indent,
    a trailing newline. Fields are named here, not taken from the models, so that a field
    added to a model never reaches the public format unless it is added here too."""
    counts = plan.summary()
    document = {
        "format_version": FORMAT_VERSION,
        "changes": [_json_item(c) for c in plan.changes],
        "deferred": [_json_item(d) for d in plan.deferred],
        "errors": [_json_item(e) for e in plan.errors],
        "summary": {key: counts[key] for key in _SUMMARY_FIELDS},
        "partial": plan.targets is not None,
        "targets": sorted(str(t) for t in plan.targets) if plan.targets is not None else None,
        "checksum": plan.checksum,
    }
    return json.dumps(document, indent=2, sort_keys=True, default=str) + "\n"


_SUMMARY_FIELDS = ("create", "update", "delete", "submit", "release", "deferred", "errors")
_JSON_FIELDS: dict[type, tuple[str, ...]] = {
    Change: (
        *("kind", "app", "app_id", "platform", "action"),
        *("version", "version_id", "before", "after"),
        *("key", "resource_id"),
    ),
    Deferral: (
        *("app", "platform", "version", "waiting_on", "waiting_on_id", "waiting_on_state"),
        *("kind", "reason", "until"),
    ),
    PlanProblem: ("app", "platform", "version", "rule", "message"),
}


def _json_item(item: Change | Deferral | PlanProblem) -> dict[str, Any]:
    # Platform and Action are str enums: json writes them as their values.
    return {name: getattr(item, name) for name in _JSON_FIELDS[type(item)]}
