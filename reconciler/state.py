"""What App Store Connect holds, as read: apps and their versions. Pure.

Values are kept as Apple sent them (API enums, ISO date strings), so that a fingerprint of an
object changes exactly when Apple's object changes. The planner normalises for comparison.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = [
    "Movement",
    "RemoteApp",
    "RemoteResource",
    "RemoteState",
    "RemoteVersion",
    "canonical_json",
    "digest",
]


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: equal values give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(value: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(value).encode()).hexdigest()


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RemoteVersion(_Frozen):
    """An App Store version as Apple reports it; `state` is its current state, in the names of
    Apple's current state enum (`kinds.version_states.current_state`)."""

    id: str
    platform: str  # IOS | MAC_OS | TV_OS | VISION_OS (or a value Apple added later)
    version_string: str
    state: str
    release_type: str | None = None
    earliest_release_date: str | None = None
    copyright: str | None = None


class RemoteApp(_Frozen):
    """An app with every App Store version read for it, sorted by id."""

    id: str
    bundle_id: str
    name: str | None = None
    versions: tuple[RemoteVersion, ...] = ()

    def on_platform(self, platform: str) -> list[RemoteVersion]:
        return [v for v in self.versions if v.platform == platform]


class RemoteState(_Frozen):
    """The remote objects read for a manifest: apps by bundle id (matched exactly)."""

    apps: dict[str, RemoteApp]

    def resources(self) -> list[RemoteResource]:
        """Every object read, parents before their children, in a stable order."""
        found: list[RemoteResource] = []
        for bundle_id, app in sorted(self.apps.items()):
            own = {"id": app.id, "bundle_id": app.bundle_id}
            found.append(RemoteResource(kind="app", key=bundle_id, id=app.id, attributes=own))
            found.extend(
                RemoteResource(
                    kind="version",
                    key=version.id,
                    id=version.id,
                    parent=bundle_id,
                    attributes=version.model_dump(mode="json"),
                )
                for version in sorted(app.versions, key=lambda v: v.id)
            )
        return found

    def fingerprints(self) -> dict[str, str]:
        """A digest per object read, keyed `<kind>:<key>`: each covers the object's attributes
        and the set of its children's ids (so a child appearing moves its parent)."""
        resources = self.resources()
        children: dict[str, dict[str, list[str]]] = {}
        for r in resources:
            if r.parent is not None:
                children.setdefault(r.parent, {}).setdefault(f"{r.kind}s", []).append(r.id)
        return {
            f"{r.kind}:{r.key}": digest({**r.attributes, **children.get(r.key, {})})
            if r.parent is None
            else digest(r.attributes)
            for r in resources
        }


class RemoteResource(_Frozen):
    """One object read from App Store Connect, whatever its kind: `key` is unique within its
    kind, `parent` the key of the app it belongs to (None for an app), `attributes` as read."""

    kind: str
    key: str
    id: str
    parent: str | None = None
    attributes: dict[str, Any]


class Movement(_Frozen):
    """One difference between two readings: an object that appeared, is gone, or whose
    `field` changed from `old` to `new`. `resource` is the object as last read."""

    what: str  # appeared | gone | changed
    resource: RemoteResource
    field: str | None = None
    old: Any = None
    new: Any = None


def movements(before: RemoteState, after: RemoteState) -> list[Movement]:
    """Every object and field that differs between two readings, parents first."""
    olds = {(r.kind, r.key): r for r in before.resources()}
    news = {(r.kind, r.key): r for r in after.resources()}
    both = olds | news
    # An app that appeared or is gone is one movement: its versions are not listed apart.
    whole = {
        r.key for key, r in both.items() if r.parent is None and (key in olds) != (key in news)
    }
    moved: list[Movement] = []
    for key in sorted(both, key=lambda k: _place(both[k])):
        was, now = olds.get(key), news.get(key)
        if was is not None and now is not None:
            moved.extend(_changed(was, now))
        elif both[key].parent not in whole:
            moved.append(Movement(what="gone" if now is None else "appeared", resource=both[key]))
    return moved


def _changed(was: RemoteResource, now: RemoteResource) -> list[Movement]:
    return [
        Movement(what="changed", resource=was, field=name, old=old, new=now.attributes.get(name))
        for name, old in was.attributes.items()
        if now.attributes.get(name) != old
    ]


def _place(resource: RemoteResource) -> tuple[str, bool, str]:
    """Each app, then its children by key."""
    return (resource.parent or resource.key, resource.parent is not None, resource.key)
