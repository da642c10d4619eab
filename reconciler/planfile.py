"""Saved plans (`plan --out`): the desired state, the remote objects read with a fingerprint
of each, and the plan. Pure: text in, values out.

The file is canonical JSON (sorted keys) with no timestamps, so the same plan of the same state
gives the same bytes, and `apply` can tell exactly which object moved since the plan.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from reconciler.errors import PlanFileError
from reconciler.manifest import Manifest, Platform
from reconciler.plan import Plan
from reconciler.state import RemoteApp, RemoteState, RemoteVersion

__all__ = ["PLAN_FILE_FORMAT", "SavedPlan", "moved_objects", "read_saved_plan", "saved_plan_text"]

PLAN_FILE_FORMAT = "1"


class SavedPlan(BaseModel):
    """Everything `apply PLANFILE` needs, with no manifest and no earlier request."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format_version: Literal["1"] = "1"
    reconciler_version: str
    desired: Manifest
    remote: RemoteState
    fingerprints: dict[str, str]
    plan: Plan


def saved_plan_text(
    *, desired: Manifest, remote: RemoteState, plan: Plan, reconciler_version: str
) -> str:
    saved = SavedPlan(
        reconciler_version=reconciler_version,
        desired=desired,
        remote=remote,
        fingerprints=remote.fingerprints(),
        plan=plan,
    )
    return json.dumps(saved.model_dump(mode="json"), sort_keys=True, indent=2) + "\n"


def read_saved_plan(text: str, name: str) -> SavedPlan:
    """Parse and check a saved plan; a hand-edited or foreign file is refused."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise PlanFileError(f"{name}: not a plan file (invalid JSON: {error.msg})") from None
    except RecursionError:
        raise PlanFileError(f"{name}: not a plan file (nested too deeply)") from None
    if not isinstance(data, dict) or "format_version" not in data:
        raise PlanFileError(f"{name}: not a plan file saved by `reconciler plan --out`")
    if data["format_version"] != PLAN_FILE_FORMAT:
        raise PlanFileError(
            f"{name}: plan file format {data['format_version']!r} is not one this reconciler "
            f"reads ({PLAN_FILE_FORMAT}); make the plan again with this version"
        )
    stored_checksum = (
        data.get("plan", {}).get("checksum") if isinstance(data.get("plan"), dict) else None
    )
    try:
        saved = SavedPlan.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PlanFileError(f"{name}: damaged plan file ({where}: {first['msg']})") from None
    if saved.plan.checksum != stored_checksum or saved.fingerprints != saved.remote.fingerprints():
        raise PlanFileError(
            f"{name}: the plan file was changed after it was saved; make the plan again"
        )
    return saved


def moved_objects(before: RemoteState, after: RemoteState) -> list[str]:
    """Each remote object and field that differs between two readings, in words."""
    moved: list[str] = []
    for bundle_id in sorted(set(before.apps) | set(after.apps)):
        old, new = before.apps.get(bundle_id), after.apps.get(bundle_id)
        if old is None or new is None:
            moved.append(f"{bundle_id}: app {'appeared' if old is None else 'is gone'}")
            continue
        if old.id != new.id:
            moved.append(f"{bundle_id}: app id {old.id} -> {new.id}")
        moved.extend(_moved_versions(bundle_id, old, new))
    return moved


def _moved_versions(bundle_id: str, old: RemoteApp, new: RemoteApp) -> list[str]:
    moved: list[str] = []
    olds = {v.id: v for v in old.versions}
    news = {v.id: v for v in new.versions}
    for version_id in sorted(set(olds) | set(news)):
        was, now = olds.get(version_id), news.get(version_id)
        if was is None and now is not None:
            moved.append(f"{_name(bundle_id, now)}: new version appeared ({now.state})")
        elif now is None and was is not None:
            moved.append(f"{_name(bundle_id, was)}: version is gone")
        elif was is not None and now is not None:
            for field, value in was.model_dump().items():
                if getattr(now, field) != value:
                    moved.append(
                        f"{_name(bundle_id, was)}: {field} {value!r} -> {getattr(now, field)!r}"
                    )
    return moved


def _name(bundle_id: str, version: RemoteVersion) -> str:
    try:
        platform = Platform.from_api(version.platform).value
    except KeyError:
        platform = version.platform
    return f"{bundle_id} {platform} {version.version_string} (id {version.id})"
