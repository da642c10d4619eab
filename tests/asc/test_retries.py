"""Bounded retries with back-off for reads and idempotent writes; a POST is never re-sent."""

from __future__ import annotations

import pytest

from reconciler.asc import RetryPolicy
from reconciler.errors import AmbiguousWriteError, ApiError, TransportError
from reconciler.sandbox import SandboxApp
from tests.asc.conftest import APP, FakeClock, MakeClient, add_version
from tests.version_bodies import create_body, update_body

CREATE = create_body(APP, "IOS", version="2.0")
VERSIONS = "/v1/appStoreVersions"


def _posts(sandbox: SandboxApp) -> int:
    return sum(1 for r in sandbox.received if r.method == "POST")


def _version_strings(sandbox: SandboxApp) -> list[str]:
    return [v.version_string for v in sandbox.state.version_records.values()]


def test_a_429_without_retry_after_backs_off_exponentially(
    make_client: MakeClient, sandbox: SandboxApp, clock: FakeClock
) -> None:
    sandbox.fail_next("GET", "/v1/apps", "429", times=3)
    policy = RetryPolicy(base_delay=1.0, jitter=0.5, low_budget_max_pause=0.0)
    client = make_client(retry=policy, random=lambda: 0.5)
    assert client.get("/v1/apps")["data"]
    assert clock.sleeps == [0.75, 1.5, 3.0]  # 1, 2, 4 s each shortened by jitter 0.5 * 0.5
    assert client.request_count == 4


def test_a_429_with_retry_after_waits_what_apple_asks(
    make_client: MakeClient, sandbox: SandboxApp, clock: FakeClock
) -> None:
    sandbox.fail_next("GET", "/v1/apps", "429", retry_after="7")
    client = make_client()
    assert client.get("/v1/apps")["data"]
    assert clock.sleeps == [7.0]
    assert client.request_count == 2


def test_retries_are_bounded_in_count_and_end_in_the_429(
    make_client: MakeClient, sandbox: SandboxApp, clock: FakeClock
) -> None:
    sandbox.fail_next("GET", "/v1/apps", "429", times=10)
    client = make_client(retry=RetryPolicy.no_wait(max_attempts=3))
    with pytest.raises(ApiError) as caught:
        client.get("/v1/apps")
    assert caught.value.status == 429
    assert caught.value.codes == ["RATE_LIMIT_EXCEEDED"]
    assert "hourly request budget" in str(caught.value)
    assert client.request_count == 3


def test_retries_are_bounded_in_total_time(
    make_client: MakeClient, sandbox: SandboxApp, clock: FakeClock
) -> None:
    sandbox.fail_next("GET", "/v1/apps", "503", retry_after="100", times=10)
    client = make_client(retry=RetryPolicy(max_attempts=10, max_total=250.0))
    with pytest.raises(TransportError, match="HTTP 503 UNEXPECTED_ERROR") as caught:
        client.get("/v1/apps")
    assert clock.sleeps == [100.0, 100.0]  # a third wait would pass 250 s
    assert caught.value.attempts == 3


@pytest.mark.parametrize("kind", ["500", "502", "503", "504", "timeout", "connect", "drop"])
def test_a_get_is_retried_on_server_and_connection_errors(
    make_client: MakeClient, sandbox: SandboxApp, kind: str
) -> None:
    sandbox.fail_next("GET", f"/v1/apps/{APP}", kind)
    client = make_client()
    assert client.get(f"/v1/apps/{APP}")["data"]["id"] == APP
    assert client.request_count == 2


def test_a_get_that_keeps_timing_out_is_a_transport_error(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    sandbox.fail_next("GET", "/v1/apps", "timeout", times=5)
    client = make_client()
    with pytest.raises(TransportError, match="ReadTimeout") as caught:
        client.get("/v1/apps")
    assert caught.value.attempts == 5
    assert client.request_count == 5


@pytest.mark.parametrize("kind", ["timeout", "drop", "commit+timeout", "500", "503"])
def test_a_post_without_a_clear_answer_is_ambiguous_and_not_re_sent(
    make_client: MakeClient, sandbox: SandboxApp, kind: str
) -> None:
    sandbox.fail_next("POST", VERSIONS, kind)
    client = make_client()
    with pytest.raises(AmbiguousWriteError) as caught:
        client.post("/v1/appStoreVersions", CREATE)
    assert "read back before retrying" in str(caught.value)
    assert _posts(sandbox) == 1
    assert client.request_count == 1


def test_a_post_that_timed_out_may_have_landed(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    sandbox.fail_next("POST", VERSIONS, "commit+timeout")
    with pytest.raises(AmbiguousWriteError):
        make_client().post("/v1/appStoreVersions", CREATE)
    assert _version_strings(sandbox) == ["2.0"]  # why we re-read


def test_a_post_that_never_connected_is_sent_again(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    sandbox.fail_next("POST", VERSIONS, "connect")
    client = make_client()
    client.post("/v1/appStoreVersions", CREATE)
    assert client.request_count == 2 and _version_strings(sandbox) == ["2.0"]


def test_a_post_that_never_connects_is_a_transport_error(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    sandbox.fail_next("POST", VERSIONS, "connect", times=5)
    client = make_client()
    with pytest.raises(TransportError):
        client.post("/v1/appStoreVersions", CREATE)
    assert client.request_count == 5 and _version_strings(sandbox) == []


def test_a_post_answered_429_is_sent_again_after_what_apple_asks(
    make_client: MakeClient, sandbox: SandboxApp, clock: FakeClock
) -> None:
    # A 429 is a clear "not done": Apple acted on nothing, so sending it again is safe.
    sandbox.fail_next("POST", VERSIONS, "429", retry_after="3")
    client = make_client()
    created = client.post("/v1/appStoreVersions", CREATE)
    assert created["data"]["attributes"]["versionString"] == "2.0"
    assert clock.sleeps == [3.0] and _posts(sandbox) == 2 and _version_strings(sandbox) == ["2.0"]


def test_a_post_that_keeps_getting_429_ends_in_an_api_error_carrying_retry_after(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    sandbox.fail_next("POST", VERSIONS, "429", retry_after="2", times=5)
    client = make_client()
    with pytest.raises(ApiError) as caught:
        client.post("/v1/appStoreVersions", CREATE)
    assert caught.value.status == 429 and caught.value.retry_after == 2.0
    assert _posts(sandbox) == 5 and _version_strings(sandbox) == []


@pytest.mark.parametrize("header", ["100000", "-5", "1.5", "soon", "9" * 5000])
def test_an_absurd_or_unreadable_retry_after_falls_back_to_back_off(
    make_client: MakeClient, sandbox: SandboxApp, clock: FakeClock, header: str
) -> None:
    sandbox.fail_next("GET", "/v1/apps", "429", retry_after=header)
    policy = RetryPolicy(base_delay=1.0, jitter=0.5, low_budget_max_pause=0.0)
    client = make_client(retry=policy, random=lambda: 0.5)
    assert client.get("/v1/apps")["data"]
    assert clock.sleeps == [0.75]


def test_a_patch_is_retried_and_succeeds(make_client: MakeClient, sandbox: SandboxApp) -> None:
    vid = add_version(sandbox, "IOS", "1.0", "PREPARE_FOR_SUBMISSION")
    sandbox.fail_next("PATCH", VERSIONS, "timeout")
    sandbox.fail_next("PATCH", VERSIONS, "503")
    client = make_client()
    body = update_body(vid, version="1.1")
    assert (
        client.patch(f"/v1/appStoreVersions/{vid}", body)["data"]["attributes"]["versionString"]
        == "1.1"
    )
    assert client.request_count == 3


def test_a_patch_that_exhausts_retries_after_sending_is_ambiguous(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    vid = add_version(sandbox, "IOS", "1.0", "PREPARE_FOR_SUBMISSION")
    sandbox.fail_next("PATCH", VERSIONS, "commit+timeout")
    sandbox.fail_next("PATCH", VERSIONS, "500", times=4)
    client = make_client()
    with pytest.raises(AmbiguousWriteError, match="5 tries"):
        client.patch(f"/v1/appStoreVersions/{vid}", update_body(vid, copyright="c"))
    assert sandbox.state.version_records[vid].copyright == "c"  # it did land


def test_a_patch_that_never_connected_is_a_transport_error(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    vid = add_version(sandbox, "IOS", "1.0", "PREPARE_FOR_SUBMISSION")
    sandbox.fail_next("PATCH", VERSIONS, "connect", times=5)
    with pytest.raises(TransportError, match="ConnectError"):
        make_client().patch(f"/v1/appStoreVersions/{vid}", update_body(vid, copyright="c"))


def test_a_delete_whose_answer_was_lost_counts_as_done(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    vid = add_version(sandbox, "IOS", "1.0", "PREPARE_FOR_SUBMISSION")
    sandbox.fail_next("DELETE", VERSIONS, "commit+timeout")
    client = make_client()
    assert client.delete(f"/v1/appStoreVersions/{vid}") is None
    assert vid not in sandbox.state.version_records and client.request_count == 2


def test_a_4xx_is_never_retried(make_client: MakeClient, sandbox: SandboxApp) -> None:
    client = make_client()
    with pytest.raises(ApiError) as caught:
        client.get("/v1/apps/0000000000")
    assert caught.value.status == 404 and client.request_count == 1


def test_back_off_is_capped_and_jittered() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0, jitter=0.25)
    assert [policy.backoff(n, 0.0) for n in (1, 2, 3, 4, 5, 6)] == [1, 2, 4, 8, 10, 10]
    assert policy.backoff(3, 0.999) == pytest.approx(4 * (1 - 0.25 * 0.999))
    assert RetryPolicy.no_wait().backoff(5, 0.7) == 0.0
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
