"""What App Store Connect holds, as read: apps and their versions. Pure.

Values are kept as Apple sent them (API enums, ISO date strings), so that a fingerprint of an
object changes exactly when Apple's object changes. The planner normalises for comparison.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict

from reconciler.manifest import Platform

__all__ = [
    "Movement",
    "RemoteApp",
    "RemoteBuild",
    "RemoteLocalization",
    "RemotePhasedRelease",
    "RemoteResource",
    "RemoteState",
    "RemoteVersion",
    "VersionChildren",
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


class RemoteLocalization(_Frozen):
    """One locale of a version's App Store text (appStoreVersionLocalizations)."""

    id: str
    locale: str
    whats_new: str | None = None
    promotional_text: str | None = None
    # The texts App Review requires that this locale lacks (Apple's names; FACTS-2 E17).
    missing: tuple[str, ...] = ()


class RemotePhasedRelease(_Frozen):
    """A version's phased release; `state` is Apple's phasedReleaseState."""

    id: str
    state: str


class RemoteBuild(_Frozen):
    """An uploaded build: `number` is its CFBundleVersion, `train` and `platform` those of its
    pre-release version, `version_id` the App Store version it is attached to (None if none,
    or not read)."""

    id: str
    number: str
    train: str | None = None
    platform: str | None = None
    processing_state: str | None = None
    audience: str | None = None
    expired: bool | None = None
    uploaded_date: str | None = None
    version_id: str | None = None


class VersionChildren(_Frozen):
    """What hangs off a version, read when the manifest manages any of it."""

    localizations: tuple[RemoteLocalization, ...] = ()
    build: RemoteBuild | None = None  # the attached build
    phased_release: RemotePhasedRelease | None = None


class RemoteVersion(_Frozen):
    """An App Store version as Apple reports it; `state` is its current state, in the names of
    Apple's current state enum (`kinds.version_states.current_state`). `children` is None
    when they were not read (the manifest manages none of them)."""

    id: str
    platform: str  # IOS | MAC_OS | TV_OS | VISION_OS (or a value Apple added later)
    version_string: str
    state: str
    release_type: str | None = None
    earliest_release_date: str | None = None
    copyright: str | None = None
    children: VersionChildren | None = None


class RemoteSubmission(_Frozen):
    """An open review submission of an app (reviewSubmissions, FACTS-2 §12): `version_id` is
    the version it is for (None: none yet), `items` how many items it holds."""

    id: str
    platform: str
    state: str
    version_id: str | None = None
    items: int = 0


class RemoteApp(_Frozen):
    """An app with every App Store version read for it, sorted by id; `builds` are the
    uploaded builds read for it (only those whose numbers the manifest names); `submissions`
    its open review submissions (None: not read, the manifest submits nothing)."""

    id: str
    bundle_id: str
    name: str | None = None
    primary_locale: str | None = None
    versions: tuple[RemoteVersion, ...] = ()
    builds: tuple[RemoteBuild, ...] = ()
    submissions: tuple[RemoteSubmission, ...] | None = None

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
            for version in sorted(app.versions, key=lambda v: v.id):
                found.append(
                    RemoteResource(
                        kind="version",
                        key=version.id,
                        id=version.id,
                        parent=bundle_id,
                        app=bundle_id,
                        attributes=version.model_dump(mode="json", exclude={"children"}),
                    )
                )
                found.extend(_children(bundle_id, version))
            found.extend(
                _of_app(bundle_id, "build", build.id, _build_label(build), build)
                for build in sorted(app.builds, key=lambda b: b.id)
            )
            found.extend(
                _of_app(bundle_id, "submission", s.id, f"review submission {s.id}", s)
                for s in sorted(app.submissions or (), key=lambda s: s.id)
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
    kind, `parent` the key of what it hangs off (an app, or a version; None for an app), `app`
    the bundle id it belongs to, `label` how a person names it, `attributes` as read."""

    kind: str
    key: str
    id: str
    parent: str | None = None
    app: str = ""
    label: str = ""
    attributes: dict[str, Any]


def _platform_name(api: str) -> str:
    try:
        return Platform.from_api(api).value
    except KeyError:
        return api


def _of_app(bundle_id: str, kind: str, rid: str, label: str, value: _Frozen) -> RemoteResource:
    """A resource that hangs off the app itself (a build, a review submission)."""
    return RemoteResource(
        kind=kind,
        key=rid,
        id=rid,
        parent=bundle_id,
        app=bundle_id,
        label=label,
        attributes=value.model_dump(mode="json"),
    )


def _build_label(build: RemoteBuild) -> str:
    train = f" of {_platform_name(build.platform)} {build.train}" if build.platform else ""
    return f"build {build.number}{train}"


def _children(bundle_id: str, version: RemoteVersion) -> list[RemoteResource]:
    """A version's children as resources; the attached build as a link (its id, or None),
    so that attaching or detaching one in the web interface moves it."""
    children = version.children
    if children is None:
        return []
    of = f"{_platform_name(version.platform)} {version.version_string}"

    def child(kind: str, key: str, rid: str, label: str, attributes: Any) -> RemoteResource:
        return RemoteResource(
            kind=kind,
            key=key,
            id=rid,
            parent=version.id,
            app=bundle_id,
            label=f"{label} of {of}",
            attributes=attributes,
        )

    found = [
        child("localization", loc.id, loc.id, f"localization {loc.locale}", loc.model_dump())
        for loc in sorted(children.localizations, key=lambda loc: loc.id)
    ]
    build = children.build
    found.append(
        child(
            "build_link",
            version.id,
            version.id,
            "attached build",
            {"build": build.id if build else None, "number": build.number if build else None},
        )
    )
    phased = children.phased_release
    if phased is not None:
        found.append(
            child("phased_release", phased.id, phased.id, "phased release", phased.model_dump())
        )
    return found


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
    # An object that appeared or is gone is one movement: what hangs off it is not listed apart.
    whole = {r.key for key, r in both.items() if (key in olds) != (key in news)}
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


def _place(resource: RemoteResource) -> tuple[str, bool, str, str, str]:
    """Each app, then what belongs to it, by label and key."""
    return (
        resource.app or resource.key,
        resource.parent is not None,
        resource.label,
        resource.kind,
        resource.key,
    )
