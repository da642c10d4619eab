"""Convergence, the strongest statement of correctness we have (STYLE habit 9).

For any account App Store Connect can really be in and any manifest: plan, apply the plan on
the in-process sandbox, plan again. The second plan has no changes and the same deferrals and
errors as the first; every change applied was done with exactly one write, none of them
refused; and the account now holds what the manifest asks for, checked on the sandbox's own
records rather than through the planner.

The accounts respect Apple's invariants per app and platform (FACTS §1, §6 R1-R3): at most one
version that is not done (editable or in flight, R1), and it is the highest; the highest done
version is READY_FOR_DISTRIBUTION and every older one REPLACED_WITH_NEW_VERSION; version
strings unique and strictly increasing in release order; a pending release carries the
release type that put it there; scheduled versions carry a date on the hour and others none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reconciler.applier import apply_plan
from reconciler.asc import AscClient
from reconciler.manifest import ABSENT, AppEntry, Manifest, Platform, PlatformRelease, ReleaseType
from reconciler.outcome import Status
from reconciler.plan import Plan
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState, VersionRecord
from tests.profiles import examples

WRITES = frozenset({"POST", "PATCH", "DELETE"})
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
# Prefixes of one another on purpose: Apple's bundle id filter is a prefix match (R10).
BUNDLE_IDS = ("com.example.app", "com.example.app.watch", "com.example.other")
APP_IDS = {b: str(1_000_000_001 + i) for i, b in enumerate(BUNDLE_IDS)}
PLATFORMS = tuple(Platform)

EDITABLE = (
    "PREPARE_FOR_SUBMISSION",
    "DEVELOPER_REJECTED",
    "REJECTED",
    "METADATA_REJECTED",
    "WAITING_FOR_REVIEW",
    "INVALID_BINARY",
)
IN_FLIGHT = (
    "ACCEPTED",
    "IN_REVIEW",
    "PENDING_APPLE_RELEASE",
    "PENDING_DEVELOPER_RELEASE",
    "PROCESSING_FOR_DISTRIBUTION",
    "READY_FOR_REVIEW",
    "WAITING_FOR_EXPORT_COMPLIANCE",
)
LIVE, REPLACED = "READY_FOR_DISTRIBUTION", "REPLACED_WITH_NEW_VERSION"
DONE = (LIVE, REPLACED)
RELEASE_TYPES = ("MANUAL", "AFTER_APPROVAL", "SCHEDULED")
COPYRIGHTS = ("2025 Example Inc.", "2026 Example Inc.", " 2026 Example Inc. ", "")
OFFSETS = tuple(
    timezone(timedelta(minutes=m)) for m in (0, -8 * 60, -7 * 60, 60, 5 * 60 + 30, 14 * 60)
)
FIRST_HOUR = datetime(2026, 1, 1, tzinfo=UTC)

Key = tuple[int, int, int]
Spec = PlatformRelease | Literal["absent"]


@dataclass(frozen=True)
class RemoteSpec:
    """One version to put in the sandbox, as Apple would hold it."""

    version_string: str
    state: str
    release_type: str | None
    earliest_release_date: str | None
    copyright: str | None


@dataclass(frozen=True)
class Scenario:
    remote: dict[str, dict[Platform, list[RemoteSpec]]]  # only apps that exist remotely
    manifest: Manifest


# --- versions ---------------------------------------------------------------------------------

KEYS = st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 2))


def spellings(key: Key) -> list[str]:
    """Every versionString with this ordering key (2.0.0, 2.0 and 2 all order the same)."""
    major, minor, patch = key
    found = [f"{major}.{minor}.{patch}"]
    if patch == 0:
        found.append(f"{major}.{minor}")
        if minor == 0:
            found.append(f"{major}")
    return found


def key_of(text: str) -> Key:
    parts = [int(p) for p in text.split(".")] + [0, 0]
    return (parts[0], parts[1], parts[2])


def neighbours(key: Key) -> list[Key]:
    """Keys just above and just below this one, each part in turn."""
    major, minor, patch = key
    found = [(major, minor, patch + 1), (major, minor + 1, 0), (major + 1, 0, 0)]
    if patch:
        found.append((major, minor, patch - 1))
    if minor:
        found.append((major, minor - 1, 9))
    if major:
        found.append((major - 1, 9, 9))
    return found


def spelled(keys: st.SearchStrategy[Key]) -> st.SearchStrategy[str]:
    return keys.flatmap(lambda k: st.sampled_from(spellings(k)))


# --- dates ------------------------------------------------------------------------------------

HOURS = st.integers(0, 24 * 700).map(lambda h: FIRST_HOUR + timedelta(hours=h))


def apple_date(moment: datetime, offset: timezone) -> str:
    """How a date may come back from Apple: UTC with Z, or the same instant with an offset."""
    if offset.utcoffset(None) == timedelta(0):
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.astimezone(offset).isoformat()


# --- the remote account -----------------------------------------------------------------------


# Editable most often, and most often never submitted (the one state a delete applies to).
PENDING = st.one_of(
    st.none(),
    st.sampled_from(EDITABLE + ("PREPARE_FOR_SUBMISSION",) * 4),
    st.sampled_from(IN_FLIGHT),
)


@st.composite
def remote_versions(draw: st.DrawFn) -> list[RemoteSpec]:
    """0-4 versions of one platform, oldest first, in a shape Apple allows."""
    keys = sorted(draw(st.lists(KEYS, max_size=4, unique=True)))
    if not keys:
        return []
    pending = draw(PENDING)
    done = len(keys) - (pending is not None)
    states = [LIVE if i == done - 1 else REPLACED for i in range(done)]
    if pending is not None:
        states.append(pending)  # the one not done is the highest: strings only go up (R3)
    return [draw(remote_version(key, state)) for key, state in zip(keys, states, strict=True)]


@st.composite
def remote_version(draw: st.DrawFn, key: Key, state: str) -> RemoteSpec:
    if state == "PENDING_DEVELOPER_RELEASE":
        release_type: str | None = "MANUAL"
    elif state == "PENDING_APPLE_RELEASE":
        release_type = "SCHEDULED"
    else:
        release_type = draw(st.none() | st.sampled_from(RELEASE_TYPES))
    date = None
    if release_type == "SCHEDULED":
        date = apple_date(draw(HOURS), draw(st.sampled_from(OFFSETS)))
    return RemoteSpec(
        version_string=draw(st.sampled_from(spellings(key))),
        state=state,
        release_type=release_type,
        earliest_release_date=date,
        copyright=draw(st.none() | st.sampled_from(COPYRIGHTS)),
    )


# --- the manifest -----------------------------------------------------------------------------


def desired_version(remote: list[RemoteSpec]) -> st.SearchStrategy[str]:
    """A version string equal to, spelled like, just above or just below a remote one."""
    options = [spelled(KEYS)]
    if remote:
        keys = [key_of(v.version_string) for v in remote]
        options += [
            st.sampled_from([v.version_string for v in remote]),
            spelled(st.sampled_from(keys)),
            spelled(st.sampled_from(keys).flatmap(lambda k: st.sampled_from(neighbours(k)))),
            spelled(st.sampled_from(neighbours(max(keys))[:3])),  # above every remote one
        ]
    return st.one_of(options)


@st.composite
def desired_platform(draw: st.DrawFn, remote: list[RemoteSpec]) -> Spec | None:
    kind = draw(st.sampled_from(["unmanaged", "absent", "release", "release", "release"]))
    if kind == "unmanaged":
        return None
    if kind == "absent":
        return "absent"
    fields: dict[str, Any] = {"version": draw(desired_version(remote))}
    release_type = draw(st.none() | st.sampled_from(list(ReleaseType)))
    if release_type is not None:
        fields["release_type"] = release_type
    if release_type is ReleaseType.SCHEDULED:
        remote_dates = [
            datetime.fromisoformat(v.earliest_release_date)
            for v in remote
            if v.earliest_release_date
        ]
        moment = draw(st.sampled_from(remote_dates) | HOURS if remote_dates else HOURS)
        fields["earliest_release_date"] = moment.astimezone(draw(st.sampled_from(OFFSETS)))
    if draw(st.booleans()):  # left out: not managed
        fields["copyright"] = draw(st.none() | st.sampled_from(COPYRIGHTS))
    return PlatformRelease(**fields)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    remote: dict[str, dict[Platform, list[RemoteSpec]]] = {}
    apps: dict[str, AppEntry] = {}
    for bundle_id in BUNDLE_IDS:
        exists = draw(st.integers(0, 19)) > 0  # now and then an app Apple does not have
        versions = {p: draw(remote_versions()) for p in PLATFORMS} if exists else {}
        if exists:
            remote[bundle_id] = versions
        if not draw(st.integers(0, 5)):
            continue  # not in the manifest
        entry: dict[str, Any] = {}
        for platform in PLATFORMS:
            spec = draw(desired_platform(versions.get(platform, [])))
            if spec is not None:
                entry[platform.value] = spec
        app_id = draw(st.sampled_from([None] * 10 + [APP_IDS[bundle_id]] * 8 + ["999"]))
        if app_id is not None:
            entry["app_id"] = app_id
        apps[bundle_id] = AppEntry(**entry)
    return Scenario(remote=remote, manifest=Manifest(apps=apps))


def build(scenario: Scenario) -> SandboxState:
    state = SandboxState()
    for bundle_id, platforms in scenario.remote.items():
        app_id = state.add_app(bundle_id, app_id=APP_IDS[bundle_id])
        for platform, versions in platforms.items():
            for v in versions:  # oldest first, so createdDate follows release order
                state.add_version(
                    app_id,
                    platform=platform.api,
                    version_string=v.version_string,
                    app_version_state=v.state,
                    release_type=v.release_type,
                    earliest_release_date=v.earliest_release_date,
                    copyright=v.copyright,
                )
    return state


# --- checks on the sandbox's own records ------------------------------------------------------


def instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def text(value: str | None) -> str:
    return (value or "").strip()


def holds(record: VersionRecord, spec: PlatformRelease) -> bool:
    """Whether the record has every attribute the manifest manages, compared as Apple stores
    them (dates as instants, strings trimmed, empty as unset)."""
    if record.version_string != spec.version:
        return False
    if spec.release_type is not None:
        if record.release_type != spec.release_type.api:
            return False
        if instant(record.earliest_release_date) != spec.earliest_release_date:
            return False
    # A copyright left out or null is not managed; an empty one clears it.
    return spec.copyright is None or text(record.copyright) == text(spec.copyright)


def check_apple_invariants(state: SandboxState) -> None:
    for app in state:
        for platform in Platform:
            versions = state.versions(app.id, platform.api)
            strings = [v.version_string for v in versions]
            assert len(strings) == len(set(strings)), strings
            pending = [v for v in versions if v.app_version_state not in DONE]
            assert len(pending) <= 1, [(v.version_string, v.app_version_state) for v in pending]


def check_converged(state: SandboxState, manifest: Manifest, first: Plan) -> None:
    """Every app and platform the first plan neither deferred nor refused is as declared."""
    left: set[tuple[str, Platform | None]] = {(d.app, d.platform) for d in first.deferred}
    left |= {(e.app, e.platform) for e in first.errors}
    for bundle_id, entry in manifest.apps.items():
        record = state.app_by_bundle_id(bundle_id)
        for platform, spec in entry.platforms().items():
            if (bundle_id, platform) in left or (bundle_id, None) in left:
                continue
            assert record is not None
            versions = state.versions(record.id, platform.api)
            if spec == ABSENT:
                editable = [v for v in versions if v.app_version_state in EDITABLE]
                assert not editable, (bundle_id, platform, editable)
            else:
                assert isinstance(spec, PlatformRelease)
                assert any(holds(v, spec) for v in versions), (bundle_id, platform, versions)


# --- the property -----------------------------------------------------------------------------


def _client(app: SandboxApp) -> AscClient:
    return AscClient("https://sandbox.test", transport=app.transport(), sleep=lambda _: None)


def _plan(client: AscClient, manifest: Manifest) -> Plan:
    return make_plan(manifest, read_state(client, manifest))


@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenarios(), st.sampled_from([1, 4]))
def test_plan_apply_plan_converges(scenario: Scenario, parallelism: int) -> None:
    state = build(scenario)
    check_apple_invariants(state)
    app = SandboxApp(state, clock=lambda: NOW, sleep=lambda _: None)
    with _client(app) as client:
        first = _plan(client, scenario.manifest)
        read = len(app.request_log)
        result = apply_plan(first, client, sleep=lambda _: None, parallelism=parallelism)
        during_apply = app.request_log[read:]
        second = _plan(client, scenario.manifest)

    assert [r.status for r in result.results] == [Status.DONE] * len(first.changes), [
        (r.change, r.failure) for r in result.results if r.status is not Status.DONE
    ]
    # One write per change, none refused, and no read-back: nothing was lost on the way.
    refused = [entry for entry in app.request_log if entry[0] in WRITES and entry[2] >= 400]
    assert not refused, refused
    assert [m for m, _, _ in during_apply if m not in WRITES] == []
    assert len(during_apply) == len(first.changes)

    assert second.changes == (), second.changes
    assert {(d.app, d.platform) for d in second.deferred} == {
        (d.app, d.platform) for d in first.deferred
    }
    assert {(e.app, e.platform) for e in second.errors} == {
        (e.app, e.platform) for e in first.errors
    }
    # Nothing apply did moves a deferral or an error: they are the same values.
    assert second.deferred == first.deferred
    assert second.errors == first.errors

    check_apple_invariants(state)
    check_converged(state, scenario.manifest, first)
    # What the examples covered (pytest --hypothesis-show-statistics).
    for change in first.changes:
        touched = ",".join(sorted(change.before or change.after or {}))
        event(f"change: {change.action.value} {touched}")
    for deferral in first.deferred:
        event(f"deferred on {deferral.waiting_on_state}")
    for error in first.errors:
        event(f"error: {error.rule}")
