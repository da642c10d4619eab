"""Bounded retries with back-off for reads and idempotent writes; a POST is never re-sent."""

from __future__ import annotations

import pytest

from reconciler.asc import RetryPolicy, version_create_body, version_update_body
from reconciler.errors import AmbiguousWriteError, ApiError, TransportError
from tests.asc.conftest import FakeClock, MakeClient
from tests.asc.fake import FakeAsc, Fault

APP = "1000000001"
CREATE = version_create_body(APP, "IOS", {"versionString": "2.0"})


def _posts(fake: FakeAsc) -> int:
    return sum(1 for r in fake.seen if r.method == "POST")


def test_a_429_without_retry_after_backs_off_exponentially(
    make_client: MakeClient, fake: FakeAsc, clock: FakeClock
) -> None:
    fake.faults += [Fault("GET", "429"), Fault("GET", "429"), Fault("GET", "429")]
    policy = RetryPolicy(base_delay=1.0, jitter=0.5, low_budget_max_pause=0.0)
    client = make_client(retry=policy, random=lambda: 0.5)
    assert client.get("/v1/apps")["data"]
    assert clock.sleeps == [0.75, 1.5, 3.0]  # 1, 2, 4 s each shortened by jitter 0.5 * 0.5
    assert client.request_count == 4


def test_a_429_with_retry_after_waits_what_apple_asks(
    make_client: MakeClient, fake: FakeAsc, clock: FakeClock
) -> None:
    fake.faults.append(Fault("GET", "429", retry_after="7"))
    client = make_client()
    assert client.get("/v1/apps")["data"]
    assert clock.sleeps == [7.0]
    assert client.request_count == 2


def test_retries_are_bounded_in_count_and_end_in_the_429(
    make_client: MakeClient, fake: FakeAsc, clock: FakeClock
) -> None:
    fake.faults += [Fault("GET", "429") for _ in range(10)]
    client = make_client(retry=RetryPolicy.no_wait(max_attempts=3))
    with pytest.raises(ApiError) as caught:
        client.get("/v1/apps")
    assert caught.value.status == 429
    assert caught.value.codes == ["RATE_LIMIT_EXCEEDED"]
    assert "hourly request budget" in str(caught.value)
    assert client.request_count == 3


def test_retries_are_bounded_in_total_time(
    make_client: MakeClient, fake: FakeAsc, clock: FakeClock
) -> None:
    fake.faults += [Fault("GET", "503", retry_after="100") for _ in range(10)]
    client = make_client(retry=RetryPolicy(max_attempts=10, max_total=250.0))
    with pytest.raises(TransportError, match="HTTP 503 UNEXPECTED_ERROR") as caught:
        client.get("/v1/apps")
    assert clock.sleeps == [100.0, 100.0]  # a third wait would pass 250 s
    assert caught.value.attempts == 3


@pytest.mark.parametrize("kind", ["500", "502", "503", "504", "timeout", "connect", "drop"])
def test_a_get_is_retried_on_server_and_connection_errors(
    make_client: MakeClient, fake: FakeAsc, kind: str
) -> None:
    fake.faults.append(Fault("GET", kind))
    client = make_client()
    assert client.get(f"/v1/apps/{APP}")["data"]["id"] == APP
    assert client.request_count == 2


def test_a_get_that_keeps_timing_out_is_a_transport_error(
    make_client: MakeClient, fake: FakeAsc
) -> None:
    fake.faults += [Fault("GET", "timeout") for _ in range(5)]
    client = make_client()
    with pytest.raises(TransportError, match="ReadTimeout") as caught:
        client.get("/v1/apps")
    assert caught.value.attempts == 5
    assert client.request_count == 5


@pytest.mark.parametrize("kind", ["timeout", "drop", "commit+timeout", "500", "503"])
def test_a_post_without_a_clear_answer_is_ambiguous_and_not_re_sent(
    make_client: MakeClient, fake: FakeAsc, kind: str
) -> None:
    fake.faults.append(Fault("POST", kind))
    client = make_client()
    with pytest.raises(AmbiguousWriteError) as caught:
        client.post("/v1/appStoreVersions", CREATE)
    assert "read back before retrying" in str(caught.value)
    assert _posts(fake) == 1
    assert client.request_count == 1


def test_a_post_that_timed_out_may_have_landed(make_client: MakeClient, fake: FakeAsc) -> None:
    fake.faults.append(Fault("POST", "commit+timeout"))
    with pytest.raises(AmbiguousWriteError):
        make_client().post("/v1/appStoreVersions", CREATE)
    assert [v["versionString"] for v in fake.versions.values()] == ["2.0"]  # why we re-read


def test_a_post_that_never_connected_is_sent_again(make_client: MakeClient, fake: FakeAsc) -> None:
    fake.faults.append(Fault("POST", "connect"))
    client = make_client()
    client.post("/v1/appStoreVersions", CREATE)
    assert client.request_count == 2 and len(fake.versions) == 1


def test_a_post_that_never_connects_is_a_transport_error(
    make_client: MakeClient, fake: FakeAsc
) -> None:
    fake.faults += [Fault("POST", "connect") for _ in range(5)]
    client = make_client()
    with pytest.raises(TransportError):
        client.post("/v1/appStoreVersions", CREATE)
    assert client.request_count == 5 and fake.versions == {}


def test_a_post_answered_429_is_sent_again_after_what_apple_asks(
    make_client: MakeClient, fake: FakeAsc, clock: FakeClock
) -> None:
    # A 429 is a clear "not done": Apple acted on nothing, so sending it again is safe.
    fake.faults.append(Fault("POST", "429", retry_after="3"))
    client = make_client()
    created = client.post("/v1/appStoreVersions", CREATE)
    assert created["data"]["attributes"]["versionString"] == "2.0"
    assert clock.sleeps == [3.0] and _posts(fake) == 2 and len(fake.versions) == 1


def test_a_post_that_keeps_getting_429_ends_in_an_api_error_carrying_retry_after(
    make_client: MakeClient, fake: FakeAsc
) -> None:
    fake.faults += [Fault("POST", "429", retry_after="2") for _ in range(5)]
    client = make_client()
    with pytest.raises(ApiError) as caught:
        client.post("/v1/appStoreVersions", CREATE)
    assert caught.value.status == 429 and caught.value.retry_after == 2.0
    assert _posts(fake) == 5 and fake.versions == {}


@pytest.mark.parametrize("header", ["100000", "-5", "1.5", "soon", "9" * 5000])
def test_an_absurd_or_unreadable_retry_after_falls_back_to_back_off(
    make_client: MakeClient, fake: FakeAsc, clock: FakeClock, header: str
) -> None:
    fake.faults.append(Fault("GET", "429", retry_after=header))
    policy = RetryPolicy(base_delay=1.0, jitter=0.5, low_budget_max_pause=0.0)
    client = make_client(retry=policy, random=lambda: 0.5)
    assert client.get("/v1/apps")["data"]
    assert clock.sleeps == [0.75]


def test_a_patch_is_retried_and_succeeds(make_client: MakeClient, fake: FakeAsc) -> None:
    vid = fake.add_version(APP, "IOS", "1.0", "PREPARE_FOR_SUBMISSION")
    fake.faults += [Fault("PATCH", "timeout"), Fault("PATCH", "503")]
    client = make_client()
    body = version_update_body(vid, {"versionString": "1.1"})
    assert (
        client.patch(f"/v1/appStoreVersions/{vid}", body)["data"]["attributes"]["versionString"]
        == "1.1"
    )
    assert client.request_count == 3


def test_a_patch_that_exhausts_retries_after_sending_is_ambiguous(
    make_client: MakeClient, fake: FakeAsc
) -> None:
    vid = fake.add_version(APP, "IOS", "1.0", "PREPARE_FOR_SUBMISSION")
    fake.faults += [Fault("PATCH", "commit+timeout")] + [Fault("PATCH", "500") for _ in range(4)]
    client = make_client()
    with pytest.raises(AmbiguousWriteError, match="5 tries"):
        client.patch(f"/v1/appStoreVersions/{vid}", version_update_body(vid, {"copyright": "c"}))
    assert fake.versions[vid]["copyright"] == "c"  # it did land


def test_a_patch_that_never_connected_is_a_transport_error(
    make_client: MakeClient, fake: FakeAsc
) -> None:
    vid = fake.add_version(APP, "IOS", "1.0", "PREPARE_FOR_SUBMISSION")
    fake.faults += [Fault("PATCH", "connect") for _ in range(5)]
    with pytest.raises(TransportError, match="ConnectError"):
        make_client().patch(
            f"/v1/appStoreVersions/{vid}", version_update_body(vid, {"copyright": "c"})
        )


def test_a_delete_whose_answer_was_lost_counts_as_done(
    make_client: MakeClient, fake: FakeAsc
) -> None:
    vid = fake.add_version(APP, "IOS", "1.0", "PREPARE_FOR_SUBMISSION")
    fake.faults.append(Fault("DELETE", "commit+timeout"))
    client = make_client()
    assert client.delete(f"/v1/appStoreVersions/{vid}") is None
    assert vid not in fake.versions and client.request_count == 2


def test_a_4xx_is_never_retried(make_client: MakeClient, fake: FakeAsc) -> None:
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
