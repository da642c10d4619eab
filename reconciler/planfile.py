"""Saved plans (`plan --out`): the manifests read and a digest of the desired state they give,
the remote objects read with a fingerprint of each, and the plan. Pure: text in, values out.

The file is canonical JSON (sorted keys) with no timestamps, so the same plan of the same state
gives the same bytes, and `apply` can tell exactly which object moved since the plan.
The checksums inside catch accidental damage only: anyone can recompute them. What makes a
saved plan safe to apply is that apply reads the recorded manifests again and refuses when
they give another desired state (`manifest_differences`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reconciler.errors import PlanFileError, printable
from reconciler.manifest import AppEntry, Manifest, Platform
from reconciler.plan import Plan
from reconciler.state import Movement, RemoteState, RemoteVersion, digest, movements

__all__ = [
    "PLAN_FILE_FORMAT",
    "SavedPlan",
    "desired_digest",
    "json_value",
    "manifest_differences",
    "moved_objects",
    "read_saved_plan",
    "saved_plan_text",
]

PLAN_FILE_FORMAT = "2"
# Anything a hand-edited file can make pydantic or a model validator raise.
_DAMAGE = (ValidationError, ValueError, TypeError, LookupError, AttributeError, RecursionError)
ManifestPath = Annotated[str, Field(min_length=1, pattern=r"^[^\x00]+$")]


class SavedPlan(BaseModel):
    """Everything `apply PLANFILE` needs, with no earlier request.

    `manifests` are the paths given to `plan`, as given (relative ones are relative to the
    folder plan ran in); `desired_digest` is `desired_digest(desired)`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    format_version: Literal["2"] = "2"
    reconciler_version: str
    manifests: tuple[ManifestPath, ...] = Field(min_length=1)
    desired_digest: str
    desired: Manifest
    remote: RemoteState
    fingerprints: dict[str, str]
    plan: Plan


def desired_digest(manifest: Manifest) -> str:
    """A digest of the desired state alone: where each app was declared does not count."""
    return digest(manifest.model_dump(mode="json")["apps"])


def saved_plan_text(
    *,
    manifests: Sequence[str],
    desired: Manifest,
    remote: RemoteState,
    plan: Plan,
    reconciler_version: str,
) -> str:
    saved = SavedPlan(
        reconciler_version=reconciler_version,
        manifests=tuple(manifests),
        desired_digest=desired_digest(desired),
        desired=desired,
        remote=remote,
        fingerprints=remote.fingerprints(),
        plan=plan,
    )
    return json.dumps(saved.model_dump(mode="json"), sort_keys=True, indent=2) + "\n"


def read_saved_plan(text: str, name: str) -> SavedPlan:
    """Parse and check a saved plan; a hand-edited, damaged or foreign file is refused."""
    data = _json_object(text, name)
    plan = data.get("plan")
    # The checksum is derived from the plan; the stored one is only compared with it.
    stored_checksum = plan.pop("checksum", None) if isinstance(plan, dict) else None
    try:
        saved = SavedPlan.model_validate(data)
        intact = (
            saved.plan.checksum == stored_checksum
            and saved.fingerprints == saved.remote.fingerprints()
            and saved.desired_digest == desired_digest(saved.desired)
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = printable(".".join(str(p) for p in first["loc"]))[:120]
        raise PlanFileError(f"{name}: damaged plan file ({where}: {first['msg']})") from None
    except _DAMAGE as error:
        raise PlanFileError(f"{name}: damaged plan file ({type(error).__name__})") from None
    if not intact:
        raise PlanFileError(
            f"{name}: the plan file was changed after it was saved; make the plan again"
        )
    return saved


def _json_object(text: str, name: str) -> dict[str, Any]:
    """The file's JSON object, of the format this reconciler reads."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise PlanFileError(f"{name}: not a plan file (invalid JSON: {error.msg})") from None
    except ValueError:  # an integer over Python's 4300-digit limit
        raise PlanFileError(f"{name}: damaged plan file (a number too long to read)") from None
    except RecursionError:
        raise PlanFileError(f"{name}: not a plan file (nested too deeply)") from None
    if not isinstance(data, dict) or "format_version" not in data:
        raise PlanFileError(f"{name}: not a plan file saved by `reconciler plan --out`")
    if "plan" not in data and "changes" in data and "summary" in data:
        raise PlanFileError(
            f"{name}: this is the JSON report of `plan --format json`, not a saved plan: "
            "save plans for apply with `reconciler plan --out PLANFILE`"
        )
    version = data["format_version"]
    if version == "1":
        raise PlanFileError(
            f'{name}: plan file format "1" was saved by an older reconciler and does not record '
            "the manifests it was made from; make the plan again with `reconciler plan --out`"
        )
    if version != PLAN_FILE_FORMAT:
        raise PlanFileError(
            f"{name}: plan file format {json_value(version)} is not one this reconciler reads "
            f'("{PLAN_FILE_FORMAT}"); make the plan again with this version'
        )
    return data


def manifest_differences(planned: Manifest, now: Manifest) -> list[str]:
    """Each app whose desired state differs between the plan's manifest and `now`, in words."""
    differences: list[str] = []
    for bundle_id in sorted(set(planned.apps) | set(now.apps)):
        old, new = planned.apps.get(bundle_id), now.apps.get(bundle_id)
        name = printable(bundle_id)
        if old is None:
            differences.append(f"{name}: not in the plan's manifest")
        elif new is None:
            differences.append(f"{name}: in the plan's manifest, no longer in the manifest")
        elif old != new:
            keys = _changed_keys(old, new)
            verb = "differs" if len(keys) == 1 else "differ"
            differences.append(f"{name}: {', '.join(keys)} {verb}")
    return differences


def _changed_keys(old: AppEntry, new: AppEntry) -> list[str]:
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    return [key for key in before if before[key] != after.get(key)] or ["values"]


def moved_objects(before: RemoteState, after: RemoteState) -> list[str]:
    """Each remote object and field that differs between two readings, in words."""
    return [_words(m) for m in movements(before, after)]


def _words(moved: Movement) -> str:
    resource = moved.resource
    if resource.kind == "app":
        name = printable(resource.key)
        if moved.what != "changed":
            return f"{name}: app {'appeared' if moved.what == 'appeared' else 'is gone'}"
        return f"{name}: app {moved.field} {json_value(moved.old)} -> {json_value(moved.new)}"
    if resource.kind != "version":  # what hangs off a version, or a build: named by its label
        name = printable(f"{resource.app} {resource.label}")
        if moved.what != "changed":
            return f"{name}: {'appeared' if moved.what == 'appeared' else 'is gone'}"
        field = _MANIFEST_NAMES.get(moved.field or "", moved.field)
        return f"{name}: {field} {json_value(moved.old)} -> {json_value(moved.new)}"
    version = RemoteVersion.model_validate(resource.attributes)
    name = _name(resource.parent or "", version)
    if moved.what == "appeared":
        return f"{name}: new version appeared ({printable(version.state)})"
    if moved.what == "gone":
        return f"{name}: version is gone"
    return f"{name}: {moved.field} {json_value(moved.old)} -> {json_value(moved.new)}"


# Where the state keeps Apple's name for what the manifest calls otherwise.
_MANIFEST_NAMES = {"whats_new": "release_notes"}


def _name(bundle_id: str, version: RemoteVersion) -> str:
    try:
        platform = Platform.from_api(version.platform).value
    except KeyError:
        platform = version.platform
    return printable(f"{bundle_id} {platform} {version.version_string} (id {version.id})")


def json_value(value: Any, limit: int = 200) -> str:
    """A value as the CLI shows values, as JSON (`null`, `"text"`), escaped and cut short."""
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
