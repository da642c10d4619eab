"""One test per fault kind, the spec grammar, and determinism under a seed."""

from __future__ import annotations

import httpx
import pytest

from reconciler.sandbox import FaultSpec, FaultSpecError, SandboxApp, SandboxState
from reconciler.sandbox.faults import When
from tests.sandbox.conformance import check
from tests.sandbox.conftest import PODCASTS, create_body, fixed_clock, patch_body

RATE_LIMITED = {
    "status": "429",
    "code": "RATE_LIMIT_EXCEEDED",
    "title": "The request rate limit has been reached.",
    "detail": "We've received too many requests for this API. Please wait and try again or slow "
    "down your request rate.",
}


def client_for(app: SandboxApp) -> httpx.Client:
    return httpx.Client(transport=app.transport(), base_url="https://api.appstoreconnect.apple.com")


def statuses(app: SandboxApp, count: int) -> list[int]:
    with client_for(app) as client:
        return [client.get("/v1/apps").status_code for _ in range(count)]


def test_the_grammar_parses_every_kind() -> None:
    spec = FaultSpec.parse(
        "latency=50ms, error500=4,error429=5,error429-retry-after=6:2,ambiguous-create=3,"
        "invisible=2,drop=7,budget=100,seed=42"
    )
    assert spec == FaultSpec(
        latency_ms=50,
        error500=When(every=4),
        error429=When(every=5),
        error429_retry_after=(When(every=6), 2),
        ambiguous_create=When(every=3),
        drop=When(every=7),
        invisible=2,
        budget=100,
        seed=42,
    )
    assert FaultSpec.parse("latency=2s,error500=10%").latency_ms == 2000
    assert FaultSpec.parse("").error500 is None
    assert FaultSpec.parse(None) == FaultSpec()


@pytest.mark.parametrize(
    "bad",
    [
        "error500",
        "error500=0",
        "nope=1",
        "latency=fast",
        "error429-retry-after=5",
        "error500=150%",
        "budget=0",
        "drop=x%",
    ],
)
def test_a_bad_spec_names_the_problem(bad: str) -> None:
    with pytest.raises(FaultSpecError, match=bad.split("=")[0]):
        FaultSpec.parse(bad)


def test_latency_is_injected_through_the_sleep_function(state: SandboxState) -> None:
    slept: list[float] = []
    app = SandboxApp(state, faults="latency=50ms", sleep=slept.append, clock=fixed_clock)
    statuses(app, 3)
    assert slept == [0.05, 0.05, 0.05]


def test_error500_every_kth_request(state: SandboxState) -> None:
    app = SandboxApp(state, faults="error500=3", clock=fixed_clock)
    assert statuses(app, 7) == [200, 200, 500, 200, 200, 500, 200]


def test_error429_every_kth_request_without_retry_after(state: SandboxState) -> None:
    app = SandboxApp(state, faults="error429=2", clock=fixed_clock)
    with client_for(app) as client:
        client.get("/v1/apps")
        response = client.get("/v1/apps")
    check(response)
    assert response.status_code == 429
    assert response.json() == {"errors": [RATE_LIMITED]}
    assert "Retry-After" not in response.headers


def test_error429_with_retry_after(state: SandboxState) -> None:
    app = SandboxApp(state, faults="error429-retry-after=1:7", clock=fixed_clock)
    with client_for(app) as client:
        response = client.get("/v1/apps")
    assert (response.status_code, response.headers["Retry-After"]) == (429, "7")


def test_the_hourly_budget_runs_out_with_apples_429(state: SandboxState) -> None:
    app = SandboxApp(state, faults="budget=2", clock=fixed_clock)
    with client_for(app) as client:
        answers = [client.get("/v1/apps") for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 429]
    assert [r.headers["X-Rate-Limit"] for r in answers] == [
        "user-hour-lim:2;user-hour-rem:1;",
        "user-hour-lim:2;user-hour-rem:0;",
        "user-hour-lim:2;user-hour-rem:0;",
    ]
    assert answers[2].json() == {"errors": [RATE_LIMITED]}


def test_ambiguous_create_commits_every_kth_create(state: SandboxState) -> None:
    app = SandboxApp(state, faults="ambiguous-create=2", clock=fixed_clock)
    with client_for(app) as client:
        first = client.post("/v1/appStoreVersions", json=create_body(PODCASTS, "VISION_OS", "1.0"))
        vid = first.json()["data"]["id"]
        client.delete(f"/v1/appStoreVersions/{vid}")
        second = client.post("/v1/appStoreVersions", json=create_body(PODCASTS, "VISION_OS", "1.1"))
    assert (first.status_code, second.status_code) == (201, 500)
    assert [v.version_string for v in state.versions(PODCASTS, "VISION_OS")] == ["1.1"]


def test_invisible_keeps_a_new_version_out_of_the_next_n_list_reads(state: SandboxState) -> None:
    app = SandboxApp(state, faults="invisible=2", clock=fixed_clock)
    path = f"/v1/apps/{PODCASTS}/appStoreVersions?filter[platform]=VISION_OS"
    with client_for(app) as client:
        vid = client.post(
            "/v1/appStoreVersions", json=create_body(PODCASTS, "VISION_OS", "1.0")
        ).json()["data"]["id"]
        reads = [len(client.get(path).json()["data"]) for _ in range(3)]
        by_id = client.get(f"/v1/appStoreVersions/{vid}").status_code
    assert reads == [0, 0, 1]
    assert by_id == 200


def test_invisible_versions_are_missing_from_included_lists_too(state: SandboxState) -> None:
    app = SandboxApp(state, faults="invisible=1", clock=fixed_clock)
    with client_for(app) as client:
        client.post("/v1/appStoreVersions", json=create_body(PODCASTS, "VISION_OS", "1.0"))
        params = {"filter[id]": PODCASTS, "include": "appStoreVersions"}
        counts = [
            client.get("/v1/apps", params=params).json()["data"][0]["relationships"][
                "appStoreVersions"
            ]["meta"]["paging"]["total"]
            for _ in range(2)
        ]
    assert counts == [2, 3]


def test_drop_raises_a_transport_error_for_reads(state: SandboxState) -> None:
    app = SandboxApp(state, faults="drop=2", clock=fixed_clock)
    with client_for(app) as client:
        client.get("/v1/apps")
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/v1/apps")
    assert [status for _, _, status in app.request_log] == [200, 0]


def test_a_dropped_write_sometimes_commits_first_deterministically(state: SandboxState) -> None:
    def run(seed: int) -> list[tuple[str, bool]]:
        fresh = SandboxState.from_json(state.to_json())
        app = SandboxApp(fresh, faults=f"drop=1,seed={seed}", clock=fixed_clock)
        outcomes = []
        with client_for(app) as client:
            for n in range(8):
                vid = fresh.add_version(PODCASTS, platform="TV_OS", version_string=f"1.{n}")
                try:
                    client.patch(
                        f"/v1/appStoreVersions/{vid}", json=patch_body(vid, copyright="new")
                    )
                except httpx.TransportError as error:
                    committed = fresh.version_records[vid].copyright == "new"
                    outcomes.append((type(error).__name__, committed))
                del fresh.version_records[vid]
        return outcomes

    outcomes = run(42)
    assert len(outcomes) == 8
    assert {("ReadError", True), ("RemoteProtocolError", False)} == set(outcomes)
    assert run(42) == outcomes  # replayable


def test_probability_faults_replay_with_the_same_seed(state: SandboxState) -> None:
    def run() -> list[int]:
        return statuses(SandboxApp(SandboxState(), faults="error500=30%,seed=7"), 40)

    first = run()
    assert 500 in first and 200 in first
    assert run() == first
