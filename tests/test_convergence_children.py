"""Convergence with what hangs off a version: localizations, the build, the phased release.

For any account App Store Connect can really be in and any manifest managing these keys:
plan, apply the plan on the in-process sandbox, plan again. The second plan has no changes.
Its deferrals are the first plan's. Its errors are the first plan's, by app, platform, version and
rule (the message may name another remote version string only after a rename: `check_errors`).
Every write apply sent was accepted; every change was one write, but for a localization of a
version made in the same run, which is one read of what Apple made with the version and then
a PATCH only if it differs (or a POST if Apple made none). The account then holds what the
manifest asks for, checked on the sandbox's own records: each managed locale the normalised
text, the named build attached, the phased release in the wanted state.

Accounts per app and platform (FACTS §1, FACTS-2 §9-11): none, or a live version
(READY_FOR_DISTRIBUTION, perhaps after a replaced one); optionally a pending version above it
in any editable or in-flight state; every version has the app's primary locale and a random
few more (now and then more than the 10 Apple includes by default, R13), with random text
(multi-line, CRLF, surrounding white space, empty, at the length limits; no release notes on
a platform's first version, R15); builds of the trains in play in random processing states,
audiences and expiry, some attached; a phased release INACTIVE on an unreleased update, and
ACTIVE, PAUSED or COMPLETE only on a live update.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reconciler.applier import apply_plan
from reconciler.asc import AscClient
from reconciler.errors import TransportError
from reconciler.kinds.locales import LOCALES as ALL_LOCALES
from reconciler.kinds.version import normalise_text
from reconciler.manifest import DEFAULT_LOCALE, AppEntry, Manifest, Platform, PlatformRelease
from reconciler.outcome import Status
from reconciler.plan import Action, Change, Plan
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState, VersionRecord
from tests.profiles import examples

WRITES = frozenset({"POST", "PATCH", "DELETE"})
# Prefixes of one another on purpose: Apple's bundle id filter is a prefix match (R10).
BUNDLE_IDS = ("com.example.app", "com.example.app.watch")
APP_IDS = {b: str(1_000_000_001 + i) for i, b in enumerate(BUNDLE_IDS)}
PLATFORMS = (Platform.IOS, Platform.MACOS)
PRIMARY = "en-US"
LOCALES = (PRIMARY, "de-DE", "fr-FR", "ja")
EVERY_OTHER = tuple(code for code in ALL_LOCALES if code != PRIMARY)
TEXTS = (
    "Bug fixes.",
    "Bug fixes.\n",
    "  Bug fixes.  ",
    "New:\n- widgets\n- dark mode",
    "New:\r\n- widgets\r\n- dark mode\r\n",
    "",
    "   ",
    "Neu: Widgets.",
)
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
PROCESSING = ("PROCESSING", "FAILED", "INVALID", *("VALID",) * 5)
AUDIENCES = ("INTERNAL_ONLY", *("APP_STORE_ELIGIBLE",) * 4)
NUMBERS = ("1", "2", "3")
PHASED_VALUES: tuple[bool | str, ...] = (True, False, "paused", "complete")


@dataclass(frozen=True)
class Localization:
    locale: str
    whats_new: str | None
    promotional_text: str | None


@dataclass(frozen=True)
class VersionSpec:
    version_string: str
    state: str
    localizations: tuple[Localization, ...]
    phased: str | None = None


@dataclass(frozen=True)
class BuildSpec:
    train: str
    number: str
    processing_state: str
    audience: str
    expired: bool
    attach_to: int | None = None  # index into the platform's versions


@dataclass
class PlatformSpec:
    versions: list[VersionSpec] = field(default_factory=list)  # oldest first
    builds: list[BuildSpec] = field(default_factory=list)


@dataclass(frozen=True)
class Scenario:
    remote: dict[str, dict[Platform, PlatformSpec]]
    manifest: Manifest


TEXT = st.sampled_from(TEXTS)
MAYBE_TEXT = st.none() | TEXT
# At Apple's limits (4000 and 170 characters), counted on the stripped text.
NOTES = TEXT | st.sampled_from(["n" * 4000, "\n  " + "n" * 4000 + " \r\n"])
PROMO = TEXT | st.sampled_from(["p" * 170, "  " + "p" * 170 + "\n"])


@st.composite
def localizations(draw: st.DrawFn, first: bool = False) -> tuple[Localization, ...]:
    """A version's localizations; a platform's first version has no release notes (R15)."""
    if draw(st.integers(0, 9)):
        others = draw(st.lists(st.sampled_from(LOCALES[1:]), unique=True, max_size=3))
    else:  # more than Apple includes by default (10, R13), up to every locale
        others = draw(st.lists(st.sampled_from(EVERY_OTHER), unique=True, min_size=10))
    return tuple(
        Localization(locale, None if first else draw(st.none() | NOTES), draw(st.none() | PROMO))
        for locale in [PRIMARY, *others]
    )


@st.composite
def remote_platform(draw: st.DrawFn) -> PlatformSpec:
    spec = PlatformSpec()
    major = draw(st.integers(1, 3))
    released = draw(st.integers(0, 2))  # how many done versions: 0, live, replaced + live
    for i in range(released):
        state = LIVE if i == released - 1 else REPLACED
        phased = None
        if state == LIVE and i > 0:  # an update: it may have rolled out in phases
            phased = draw(st.sampled_from([None, "ACTIVE", "ACTIVE", "PAUSED", "COMPLETE"]))
        texts = draw(localizations(first=i == 0))
        spec.versions.append(VersionSpec(f"{major}.{i}", state, texts, phased))
    if draw(st.booleans()):
        state = draw(st.sampled_from(EDITABLE + ("PREPARE_FOR_SUBMISSION",) * 3 + IN_FLIGHT))
        phased = "INACTIVE" if released and draw(st.booleans()) else None
        texts = draw(localizations(first=not released))
        spec.versions.append(VersionSpec(f"{major}.{released}", state, texts, phased))
    return spec


def candidate_strings(spec: PlatformSpec) -> list[str]:
    """Version strings a manifest may name: each remote one, one above, one below."""
    if not spec.versions:
        return ["1.0", "2.0"]
    strings = [v.version_string for v in spec.versions]
    major, minor = (int(p) for p in strings[-1].split("."))
    return [*strings, f"{major}.{minor + 1}", f"{major + 1}.0", f"{major - 1}.9"]


@st.composite
def builds(draw: st.DrawFn, spec: PlatformSpec, trains: list[str]) -> list[BuildSpec]:
    found: list[BuildSpec] = []
    attached: set[int] = set()
    for _ in range(draw(st.integers(0, 3))):
        train = draw(st.sampled_from(trains))
        same = [i for i, v in enumerate(spec.versions) if v.version_string == train]
        attach_to = None
        if same and same[0] not in attached and draw(st.booleans()):
            attach_to = same[0]
            attached.add(attach_to)
        found.append(
            BuildSpec(
                train=train,
                number=draw(st.sampled_from(NUMBERS)),
                processing_state=draw(st.sampled_from(PROCESSING)),
                audience=draw(st.sampled_from(AUDIENCES)),
                expired=draw(st.integers(0, 7)) == 0,
                attach_to=attach_to,
            )
        )
    return found


@st.composite
def release_notes(draw: st.DrawFn) -> dict[str, str] | None:
    if not draw(st.booleans()):
        return None
    keys = draw(st.lists(st.sampled_from((*LOCALES, DEFAULT_LOCALE)), unique=True, max_size=3))
    return {k: draw(NOTES) for k in keys}


@st.composite
def promotional_text(draw: st.DrawFn) -> dict[str, str] | None:
    if not draw(st.booleans()):
        return None
    keys = draw(st.lists(st.sampled_from(LOCALES), unique=True, max_size=3))
    return {k: draw(PROMO) for k in keys}


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    remote: dict[str, dict[Platform, PlatformSpec]] = {}
    apps: dict[str, AppEntry] = {}
    for bundle_id in BUNDLE_IDS:
        platforms: dict[Platform, PlatformSpec] = {}
        entry: dict[str, Any] = {}
        for platform in PLATFORMS:
            spec = draw(remote_platform())
            candidates = candidate_strings(spec)
            # The remote ones twice as often: that is where the children are planned against.
            remote_strings = [v.version_string for v in spec.versions] or candidates
            wanted = draw(st.sampled_from(candidates) | st.sampled_from(remote_strings))
            # The manifest's train most often: that is the build it can attach.
            trains = [wanted, wanted, *sorted({v.version_string for v in spec.versions})]
            spec.builds = draw(builds(spec, trains))
            platforms[platform] = spec
            if draw(st.integers(0, 4)) == 0:
                continue  # not managed
            fields: dict[str, Any] = {
                "version": wanted,
                "release_notes": draw(release_notes()),
                "promotional_text": draw(promotional_text()),
                "build": draw(st.none() | st.sampled_from((*NUMBERS, "9"))),
                "phased_release": draw(st.none() | st.sampled_from(PHASED_VALUES)),
            }
            entry[platform.value] = PlatformRelease(**fields)
        remote[bundle_id] = platforms
        if entry:
            apps[bundle_id] = AppEntry(**entry)
    return Scenario(remote=remote, manifest=Manifest(apps=apps))


def build(scenario: Scenario) -> SandboxState:
    state = SandboxState()
    for bundle_id, platforms in scenario.remote.items():
        app_id = state.add_app(bundle_id, app_id=APP_IDS[bundle_id], primary_locale=PRIMARY)
        for platform, spec in platforms.items():
            ids = []
            for v in spec.versions:
                version_id = state.add_version(
                    app_id,
                    platform=platform.api,
                    version_string=v.version_string,
                    app_version_state=v.state,
                    release_type="AFTER_APPROVAL",
                )
                ids.append(version_id)
                for loc in v.localizations:
                    state.add_localization(
                        version_id,
                        loc.locale,
                        whats_new=loc.whats_new,
                        promotional_text=loc.promotional_text,
                    )
                if v.phased is not None:
                    state.add_phased_release(version_id, v.phased)
            for b in spec.builds:
                build_id = state.add_build(
                    app_id,
                    version=b.train,
                    platform=platform.api,
                    number=b.number,
                    processing_state=b.processing_state,
                    audience=b.audience,
                    expired=b.expired,
                )
                if b.attach_to is not None:
                    state.attach_build(ids[b.attach_to], build_id)
    return state


# --- checks on the sandbox's own records ------------------------------------------------------


def _version(state: SandboxState, bundle_id: str, platform: Platform, string: str) -> VersionRecord:
    app = state.app_by_bundle_id(bundle_id)
    assert app is not None
    found = [v for v in state.versions(app.id, platform.api) if v.version_string == string]
    assert len(found) == 1, (bundle_id, platform, string, found)
    return found[0]


def check_localizations(state: SandboxState, version: VersionRecord) -> None:
    """Apple's own invariant, whatever the plan did: one localization per locale (E5)."""
    locales = [loc.locale for loc in state.localizations_of(version.id)]
    assert len(locales) == len(set(locales)), (version.version_string, locales)


def _problems(plan: Plan, bundle_id: str, platform: Platform) -> set[str]:
    return {e.rule for e in plan.errors if e.app == bundle_id and e.platform in (platform, None)}


def _deferred_kinds(plan: Plan, bundle_id: str, platform: Platform) -> set[str]:
    return {d.kind for d in plan.deferred if d.app == bundle_id and d.platform == platform}


VERSION_RULES = frozenset(
    {"version-not-greater", "version-not-editable", "submitted-cannot-be-deleted"}
)


def check_converged(state: SandboxState, manifest: Manifest, first: Plan) -> None:
    for bundle_id, entry in manifest.apps.items():
        for platform, spec in entry.platforms().items():
            assert isinstance(spec, PlatformRelease)
            problems = _problems(first, bundle_id, platform)
            deferred = _deferred_kinds(first, bundle_id, platform)
            if "version" in deferred or problems & VERSION_RULES or "unknown" in problems:
                continue  # the version itself is blocked: nothing hanging off it is planned
            if any(p.startswith("version") or p.startswith("app") for p in problems):
                continue
            version = _version(state, bundle_id, platform, spec.version)
            check_localizations(state, version)
            if not problems & {"locale-cannot-be-added", "localization-not-editable"}:
                event("checked: texts")
                check_texts(state, version, spec, "release-notes-first-version" in problems)
            if (
                spec.build is not None
                and "build" not in deferred
                and not any(p.startswith("build") for p in problems)
            ):
                event("checked: build")
                attached = state.builds.get(version.build_id or "")
                assert attached is not None and attached.number == spec.build, (
                    bundle_id,
                    platform,
                    spec.build,
                    attached,
                )
            phased_problem = any(p.startswith(("phased", "rollout")) for p in problems)
            if spec.phased_release is not None and not phased_problem:
                event(f"checked: phased {spec.phased_release}")
                check_phased(state, version, spec.phased_release)


def check_texts(
    state: SandboxState, version: VersionRecord, spec: PlatformRelease, first: bool
) -> None:
    held = {loc.locale: loc for loc in state.localizations_of(version.id)}
    notes = dict(spec.release_notes or {}) if not first else {}
    default = notes.pop(DEFAULT_LOCALE, None)
    for locale in set(held) | set(notes) | set(spec.promotional_text or {}):
        record = held.get(locale)
        wanted_notes = notes.get(locale, default)
        if locale in notes or default is not None:
            if normalise_text(wanted_notes) is None and record is None:
                pass  # nothing to hold: an empty text makes no localization
            else:
                assert record is not None, (version.version_string, locale)
                assert normalise_text(record.whats_new) == normalise_text(wanted_notes), (
                    locale,
                    record.whats_new,
                    wanted_notes,
                )
        promo = (spec.promotional_text or {}).get(locale)
        if locale in (spec.promotional_text or {}):
            if normalise_text(promo) is None and record is None:
                continue
            assert record is not None, (version.version_string, locale)
            assert normalise_text(record.promotional_text) == normalise_text(promo), (
                locale,
                record.promotional_text,
                promo,
            )


def check_phased(state: SandboxState, version: VersionRecord, wanted: bool | str) -> None:
    record = state.phased_release_of(version.id)
    now = record.state if record else None
    released = version.app_version_state == LIVE
    if wanted is False:
        assert now in (None, "COMPLETE"), now
    elif not released:
        assert now is not None, (version.version_string, version.app_version_state)
    elif wanted is True:
        assert now in ("INACTIVE", "ACTIVE", "COMPLETE"), now
    elif wanted == "paused":
        assert now == "PAUSED", now
    else:
        assert now in (None, "COMPLETE"), now


# --- the property -----------------------------------------------------------------------------


def _client(app: SandboxApp) -> AscClient:
    return AscClient("https://sandbox.test", transport=app.transport(), sleep=lambda _: None)


def _plan(client: AscClient, manifest: Manifest) -> Plan:
    return make_plan(manifest, read_state(client, manifest))


def _adopting(change: Change) -> bool:
    """A localization create for a version made in this run: read first, then PATCH or POST."""
    return (
        change.kind == "localization"
        and change.action is Action.CREATE
        and change.version_id is None
    )


def _rules(plan: Plan) -> set[tuple[str, Platform | None, str | None, str]]:
    return {(e.app, e.platform, e.version, e.rule) for e in plan.errors}


def check_errors(first: Plan, second: Plan) -> None:
    """The same errors, by (app, platform, version, rule): no change of the first plan
    resolves an error (each is about something apply does not write: a version's state, a
    build's processing, a rollout's state; a rename moves the version but not the rules) and
    none makes one. A message may differ only where the first plan renamed the version (it
    names the remote version's string)."""
    assert _rules(second) == _rules(first), _rules(first) ^ _rules(second)
    renamed = {
        (c.app, c.platform)
        for c in first.changes
        if c.kind == "version" and c.action is Action.UPDATE and "version" in (c.after or {})
    }
    for error in set(second.errors) - set(first.errors):
        event(f"error reworded after a rename: {error.rule}")
        assert (error.app, error.platform) in renamed, error


def run(scenario: Scenario, parallelism: int) -> None:
    state = build(scenario)
    app = SandboxApp(state, sleep=lambda _: None)
    with _client(app) as client:
        first = _plan(client, scenario.manifest)
        read = len(app.request_log)
        result = apply_plan(first, client, sleep=lambda _: None, parallelism=parallelism)
        during_apply = app.request_log[read:]
        second = _plan(client, scenario.manifest)

    assert [r.status for r in result.results] == [Status.DONE] * len(first.changes), [
        (r.change, r.failure) for r in result.results if r.status is not Status.DONE
    ]
    refused = [entry for entry in app.request_log if entry[0] in WRITES and entry[2] >= 400]
    assert not refused, refused
    # One write per change; the localizations of a version made in this run cost one read of
    # what Apple made with it (for all of them), and a write only if what Apple made differs
    # from what is wanted (settle's PATCH) or Apple made none (the POST).
    adopted = [r for r in result.results if _adopting(r.change)]
    untouched = sum(1 for r in adopted if r.note == "made by App Store Connect")
    writes = [m for m, _, _ in during_apply if m in WRITES]
    reads = [m for m, _, _ in during_apply if m not in WRITES]
    new_versions = {(r.change.app, r.change.platform, r.change.version) for r in adopted}
    assert len(reads) == len(new_versions), (reads, adopted)
    assert len(writes) == len(first.changes) - untouched, (during_apply, first.changes)
    expected: Counter[str] = Counter()
    for r in result.results:
        method = {Action.CREATE: "POST", Action.UPDATE: "PATCH", Action.DELETE: "DELETE"}
        if _adopting(r.change) and r.note.startswith("made by App Store Connect"):
            expected.update(["PATCH"] if r.note.endswith("; updated") else [])
        else:
            expected[method[r.change.action]] += 1
    assert Counter(writes) == expected, (during_apply, first.changes)

    assert second.changes == (), second.changes
    assert second.deferred == first.deferred
    check_errors(first, second)
    check_converged(state, scenario.manifest, first)
    for change in first.changes:
        event(f"change: {change.kind} {change.action.value}")
    for deferral in first.deferred:
        event(f"deferred: {deferral.kind}")
    for error in first.errors:
        event(f"error: {error.rule}")
    for r in adopted:
        event(f"adopted: {r.note}")


SUPPRESS = [HealthCheck.too_slow, HealthCheck.data_too_large]


@settings(max_examples=examples(300), deadline=None, suppress_health_check=SUPPRESS)
@given(scenarios())
def test_children_converge(scenario: Scenario) -> None:
    run(scenario, parallelism=1)


@settings(max_examples=examples(100), deadline=None, suppress_health_check=SUPPRESS)
@given(scenarios())
def test_children_converge_in_parallel(scenario: Scenario) -> None:
    run(scenario, parallelism=4)


# --- under faults -----------------------------------------------------------------------------

FAULTS = st.builds(
    "ambiguous-create={},invisible={},drop={}%,error500={}%,seed={}".format,
    st.integers(1, 3),
    st.integers(0, 3),
    st.sampled_from([0, 5, 10]),
    st.sampled_from([0, 10, 20]),
    st.integers(0, 1000),
)


def check_done(state: SandboxState, result: Any) -> None:
    """What apply reports done is so on the sandbox's records (a lost answer read back)."""
    for r in result.results:
        change = r.change
        if r.status is not Status.DONE:
            continue
        if change.kind == "version":
            continue  # the version's own attributes: tests/test_convergence.py
        # By id where the plan knew it: a child deleted before its version's rename (deletes go
        # first) belongs to the version under its old string if the rename then failed.
        version = (
            state.version_records[change.version_id]
            if change.version_id is not None
            else _version(state, change.app, change.platform, change.version)
        )
        if change.kind == "localization":
            held = [loc for loc in state.localizations_of(version.id) if loc.locale == change.key]
            assert len(held) == 1, (change.key, held)
            after = change.after or {}
            if "release_notes" in after:
                assert normalise_text(held[0].whats_new) == after["release_notes"], r
            if "promotional_text" in after:
                assert normalise_text(held[0].promotional_text) == after["promotional_text"], r
        elif change.kind == "build":
            assert version.build_id == change.resource_id, r
        elif change.kind == "phased_release":
            record = state.phased_release_of(version.id)
            wanted = (change.after or {}).get("phased_release")
            assert (record.state.lower() if record else None) == wanted, r


# One targeted failure that outlasts the client's retries (6 tries), on the first write of a
# kind: it fails (or, for a POST, is read back and sent again).
TARGETED = st.sampled_from(
    [
        None,
        ("PATCH", "/v1/appStoreVersionLocalizations/", "500", 6),
        ("PATCH", "/v1/appStoreVersions/", "timeout", 6),
        ("PATCH", "/v1/appStoreVersionPhasedReleases/", "commit+timeout", 6),
        ("POST", "/v1/appStoreVersionLocalizations", "commit+timeout", 1),
        ("POST", "/v1/appStoreVersionLocalizations", "drop", 5),
        ("POST", "/v1/appStoreVersionPhasedReleases", "timeout", 5),
        ("DELETE", "/v1/", "timeout", 6),
    ]
)


@settings(max_examples=examples(100), deadline=None, suppress_health_check=SUPPRESS)
@given(scenarios(), FAULTS, TARGETED, st.sampled_from([1, 4]))
def test_children_converge_under_faults_within_three_runs(
    scenario: Scenario,
    faults: str,
    targeted: tuple[str, str, str, int] | None,
    parallelism: int,
) -> None:
    """With lost answers, dropped connections, 500s and lists that lag (R9): whatever apply
    reports done is so, nothing is doubled, and reruns converge (a failure or a stale read
    costs a run) to the errors of a fault-free plan."""
    state = build(scenario)
    app = SandboxApp(state, faults=faults, sleep=lambda _: None)
    if targeted is not None:
        method, prefix, kind, times = targeted
        app.fail_next(method, prefix, kind, times=times)
    with _client(app) as client:
        plan = None
        for _ in range(5):
            try:
                plan = _plan(client, scenario.manifest)
            except TransportError:  # six answers in a row lost: plan fails, a rerun reads
                event("a plan read gave up")
                continue
            if not plan.changes:
                break
            result = apply_plan(plan, client, sleep=lambda _: None, parallelism=parallelism)
            check_done(state, result)
            for r in result.results:
                event(f"{r.change.kind} {r.status.value}: {r.note.split(';')[0]}")
            for version in state.version_records.values():
                check_localizations(state, version)
        assert plan is not None and plan.changes == (), (faults, plan)
    event(f"faults: {faults.split(',')[0]}")
    # The faults cost runs, never the outcome: the errors left are a fault-free run's.
    assert _rules(plan) == _fault_free_rules(scenario), faults


def _fault_free_rules(scenario: Scenario) -> set[tuple[str, Platform | None, str | None, str]]:
    state = build(scenario)
    with _client(SandboxApp(state, sleep=lambda _: None)) as client:
        plan = _plan(client, scenario.manifest)
        apply_plan(plan, client, sleep=lambda _: None)
        return _rules(_plan(client, scenario.manifest))
