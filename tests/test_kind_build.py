"""The build attached to a version, on plain values (FACTS-2 R24-R25), through make_plan, and
the build kind's relationship PATCH and read-back."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.kinds import created_key, kind
from reconciler.kinds.build import same_train
from reconciler.manifest import AppEntry, Manifest, Platform, PlatformRelease
from reconciler.plan import Action, Change, Deferral, Plan, PlanProblem
from reconciler.planner import make_plan
from reconciler.state import RemoteApp, RemoteBuild, RemoteState, RemoteVersion, VersionChildren

BUNDLE = "com.example.app"
KIND = kind("build")
RELEASED = RemoteVersion(
    id="v0", platform="IOS", version_string="1.0", state="REPLACED_WITH_NEW_VERSION"
)


def _build(number: str = "2040", train: str = "2.0", **attrs: Any) -> RemoteBuild:
    values: dict[str, Any] = {
        "id": f"b{number}",
        "number": number,
        "train": train,
        "platform": "IOS",
        "processing_state": "VALID",
        "audience": "APP_STORE_ELIGIBLE",
        "expired": False,
        "uploaded_date": "2026-11-30T10:00:00Z",
    }
    values.update(attrs)
    return RemoteBuild(**values)


def _version(
    string: str = "2.0", state: str = "PREPARE_FOR_SUBMISSION", attached: RemoteBuild | None = None
) -> RemoteVersion:
    return RemoteVersion(
        id="v1",
        platform="IOS",
        version_string=string,
        state=state,
        children=VersionChildren(build=attached),
    )


def _plan(
    release: dict[str, Any],
    *versions: RemoteVersion,
    builds: tuple[RemoteBuild, ...] = (),
    platform: str = "ios",
) -> Plan:
    manifest = Manifest(apps={BUNDLE: AppEntry(**{platform: PlatformRelease(**release)})})
    app = RemoteApp(id="100", bundle_id=BUNDLE, versions=(RELEASED, *versions), builds=builds)
    return make_plan(manifest, RemoteState(apps={BUNDLE: app}))


def _only(plan: Plan) -> Change | Deferral | PlanProblem:
    items = [*(c for c in plan.changes if c.kind == "build"), *plan.deferred, *plan.errors]
    assert len(items) == 1, items
    return items[0]


def test_a_valid_build_of_the_version_is_attached_with_one_relationship_patch() -> None:
    plan = _plan({"version": "2.0", "build": "2040"}, _version(), builds=(_build(),))
    change = _only(plan)
    assert isinstance(change, Change) and change.action is Action.UPDATE
    assert (change.version_id, change.resource_id) == ("v1", "b2040")
    assert change.before == {"build": None} and change.after == {"build": "2040"}
    request = KIND.request(change, {})
    assert (request.method, request.path) == (
        "PATCH",
        "/v1/appStoreVersions/v1/relationships/build",
    )
    assert request.body == {"data": {"type": "builds", "id": "b2040"}}


def test_a_build_already_attached_plans_nothing() -> None:
    build = _build(version_id="v1")
    assert _plan({"version": "2.0", "build": "2040"}, _version(attached=build)) == Plan()


@pytest.mark.parametrize("state", ["IN_REVIEW", "READY_FOR_DISTRIBUTION"])
def test_the_attached_build_on_a_settled_version_is_no_error(state: str) -> None:
    build = _build(version_id="v1")
    assert (
        _plan({"version": "2.0", "build": "2040"}, _version(state=state, attached=build)) == Plan()
    )


def test_another_attached_build_is_replaced_and_the_plan_names_both_numbers() -> None:
    plan = _plan(
        {"version": "2.0", "build": "2040"},
        _version(attached=_build("2039", version_id="v1")),
        builds=(_build(),),
    )
    change = _only(plan)
    assert isinstance(change, Change)
    assert change.before == {"build": "2039"} and change.after == {"build": "2040"}
    assert change.resource_id == "b2040"


# Waiting: it converges by itself.
@pytest.mark.parametrize(
    ("builds", "reason", "until"),
    [
        ((), "build 2040 of 2.0 is not uploaded yet", "uploaded"),
        ((_build(processing_state="PROCESSING"),), "build 2040 of 2.0 is processing", "processed"),
    ],
)
def test_a_build_not_uploaded_or_still_processing_is_a_deferral(
    builds: tuple[RemoteBuild, ...], reason: str, until: str
) -> None:
    plan = _plan({"version": "2.0", "build": "2040"}, _version(), builds=builds)
    deferral = _only(plan)
    assert isinstance(deferral, Deferral) and deferral.kind == "build"
    assert deferral.reason == reason and deferral.until.endswith(f"once it is {until}")
    assert deferral.version == "2.0"


# Never usable: an error with the reason, never a 409 at apply time (E14).
@pytest.mark.parametrize(
    ("build", "rule", "words"),
    [
        (_build(processing_state="FAILED"), "build-unusable", "is FAILED"),
        (_build(processing_state="INVALID"), "build-unusable", "is INVALID"),
        (_build(expired=True), "build-unusable", "has expired"),
        (_build(audience="INTERNAL_ONLY"), "build-unusable", "internal testing only"),
        (_build(version_id="other"), "build-unusable", "attached to another App Store version"),
        (_build(train="1.9"), "build-of-another-version", "uploaded for 1.9 (IOS), not for 2.0"),
        (_build(platform="MAC_OS"), "build-of-another-version", "2.0 (MAC_OS), not for 2.0 (IOS)"),
    ],
)
def test_a_build_that_can_never_be_attached_is_an_error_naming_why(
    build: RemoteBuild, rule: str, words: str
) -> None:
    plan = _plan({"version": "2.0", "build": "2040"}, _version(), builds=(build,))
    error = _only(plan)
    assert isinstance(error, PlanProblem) and error.rule == rule
    assert words in error.message and "2040" in error.message


@pytest.mark.parametrize(
    "state",
    ["WAITING_FOR_REVIEW", "IN_REVIEW", "PENDING_DEVELOPER_RELEASE", "READY_FOR_DISTRIBUTION"],
)
def test_a_version_that_can_no_longer_take_a_build_is_an_error(state: str) -> None:
    plan = _plan(
        {"version": "2.0", "build": "2040"},
        _version(state=state, attached=_build("2039", version_id="v1")),
        builds=(_build(),),
    )
    error = _only(plan)
    assert isinstance(error, PlanProblem) and error.rule == "build-cannot-change"
    assert state in error.message and "build 2039" in error.message


@pytest.mark.parametrize("state", ["REJECTED", "METADATA_REJECTED", "INVALID_BINARY"])
def test_a_rejected_version_takes_a_new_build(state: str) -> None:
    plan = _plan({"version": "2.0", "build": "2040"}, _version(state=state), builds=(_build(),))
    assert isinstance(_only(plan), Change)


@pytest.mark.parametrize(("train", "version"), [("1.0", "1.0.0"), ("1.0.0", "1.0"), ("2", "2.0.0")])
def test_trains_compare_numerically_so_1_0_is_1_0_0(train: str, version: str) -> None:
    assert same_train(train, version)
    manifest = Manifest(apps={BUNDLE: AppEntry(ios=PlatformRelease(version=version, build="7"))})
    remote = RemoteVersion(
        id="v1", platform="IOS", version_string=version, state="PREPARE_FOR_SUBMISSION"
    )
    app = RemoteApp(
        id="100", bundle_id=BUNDLE, versions=(remote,), builds=(_build("7", train=train),)
    )
    [change] = make_plan(manifest, RemoteState(apps={BUNDLE: app})).changes
    assert change.kind == "build" and change.resource_id == "b7"


@pytest.mark.parametrize(("train", "version"), [("1.0.1", "1.0"), ("1.1", "1.10"), (None, "1.0")])
def test_other_trains_are_other_trains(train: str | None, version: str) -> None:
    assert not same_train(train, version)


def test_of_several_builds_with_the_number_the_usable_one_is_taken() -> None:
    failed = _build(processing_state="FAILED", uploaded_date="2026-11-30T12:00:00Z", id="bad")
    good = _build(uploaded_date="2026-11-30T10:00:00Z", id="good")
    plan = _plan({"version": "2.0", "build": "2040"}, _version(), builds=(failed, good))
    change = _only(plan)
    assert isinstance(change, Change) and change.resource_id == "good"


def test_a_build_of_the_same_number_for_another_platform_is_not_taken() -> None:
    mac = _build(platform="MAC_OS", id="mac")
    ios = _build(id="ios")
    plan = _plan({"version": "2.0", "build": "2040"}, _version(), builds=(mac, ios))
    change = _only(plan)
    assert isinstance(change, Change) and change.resource_id == "ios"


def test_a_version_to_be_created_takes_its_build_in_the_same_run() -> None:
    plan = _plan({"version": "2.0", "build": "2040"}, builds=(_build(),))
    [version] = [c for c in plan.changes if c.kind == "version"]
    [change] = [c for c in plan.changes if c.kind == "build"]
    assert version.action is Action.CREATE and not plan.errors and not plan.deferred
    assert change.action is Action.UPDATE and change.version_id is None
    ids = {created_key(change): "new-v"}
    request = KIND.request(change, ids)
    assert request.path == "/v1/appStoreVersions/new-v/relationships/build"
    assert request.body == {"data": {"type": "builds", "id": "b2040"}}
    lookup = KIND.lookup(change, ids)
    assert lookup.to_one and lookup.path == request.path


def test_the_attach_to_a_version_made_in_the_same_run_comes_after_its_create() -> None:
    plan = _plan({"version": "2.0", "build": "2040"}, builds=(_build(),))
    assert [c.kind for c in plan.changes] == ["version", "build"]


def test_a_renamed_version_takes_a_build_of_its_new_train() -> None:
    renamed = _plan({"version": "2.1", "build": "2040"}, _version(), builds=(_build(train="2.1"),))
    change = _only(renamed)
    assert isinstance(change, Change) and change.version_id == "v1" and change.version == "2.1"
    old_train = _plan({"version": "2.1", "build": "2040"}, _version(), builds=(_build(),))
    error = _only(old_train)
    assert isinstance(error, PlanProblem) and error.rule == "build-of-another-version"


def test_a_deferred_or_blocked_version_plans_no_build() -> None:
    in_flight = RemoteVersion(id="v1", platform="IOS", version_string="2.0", state="IN_REVIEW")
    deferred = _plan({"version": "3.0", "build": "2040"}, in_flight, builds=(_build(train="3.0"),))
    assert not deferred.changes and not deferred.errors
    assert [d.kind for d in deferred.deferred] == ["version"]
    blocked = _plan({"version": "0.9", "build": "2040"}, builds=(_build(train="0.9"),))
    assert not blocked.changes and [e.rule for e in blocked.errors] == ["version-not-greater"]


def test_an_attached_build_holds_only_when_it_is_the_build_wanted() -> None:
    plan = _plan({"version": "2.0", "build": "2040"}, _version(), builds=(_build(),))
    change = _only(plan)
    assert isinstance(change, Change)
    assert KIND.holds(change, {"type": "builds", "id": "b2040"})
    assert not KIND.holds(change, {"type": "builds", "id": "b2039"})
    assert KIND.settle(change, {"id": "b2040"}) is None
    lookup = KIND.lookup(change, {})
    assert lookup.to_one and lookup.find([{"id": "b2040"}]) == {"id": "b2040"}
    assert lookup.find([]) is None
    assert KIND.describe(change) == "build of 2.0"


def test_the_build_plan_is_stable_for_every_platform() -> None:
    mac = _build(platform="MAC_OS")
    version = RemoteVersion(
        id="m1", platform="MAC_OS", version_string="2.0", state="PREPARE_FOR_SUBMISSION"
    )
    plan = _plan({"version": "2.0", "build": "2040"}, version, builds=(mac,), platform="macos")
    change = _only(plan)
    assert isinstance(change, Change) and change.platform is Platform.MACOS


def test_a_renamed_version_keeps_no_build_of_its_old_train_by_number_alone() -> None:
    # The number is the one attached, but the version becomes 2.1 and the build is of 2.0.
    attached = _build(version_id="v1")
    plan = _plan(
        {"version": "2.1", "build": "2040"}, _version(attached=attached), builds=(attached,)
    )
    error = _only(plan)
    assert isinstance(error, PlanProblem) and error.rule == "build-of-another-version"
    assert "uploaded for 2.0 (IOS), not for 2.1" in error.message


def test_an_attached_build_whose_train_was_not_read_counts_as_attached() -> None:
    attached = _build(train=None, version_id="v1")
    assert _plan({"version": "2.0", "build": "2040"}, _version(attached=attached)) == Plan()


@pytest.mark.parametrize("attached", [None, _build("2039", version_id="v1")])
def test_an_attach_applied_as_sent_is_followed_by_no_changes(attached: RemoteBuild | None) -> None:
    builds = (_build(), *([attached] if attached else []))
    plan = _plan({"version": "2.0", "build": "2040"}, _version(attached=attached), builds=builds)
    change = _only(plan)
    assert isinstance(change, Change)
    sent = KIND.request(change, {}).body
    assert sent is not None
    [build] = [b for b in builds if b.id == sent["data"]["id"]]
    now = build.model_copy(update={"version_id": "v1"})
    assert (
        _plan({"version": "2.0", "build": "2040"}, _version(attached=now), builds=(now,)) == Plan()
    )
