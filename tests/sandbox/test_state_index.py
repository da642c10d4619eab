"""The index of versions by app (issue 12): after any mix of adds, deletes, patches, overwrites
and a round trip through the state file, `versions` answers what a scan of every version would."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.sandbox import SandboxState
from reconciler.sandbox.state import PLATFORMS, VersionRecord
from tests.profiles import examples

APPS = 3
DATES = st.sampled_from(["2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z"])  # ties: table order
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, APPS - 1), st.sampled_from(PLATFORMS), DATES),
        st.tuples(st.just("delete"), st.integers(0, 30)),
        st.tuples(st.just("patch"), st.integers(0, 30), st.text(max_size=3)),
        st.tuples(st.just("move"), st.integers(0, 30), st.integers(0, APPS - 1)),
    ),
    max_size=30,
)


def scanned(state: SandboxState, app_id: str, platform: str | None) -> list[VersionRecord]:
    """What `versions` answered before the index: a scan of the whole account."""
    found = [
        v
        for v in state.version_records.values()
        if v.app_id == app_id and (platform is None or v.platform == platform)
    ]
    order = {vid: i for i, vid in enumerate(state.version_records)}
    return sorted(found, key=lambda v: (v.created_date, order[v.id]), reverse=True)


def check(state: SandboxState) -> None:
    for app_id in state.apps:
        for platform in (None, *PLATFORMS):
            assert state.versions(app_id, platform) == scanned(state, app_id, platform)
    indexed = [v for app_id in state.apps for v in state.version_records.of_app(app_id)]
    assert sorted(v.id for v in indexed) == sorted(state.version_records)


@settings(max_examples=examples(200))
@given(operations=OPERATIONS)
def test_versions_answers_what_a_scan_answers(operations: list[tuple[object, ...]]) -> None:
    state = SandboxState()
    apps = [state.add_app(f"com.example.app{i}") for i in range(APPS)]
    for operation in operations:
        ids = list(state.version_records)
        match operation:
            case ("add", int(app), str(platform), str(date)):
                state.add_version(apps[app], platform=platform, created_date=date)
            case ("delete", int(n)) if ids:
                del state.version_records[ids[n % len(ids)]]
            case ("patch", int(n), str(text)) if ids:
                state.version_records[ids[n % len(ids)]].version_string = text
            case ("move", int(n), int(app)) if ids:
                # Overwriting an id with a record of another app (only tests do this).
                old = state.version_records[ids[n % len(ids)]]
                moved = VersionRecord(**{**vars(old), "app_id": apps[app]})
                state.version_records[old.id] = moved
        check(state)
    check(SandboxState.from_json(state.to_json()))


def test_a_deleted_apps_last_version_leaves_no_empty_bucket() -> None:
    state = SandboxState()
    app_id = state.add_app("com.example.app")
    vid = state.add_version(app_id, created_date=datetime(2025, 1, 1, tzinfo=UTC))
    state.version_records.pop(vid)
    assert state.versions(app_id) == [] and state.version_records.of_app(app_id) == []
    assert len(state.version_records) == 0 and vid not in state.version_records
