"""The planner on plain values: every row of DESIGN §3 and every normalisation."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.manifest import AppEntry, Manifest, Platform, PlatformRelease, ReleaseType
from reconciler.plan import Action, Change, Deferral, Plan, PlanProblem
from reconciler.planner import make_plan
from reconciler.state import RemoteApp, RemoteState, RemoteVersion

BUNDLE = "com.example.app"


def _manifest(ios: Any, **entry: Any) -> Manifest:
    if isinstance(ios, dict):
        ios = PlatformRelease(**ios)
    return Manifest(apps={BUNDLE: AppEntry(ios=ios, **entry)})


def _state(*versions: tuple[str, str], **attrs: Any) -> RemoteState:
    remote = [
        RemoteVersion(id=f"v{i}", platform="IOS", version_string=s, state=state, **attrs)
        for i, (s, state) in enumerate(versions)
    ]
    return RemoteState(apps={BUNDLE: RemoteApp(id="100", bundle_id=BUNDLE, versions=tuple(remote))})


def _only(plan: Plan) -> Change | Deferral | PlanProblem:
    items = [*plan.changes, *plan.deferred, *plan.errors]
    assert len(items) == 1, items
    return items[0]


# Row 1: version v exists and is editable -> update what differs, or nothing.
def test_an_editable_match_is_updated_attribute_by_attribute() -> None:
    plan = make_plan(
        _manifest({"version": "2.0", "release_type": ReleaseType.MANUAL, "copyright": "2026 X"}),
        _state(
            ("1.0", "READY_FOR_DISTRIBUTION"),
            ("2.0", "PREPARE_FOR_SUBMISSION"),
            release_type="AFTER_APPROVAL",
            copyright="2026 X",
        ),
    )
    change = _only(plan)
    assert isinstance(change, Change) and change.action is Action.UPDATE
    assert change.version_id == "v1"
    assert change.before == {"release_type": "after_approval"}
    assert change.after == {"release_type": "manual"}


def test_an_editable_match_with_nothing_to_change_plans_nothing() -> None:
    plan = make_plan(_manifest({"version": "2.0"}), _state(("2.0", "WAITING_FOR_REVIEW")))
    assert plan == Plan()


# Row 2: v exists but can no longer change -> nothing if equal, else an error naming its state.
@pytest.mark.parametrize(
    "state", ["READY_FOR_DISTRIBUTION", "IN_REVIEW", "PENDING_DEVELOPER_RELEASE"]
)
def test_a_settled_match_that_is_equal_plans_nothing(state: str) -> None:
    assert make_plan(_manifest({"version": "2.0"}), _state(("2.0", state))) == Plan()


def test_a_settled_match_that_differs_is_an_error_naming_its_state() -> None:
    plan = make_plan(
        _manifest({"version": "2.0", "copyright": "new"}),
        _state(("2.0", "READY_FOR_DISTRIBUTION"), copyright="old"),
    )
    error = _only(plan)
    assert isinstance(error, PlanProblem) and error.rule == "version-not-editable"
    assert "READY_FOR_DISTRIBUTION" in error.message and "copyright" in error.message


# Row 3: no v, and v is not greater than every settled version -> error naming the highest.
@pytest.mark.parametrize("wanted", ["1.9", "2.0.0", "2"])
def test_a_version_not_greater_than_the_highest_settled_one_is_an_error(wanted: str) -> None:
    plan = make_plan(
        _manifest({"version": wanted}),
        _state(("1.5", "REPLACED_WITH_NEW_VERSION"), ("2.0", "READY_FOR_DISTRIBUTION")),
    )
    error = _only(plan)
    assert isinstance(error, PlanProblem) and error.rule == "version-not-greater"
    assert f"version {wanted} must be greater than 2.0 (READY_FOR_DISTRIBUTION)" in error.message


def test_the_highest_settled_version_is_compared_numerically() -> None:
    plan = make_plan(_manifest({"version": "2.10"}), _state(("2.9", "READY_FOR_DISTRIBUTION")))
    assert isinstance(_only(plan), Change)


def test_an_in_flight_version_counts_as_settled_for_ordering() -> None:
    plan = make_plan(_manifest({"version": "3.0"}), _state(("3.1", "IN_REVIEW")))
    error = _only(plan)
    assert isinstance(error, PlanProblem) and "3.1 (IN_REVIEW)" in error.message


# Row 4: no v, an editable u exists -> rename u to v (a create would be refused: E1).
def test_the_single_editable_version_is_renamed_instead_of_creating() -> None:
    plan = make_plan(
        _manifest({"version": "2.4.0", "copyright": "2026"}),
        _state(("2.3.0", "READY_FOR_DISTRIBUTION"), ("2.3.1", "REJECTED"), copyright="2025"),
    )
    change = _only(plan)
    assert isinstance(change, Change) and change.action is Action.UPDATE
    assert change.version_id == "v1"
    assert change.before == {"version": "2.3.1", "copyright": "2025"}
    assert change.after == {"version": "2.4.0", "copyright": "2026"}


# Row 5: no v, a version in flight and none editable -> defer, naming it and its state.
@pytest.mark.parametrize(
    "state", ["IN_REVIEW", "PENDING_DEVELOPER_RELEASE", "WAITING_FOR_EXPORT_COMPLIANCE"]
)
def test_a_version_in_flight_defers_the_new_one(state: str) -> None:
    plan = make_plan(
        _manifest({"version": "5.0.0"}),
        _state(("4.8", "READY_FOR_DISTRIBUTION"), ("4.9.0", state)),
    )
    deferral = _only(plan)
    assert deferral == Deferral(
        app=BUNDLE,
        platform=Platform.IOS,
        version="5.0.0",
        waiting_on="4.9.0",
        waiting_on_id="v1",
        waiting_on_state=state,
    )
    assert not plan.has_writes


# Row 6: otherwise -> create with every managed attribute.
def test_a_new_version_is_created_with_every_attribute() -> None:
    date = datetime(2026, 12, 1, 9, tzinfo=timezone(timedelta(hours=-8)))
    plan = make_plan(
        _manifest(
            {
                "version": "2.4.0",
                "release_type": ReleaseType.SCHEDULED,
                "earliest_release_date": date,
                "copyright": " 2026 X ",
            }
        ),
        _state(("2.3.0", "READY_FOR_DISTRIBUTION")),
    )
    change = _only(plan)
    assert isinstance(change, Change) and change.action is Action.CREATE
    assert change.version_id is None and change.before is None and change.app_id == "100"
    assert change.after == {
        "version": "2.4.0",
        "release_type": "scheduled",
        "earliest_release_date": "2026-12-01T17:00:00Z",
        "copyright": "2026 X",
    }


def test_the_first_version_of_a_new_platform_is_created() -> None:
    manifest = Manifest(apps={BUNDLE: AppEntry(visionos=PlatformRelease(version="1.0"))})
    change = _only(make_plan(manifest, _state(("3.0", "READY_FOR_DISTRIBUTION"))))
    assert isinstance(change, Change) and change.platform is Platform.VISIONOS


# Rows 7-9: absent.
def test_absent_deletes_a_never_submitted_version() -> None:
    change = _only(make_plan(_manifest("absent"), _state(("1.0", "PREPARE_FOR_SUBMISSION"))))
    assert isinstance(change, Change) and change.action is Action.DELETE
    assert change.version_id == "v0" and change.after is None
    assert change.before is not None and change.before["version"] == "1.0"


@pytest.mark.parametrize(
    "state", ["REJECTED", "METADATA_REJECTED", "DEVELOPER_REJECTED", "WAITING_FOR_REVIEW"]
)
def test_absent_on_a_version_submitted_before_is_an_error(state: str) -> None:
    error = _only(make_plan(_manifest("absent"), _state(("1.0", state))))
    assert isinstance(error, PlanProblem) and error.rule == "submitted-cannot-be-deleted"
    assert "keeps it" in error.message and state in error.message


@pytest.mark.parametrize("state", ["READY_FOR_DISTRIBUTION", "IN_REVIEW"])
def test_absent_with_nothing_editable_plans_nothing(state: str) -> None:
    assert make_plan(_manifest("absent"), _state(("1.0", state))) == Plan()


# Apps.
def test_an_app_missing_from_app_store_connect_is_an_error() -> None:
    plan = make_plan(_manifest({"version": "1.0"}), RemoteState(apps={}))
    error = _only(plan)
    assert isinstance(error, PlanProblem) and error.rule == "app-not-found"


def test_an_app_id_that_does_not_match_the_bundle_id_is_an_error() -> None:
    plan = make_plan(_manifest({"version": "9.0"}, app_id="999"), _state())
    error = _only(plan)
    assert isinstance(error, PlanProblem) and error.rule == "app-id-mismatch"
    assert make_plan(_manifest({"version": "9.0"}, app_id="100"), _state()).changes


def test_platforms_the_manifest_does_not_name_are_left_alone() -> None:
    manifest = Manifest(apps={BUNDLE: AppEntry(ios=PlatformRelease(version="1.0"))})
    state = RemoteState(
        apps={
            BUNDLE: RemoteApp(
                id="1",
                bundle_id=BUNDLE,
                versions=(
                    RemoteVersion(
                        id="m",
                        platform="MAC_OS",
                        version_string="0.1",
                        state="PREPARE_FOR_SUBMISSION",
                    ),
                    RemoteVersion(
                        id="i", platform="IOS", version_string="1.0", state="PREPARE_FOR_SUBMISSION"
                    ),
                ),
            )
        }
    )
    assert make_plan(manifest, state) == Plan()


# Normalisation: no perpetual diff.
def test_dates_compare_as_instants() -> None:
    date = datetime(2026, 12, 1, 9, tzinfo=timezone(timedelta(hours=-8)))
    manifest = _manifest(
        {"version": "2.0", "release_type": ReleaseType.SCHEDULED, "earliest_release_date": date}
    )
    for remote in (
        "2026-12-01T17:00:00Z",
        "2026-12-01T17:00:00.000+00:00",
        "2026-12-01T18:00:00+01:00",
    ):
        state = _state(
            ("2.0", "PREPARE_FOR_SUBMISSION"),
            release_type="SCHEDULED",
            earliest_release_date=remote,
        )
        assert make_plan(manifest, state) == Plan(), remote


def test_surrounding_whitespace_and_empty_strings_are_not_differences() -> None:
    manifest = _manifest({"version": "2.0", "copyright": "  2026 X\n"})
    state = _state(("2.0", "PREPARE_FOR_SUBMISSION"), copyright="2026 X ")
    assert make_plan(manifest, state) == Plan()
    cleared = _manifest({"version": "2.0", "copyright": ""})
    assert make_plan(cleared, _state(("2.0", "PREPARE_FOR_SUBMISSION"), copyright=None)) == Plan()


def test_keys_left_out_of_the_manifest_are_not_managed() -> None:
    state = _state(("2.0", "PREPARE_FOR_SUBMISSION"), copyright="anything", release_type="MANUAL")
    assert make_plan(_manifest({"version": "2.0"}), state) == Plan()


def test_leaving_scheduled_clears_the_release_date() -> None:
    state = _state(
        ("2.0", "PREPARE_FOR_SUBMISSION"),
        release_type="SCHEDULED",
        earliest_release_date="2026-12-01T17:00:00Z",
    )
    change = _only(
        make_plan(_manifest({"version": "2.0", "release_type": ReleaseType.MANUAL}), state)
    )
    assert isinstance(change, Change)
    assert change.after == {"release_type": "manual", "earliest_release_date": None}


# Targets and determinism.
def test_targets_narrow_the_plan_and_mark_it_partial() -> None:
    manifest = Manifest(
        apps={
            "com.a.one": AppEntry(
                ios=PlatformRelease(version="1.0"), macos=PlatformRelease(version="1.0")
            ),
            "com.a.two": AppEntry(ios=PlatformRelease(version="1.0")),
        }
    )
    state = RemoteState(apps={b: RemoteApp(id=b, bundle_id=b) for b in manifest.apps})
    plan = make_plan(manifest, state, targets=[("com.a.one", Platform.MACOS)])
    assert [(c.app, c.platform) for c in plan.changes] == [("com.a.one", Platform.MACOS)]
    assert [str(t) for t in plan.targets or ()] == ["com.a.one:macos"]
    assert len(make_plan(manifest, state, targets=[("com.a.one", None)]).changes) == 2
    assert make_plan(manifest, state).targets is None


VERSIONS = st.sampled_from(["1.0", "1.1", "2.0", "2.0.1", "3"])
STATES = st.sampled_from(
    [
        "PREPARE_FOR_SUBMISSION",
        "REJECTED",
        "IN_REVIEW",
        "READY_FOR_DISTRIBUTION",
        "REPLACED_WITH_NEW_VERSION",
        "PENDING_DEVELOPER_RELEASE",
    ]
)


@given(
    st.lists(st.tuples(VERSIONS, STATES), max_size=4, unique_by=lambda t: t[0]),
    VERSIONS | st.just("absent"),
)
def test_the_planner_is_deterministic_and_gives_one_outcome_per_platform(
    versions: list[tuple[str, str]], wanted: str
) -> None:
    manifest = _manifest("absent" if wanted == "absent" else {"version": wanted})
    state = _state(*versions)
    first, second = make_plan(manifest, state), make_plan(manifest, state)
    assert first.model_dump_json() == second.model_dump_json()
    assert len(first.changes) + len(first.deferred) + len(first.errors) <= 1
    reversed_state = _state(*reversed(versions))
    assert make_plan(manifest, reversed_state).summary() == first.summary()


def test_null_and_left_out_both_mean_unmanaged_and_empty_clears() -> None:
    state = _state(("2.0", "PREPARE_FOR_SUBMISSION"), copyright="2025 X")
    assert make_plan(_manifest({"version": "2.0", "copyright": None}), state) == Plan()
    change = _only(make_plan(_manifest({"version": "2.0", "copyright": "  "}), state))
    assert isinstance(change, Change) and change.after == {"copyright": None}


def test_a_manifest_plans_the_same_after_a_json_round_trip() -> None:
    # apply PLANFILE plans again from the desired state stored as JSON in the plan file.
    manifest = _manifest({"version": "2.0"})
    state = _state(("2.0", "PREPARE_FOR_SUBMISSION"), copyright="2025 X", release_type="MANUAL")
    again = Manifest.model_validate_json(manifest.model_dump_json())
    assert make_plan(again, state) == make_plan(manifest, state) == Plan()
