"""One test per fault kind, the spec grammar, determinism under a seed, and targeted faults."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reconciler.sandbox import FaultSpec, FaultSpecError, SandboxApp, SandboxState
from reconciler.sandbox.faults import When
from tests.openapi import to_json_schema, validate
from tests.sandbox.conformance import check
from tests.sandbox.conftest import (
    NOTES,
    PODCASTS,
    WEATHER,
    create_body,
    fixed_clock,
    only_error,
    patch_body,
    version_id,
)

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


# --- targeted faults: app.fail_next(method, path_prefix, kind) ------------------------------

CREATE_PATH = "/v1/appStoreVersions"


def podcast_versions(state: SandboxState) -> list[str]:
    return [v.version_string for v in state.versions(PODCASTS, "VISION_OS")]


def test_a_targeted_503_answers_the_next_matching_request_once(state: SandboxState) -> None:
    app = SandboxApp(state, clock=fixed_clock)
    app.fail_next("POST", CREATE_PATH, "503")
    with client_for(app) as client:
        failed = client.post(CREATE_PATH, json=create_body(PODCASTS, "VISION_OS", "1.0"))
        created = client.post(CREATE_PATH, json=create_body(PODCASTS, "VISION_OS", "1.0"))
    # Apple's document declares no 5xx, so the body is checked against its ErrorResponse alone.
    validate(failed.json(), to_json_schema({"$ref": "#/components/schemas/ErrorResponse"}))
    assert (failed.status_code, created.status_code) == (503, 201)
    assert only_error(failed)["code"] == "UNEXPECTED_ERROR"
    assert only_error(failed)["status"] == "503"
    assert podcast_versions(state) == ["1.0"]
    assert app.targeted.pending == []


def test_a_targeted_fault_waits_for_a_request_of_its_method_and_path(state: SandboxState) -> None:
    app = SandboxApp(state, clock=fixed_clock)
    app.fail_next("GET", f"/v1/apps/{PODCASTS}", "500")
    with client_for(app) as client:
        others = [
            client.get("/v1/apps").status_code,
            client.get(f"/v1/apps/{WEATHER}").status_code,
            client.post(CREATE_PATH, json=create_body(PODCASTS, "VISION_OS", "1.0")).status_code,
        ]
        assert len(app.targeted.pending) == 1
        target = client.get(f"/v1/apps/{PODCASTS}/appStoreVersions").status_code
    assert (others, target) == ([200, 200, 201], 500)


def test_targeted_faults_fire_in_the_order_they_were_queued(state: SandboxState) -> None:
    app = SandboxApp(state, clock=fixed_clock)
    app.fail_next("GET", "/v1/apps", "429", times=2)
    app.fail_next("GET", "/", "502")
    assert statuses(app, 4) == [429, 429, 502, 200]


def test_a_targeted_429_is_apples_with_retry_after_as_given(state: SandboxState) -> None:
    app = SandboxApp(state, clock=fixed_clock)
    app.fail_next("GET", "/v1/apps", "429", retry_after=7)
    app.fail_next("GET", "/v1/apps", "429", retry_after="soon")
    with client_for(app) as client:
        answers = [client.get("/v1/apps") for _ in range(2)]
    check(answers[0])
    assert answers[0].json() == {"errors": [RATE_LIMITED]}
    assert [r.headers["Retry-After"] for r in answers] == ["7", "soon"]


def test_a_targeted_401_is_apples_and_counts_against_the_budget(state: SandboxState) -> None:
    app = SandboxApp(state, clock=fixed_clock)
    app.fail_next("GET", "/", "401")
    with client_for(app) as client:
        refused, accepted = client.get("/v1/apps"), client.get("/v1/apps")
    check(refused)
    assert (refused.status_code, only_error(refused)["code"]) == (401, "NOT_AUTHORIZED")
    assert [r.headers["X-Rate-Limit"] for r in (refused, accepted)] == [
        "user-hour-lim:3500;user-hour-rem:3499;",
        "user-hour-lim:3500;user-hour-rem:3498;",
    ]


@pytest.mark.parametrize(
    ("kind", "raised"), [("timeout", httpx.ReadTimeout), ("drop", httpx.RemoteProtocolError)]
)
def test_a_timeout_or_drop_raises_before_anything_is_done(
    state: SandboxState, kind: str, raised: type[Exception]
) -> None:
    app = SandboxApp(state, clock=fixed_clock)
    app.fail_next("POST", CREATE_PATH, kind)
    with client_for(app) as client, pytest.raises(raised):
        client.post(CREATE_PATH, json=create_body(PODCASTS, "VISION_OS", "1.0"))
    assert podcast_versions(state) == []
    assert app.request_log == [("POST", CREATE_PATH, 0)] and len(app.received) == 1


def test_commit_then_timeout_carries_the_write_out_then_raises(state: SandboxState) -> None:
    app = SandboxApp(state, clock=fixed_clock)
    vid = version_id(state, NOTES, "IOS", "3.1.0")
    app.fail_next("PATCH", CREATE_PATH, "commit+timeout")
    with client_for(app) as client, pytest.raises(httpx.ReadTimeout):
        client.patch(f"{CREATE_PATH}/{vid}", json=patch_body(vid, copyright="2027 Notes"))
    assert state.version_records[vid].copyright == "2027 Notes"
    assert app.request_log == [("PATCH", f"{CREATE_PATH}/{vid}", 0)]


def test_a_connect_fault_never_reaches_the_sandbox(state: SandboxState) -> None:
    app = SandboxApp(state, faults="error500=1", clock=fixed_clock)
    app.fail_next("GET", "/", "connect")
    with client_for(app) as client, pytest.raises(httpx.ConnectError):
        client.get("/v1/apps")
    assert (app.request_log, app.received, app.faults.requests, app.remaining) == ([], [], 0, 3500)


def test_a_targeted_fault_wins_over_the_spec_which_still_counts_the_request(
    state: SandboxState,
) -> None:
    app = SandboxApp(state, faults="error500=2", clock=fixed_clock)
    app.fail_next("GET", "/", "429", times=2)
    assert statuses(app, 4) == [429, 429, 200, 500]


def test_every_received_request_is_kept_with_its_headers(state: SandboxState) -> None:
    app = SandboxApp(state, clock=fixed_clock)
    with client_for(app) as client:
        client.get("/v1/apps", headers={"Authorization": "Bearer one"})
        client.get("/v1/apps?limit=1", headers={"Authorization": "Bearer two"})
    assert [r.headers["Authorization"] for r in app.received] == ["Bearer one", "Bearer two"]
    assert str(app.received[1].url) == "https://api.appstoreconnect.apple.com/v1/apps?limit=1"


def test_a_received_request_is_kept_as_it_arrived_even_if_the_sender_reuses_it(
    state: SandboxState,
) -> None:
    app = SandboxApp(state, clock=fixed_clock)
    request = httpx.Request("GET", "https://api.appstoreconnect.apple.com/v1/apps")
    with client_for(app) as client:
        request.headers["Authorization"] = "Bearer first"
        client.send(request)
        request.headers["Authorization"] = "Bearer second"
        client.send(request)
    assert [r.headers["Authorization"] for r in app.received] == ["Bearer first", "Bearer second"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("GET", "/", "404"), "unknown targeted fault '404'"),
        (("GET", "/", "slow"), "unknown targeted fault 'slow'"),
        (("GET", "v1/apps", "500"), "must start with '/'"),
        (("GET", "/", "timeout", {"retry_after": 3}), "retry_after goes with a status"),
        (("GET", "/", "500", {"times": 0}), "times must be at least 1"),
    ],
)
def test_a_targeted_fault_the_sandbox_cannot_give_is_refused_when_queued(
    arguments: tuple[Any, ...], message: str
) -> None:
    method, path, kind, *options = arguments
    app = SandboxApp(SandboxState())
    with pytest.raises(ValueError, match=message):
        app.fail_next(method, path, kind, **(options[0] if options else {}))
    assert app.targeted.pending == []
