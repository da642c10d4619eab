"""The App Store version: DESIGN §3's rules, its fields, request bodies and API paths. Pure.

Both sides are normalised into the same shape before comparing (manifest names, lower-case
enums, dates as UTC instants, stripped strings, empty as None), so that the plan made right
after a clean apply is empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple

from deepdiff import DeepDiff

from reconciler.kinds import Field, Lookup, Request, jsonapi_body
from reconciler.kinds.version_states import NEVER_SUBMITTED_STATES, StateGroup, state_group
from reconciler.kinds.version_strings import version_key
from reconciler.manifest import ABSENT, Platform, PlatformRelease, ReleaseType
from reconciler.plan import Action, Change, Deferral, PlanItem, PlanProblem
from reconciler.state import RemoteApp, RemoteVersion

__all__ = [
    "API_TYPE",
    "FIELDS",
    "KIND",
    "READ_FIELDS",
    "Resolution",
    "api_name",
    "desired_attributes",
    "list_path",
    "newest_first",
    "normalise_text",
    "remote_attributes",
    "resolve",
    "resource_path",
]

API_TYPE = "appStoreVersions"  # Apple's resource type, and the app's relationship to it


def normalise_date(value: datetime | str | None) -> str | None:
    """A date as the instant it names, in UTC with a `Z`, to the second."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:  # Apple always sends an offset; be safe rather than crash
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalise_text(value: str | None) -> str | None:
    """Text as Apple keeps it: line ends as \\n, no white space at the ends, empty as None."""
    stripped = value.replace("\r\n", "\n").strip() if value is not None else None
    return stripped or None


def _lower(value: str | None) -> str | None:
    return value.lower() if value else None


def _upper(value: str | None) -> str | None:
    return value.upper() if value is not None else None


FIELDS = (
    Field("version", "versionString"),
    Field("release_type", "releaseType", from_api=_lower, to_api=_upper),
    Field("earliest_release_date", "earliestReleaseDate", from_api=normalise_date),
    Field("copyright", "copyright", from_api=normalise_text),
)
_BY_NAME = {f.name: f for f in FIELDS}
_ATTRIBUTES = tuple(f.name for f in FIELDS)
# What the reader asks for (sparse fieldsets): the platform, both states and the fields.
READ_FIELDS: tuple[str, ...] = ("platform", "versionString", "appVersionState", "appStoreState")
READ_FIELDS += tuple(f.api for f in FIELDS if f.api not in READ_FIELDS)


def api_name(name: str) -> str:
    """Apple's name of a field given by its manifest name."""
    return _BY_NAME[name].api


def list_path(app_id: str) -> str:
    """An app's versions, as a list."""
    return f"/v1/apps/{app_id}/{API_TYPE}"


def resource_path(version_id: str | None = None) -> str:
    """One version (or, without an id, where versions are created)."""
    return f"/v1/{API_TYPE}/{version_id}" if version_id else f"/v1/{API_TYPE}"


def remote_attributes(version: RemoteVersion) -> dict[str, Any]:
    """A remote version's attributes in manifest terms, normalised."""
    raw = {
        "version": version.version_string,
        "release_type": version.release_type,
        "earliest_release_date": version.earliest_release_date,
        "copyright": version.copyright,
    }
    return {name: _BY_NAME[name].from_api(value) for name, value in raw.items()}


def desired_attributes(release: PlatformRelease) -> dict[str, Any]:
    """The attributes the manifest manages: a key left out or null is not managed, an empty
    copyright clears it. Only values count, never which keys were set, so a desired state
    read back from a plan file plans exactly the same.

    A release type other than scheduled also clears the release date: Apple pairs the two (R5).
    """
    wanted: dict[str, Any] = {"version": release.version}
    if release.release_type is not None:
        wanted["release_type"] = release.release_type.value
        if release.release_type is not ReleaseType.SCHEDULED:
            wanted["earliest_release_date"] = None
    if release.earliest_release_date is not None:
        wanted["earliest_release_date"] = normalise_date(release.earliest_release_date)
    if release.copyright is not None:
        wanted["copyright"] = normalise_text(release.copyright)
    return wanted


# Values compared with `==` (and their type): DeepDiff's setup costs far more than the
# comparison itself, and it says the same for these. Nested values still go to DeepDiff.
_FLAT = (str, int, float, bool, type(None))


def _differences(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[str]:
    """Names of the wanted attributes whose value differs from the current one."""
    changed = {k for k, v in wanted.items() if _differs(current.get(k), v)}
    return [k for k in _ATTRIBUTES if k in changed]


def _differs(old: Any, new: Any) -> bool:
    if type(old) in _FLAT and type(new) in _FLAT:
        return type(old) is not type(new) or old != new  # DeepDiff: a type change differs
    return bool(DeepDiff(old, new, ignore_order=True))


def _api(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Manifest-named, normalised attributes -> Apple's names and values."""
    return {_BY_NAME[name].api: _BY_NAME[name].to_api(v) for name, v in attributes.items()}


class VersionKind:
    """The App Store version of one app and platform (at most one is editable, R1)."""

    name = "version"
    noun = "version"
    fields = FIELDS
    # E2 (version string used) or E1 (a version in flight): the plan makes a create only where
    # neither was, so after a lost answer either means that our first try landed.
    exists_codes = ("ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE", "ENTITY_ERROR.RELATIONSHIP.INVALID")
    adopts = False
    confirms = False
    verb = None
    operates = False
    cost = 1

    def describe(self, change: Change) -> str:
        return f"version {change.version}"

    def plan(
        self, app: RemoteApp, platform: Platform, spec: PlatformRelease | str
    ) -> list[PlanItem]:
        item: PlanItem | None
        if spec == ABSENT:
            versions = sorted(app.on_platform(platform.api), key=newest_first)
            item = _plan_absent(app, platform, _editable(versions))
        else:
            assert isinstance(spec, PlatformRelease)
            item = resolve(app, platform, spec).item
        return [item] if item is not None else []

    def request(self, change: Change, ids: Mapping[str, str]) -> Request:
        attributes = _api(change.after or {})
        if change.action is Action.CREATE:
            body = jsonapi_body(
                API_TYPE,
                {"platform": change.platform.api, **attributes},
                relationships={"app": ("apps", change.app_id)},
            )
            return Request("POST", resource_path(), body)
        assert change.version_id is not None
        path = resource_path(change.version_id)
        if change.action is Action.UPDATE:
            return Request("PATCH", path, jsonapi_body(API_TYPE, attributes, id_=change.version_id))
        return Request("DELETE", path)

    def lookup(self, change: Change, ids: Mapping[str, str]) -> Lookup:
        params = {
            "filter[platform]": change.platform.api,
            "filter[versionString]": change.version,
            f"fields[{API_TYPE}]": "platform,versionString",
            "limit": "200",
        }

        def find(resources: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
            for resource in resources:
                attributes = resource.get("attributes")
                if not isinstance(attributes, Mapping):
                    continue
                # Apple's filters are not exact (R10): compare here.
                wanted = (change.platform.api, change.version)
                if (attributes.get("platform"), attributes.get("versionString")) == wanted:
                    return resource
            return None

        return Lookup(list_path(change.app_id), params, find)

    def holds(self, change: Change, resource: Mapping[str, Any]) -> bool:
        attributes = resource.get("attributes")
        if not isinstance(attributes, Mapping):
            return False
        try:
            now = {f.name: f.from_api(attributes.get(f.api)) for f in FIELDS}
        except (TypeError, ValueError):  # a value we cannot read does not hold what we sent
            return False
        return all(now[k] == v for k, v in (change.after or {}).items())

    def settle(self, change: Change, resource: Mapping[str, Any]) -> Request | None:
        return None  # the version string is the resource: found means made


KIND = VersionKind()


def newest_first(version: RemoteVersion) -> tuple[tuple[int, int, int], str]:
    """Sort key: the highest version string first (by number, part by part)."""
    key = version_key(version.version_string) or (-1, -1, -1)
    return ((-key[0], -key[1], -key[2]), version.id)


def _plan_absent(
    app: RemoteApp, platform: Platform, current: RemoteVersion | None
) -> Change | PlanProblem | None:
    if current is None:
        return None
    if current.state in NEVER_SUBMITTED_STATES:
        return Change(
            app=app.bundle_id,
            app_id=app.id,
            platform=platform,
            action=Action.DELETE,
            version=current.version_string,
            version_id=current.id,
            before=remote_attributes(current),
        )
    return PlanProblem(
        app=app.bundle_id,
        platform=platform,
        version=current.version_string,
        rule="submitted-cannot-be-deleted",
        message=(
            f"version {current.version_string} is {current.state} and was submitted before: "
            "App Store Connect keeps it and it cannot be deleted. Give it a version instead "
            "of `absent`, or leave the platform out of the manifest."
        ),
    )


class Resolution(NamedTuple):
    """Which remote version a release is, and what the version kind plans for it.

    `outcome`: "existing" (the version with that string), "rename" (the editable version,
    to take the new string), "create", or "blocked" (a deferral or a problem: nothing that
    hangs off it can be planned). `version` is the remote version for existing and rename;
    `versions` every version of the platform, newest first."""

    outcome: Literal["existing", "rename", "create", "blocked"]
    version: RemoteVersion | None
    versions: list[RemoteVersion]
    item: PlanItem | None

    @property
    def first(self) -> bool:
        """Whether the release is the platform's first version (R15: no release notes, no
        phased release)."""
        return len(self.versions) == (0 if self.outcome == "create" else 1)

    @property
    def previous(self) -> RemoteVersion | None:
        """For a create, the newest version of the platform: Apple copies its locales (R18)."""
        return self.versions[0] if self.outcome == "create" and self.versions else None


def resolve(app: RemoteApp, platform: Platform, release: PlatformRelease) -> Resolution:
    """DESIGN §3's table for one release: the remote version it is, and the item to plan."""
    versions = sorted(app.on_platform(platform.api), key=newest_first)
    current = _editable(versions)
    wanted = desired_attributes(release)
    same = [v for v in versions if v.version_string == release.version]
    if same:
        item = _plan_existing(app, platform, same[0], wanted)
        blocked = isinstance(item, PlanProblem)
        return Resolution("blocked" if blocked else "existing", same[0], versions, item)
    if current is not None and not _higher_settled(versions, release):
        return Resolution("rename", current, versions, _update(app, platform, current, wanted))
    new = _plan_new(app, platform, release, versions, current)
    outcome: Literal["create", "blocked"] = "create" if isinstance(new, Change) else "blocked"
    return Resolution(outcome, None, versions, new)


def _editable(versions: list[RemoteVersion]) -> RemoteVersion | None:
    editable = [v for v in versions if state_group(v.state) is StateGroup.EDITABLE]
    return editable[0] if editable else None  # Apple allows one; take the highest


def _higher_settled(versions: list[RemoteVersion], release: PlatformRelease) -> bool:
    return bool(_settled_not_lower(versions, release))


def _settled_not_lower(
    versions: list[RemoteVersion], release: PlatformRelease
) -> list[RemoteVersion]:
    settled = [v for v in versions if state_group(v.state) is not StateGroup.EDITABLE]
    # The manifest only holds valid versions; a remote string Apple accepted but we cannot
    # parse orders lowest rather than blocking the platform.
    target_key = version_key(release.version) or (0, 0, 0)
    return [v for v in settled if (version_key(v.version_string) or (0, 0, 0)) >= target_key]


def _plan_new(
    app: RemoteApp,
    platform: Platform,
    release: PlatformRelease,
    versions: list[RemoteVersion],
    current: RemoteVersion | None,
) -> PlanItem:
    wanted = desired_attributes(release)
    higher = _settled_not_lower(versions, release)
    if higher:
        top = higher[0]
        return PlanProblem(
            app=app.bundle_id,
            platform=platform,
            version=release.version,
            rule="version-not-greater",
            message=(
                f"version {release.version} must be greater than {top.version_string} "
                f"({top.state}), the highest version already submitted: raise `version`."
            ),
        )
    assert current is None  # resolve() renames the editable version
    in_flight = [v for v in versions if state_group(v.state) is StateGroup.IN_FLIGHT]
    if in_flight:
        blocker = in_flight[0]
        return Deferral(
            app=app.bundle_id,
            platform=platform,
            version=release.version,
            waiting_on=blocker.version_string,
            waiting_on_id=blocker.id,
            waiting_on_state=blocker.state,
        )
    return Change(
        app=app.bundle_id,
        app_id=app.id,
        platform=platform,
        action=Action.CREATE,
        version=release.version,
        after={k: v for k, v in wanted.items() if v is not None},
    )


def _plan_existing(
    app: RemoteApp, platform: Platform, version: RemoteVersion, wanted: dict[str, Any]
) -> Change | PlanProblem | None:
    if state_group(version.state) is StateGroup.EDITABLE:
        return _update(app, platform, version, wanted)
    changed = _differences(remote_attributes(version), wanted)
    if not changed:
        return None
    return PlanProblem(
        app=app.bundle_id,
        platform=platform,
        version=version.version_string,
        rule="version-not-editable",
        message=(
            f"version {version.version_string} is {version.state} and can no longer change "
            f"({', '.join(changed)} {'differs' if len(changed) == 1 else 'differ'}): "
            "declare a new, higher version to change it."
        ),
    )


def _update(
    app: RemoteApp, platform: Platform, version: RemoteVersion, wanted: dict[str, Any]
) -> Change | None:
    current = remote_attributes(version)
    changed = _differences(current, wanted)
    if not changed:
        return None
    return Change(
        app=app.bundle_id,
        app_id=app.id,
        platform=platform,
        action=Action.UPDATE,
        version=wanted["version"],
        version_id=version.id,
        before={k: current[k] for k in changed},
        after={k: wanted[k] for k in changed},
    )
