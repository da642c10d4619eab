"""Paging, error mapping, rate-limit parsing and pacing, request logging."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from reconciler.asc import (
    AscClient,
    RateLimit,
    RetryPolicy,
    parse_app,
    parse_app_store_version,
    query,
)
from reconciler.errors import ApiError, TransportError, UnexpectedResponseError
from reconciler.sandbox import SandboxApp
from tests.asc.conftest import APP, STATE_WITH_ASSOCIATED, FakeClock, MakeClient, add_version
from tests.version_bodies import create_body, update_body

BASE = "https://api.appstoreconnect.apple.com"


def _many_apps(sandbox: SandboxApp, count: int) -> None:
    for n in range(count):
        sandbox.state.add_app(f"com.example.app{n:03d}", app_id=f"2{n:09d}")


def test_get_all_follows_links_next_verbatim_until_absent(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    _many_apps(sandbox, 4)  # 5 apps in all
    client = make_client()
    pages = [document for document, _, _ in client.get_all("/v1/apps", query(limit=2))]
    assert [len(p["data"]) for p in pages] == [2, 2, 1]
    assert str(sandbox.received[1].url) == pages[0]["links"]["next"]
    assert str(sandbox.received[2].url) == pages[1]["links"]["next"]
    assert client.request_count == 3


def test_collect_gathers_data_and_included_once(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    add_version(sandbox, "IOS", "1.0", "READY_FOR_DISTRIBUTION")
    add_version(sandbox, "MAC_OS", "1.0", "PREPARE_FOR_SUBMISSION")
    params = query(include=["appStoreVersions"], limit=1, limits={"appStoreVersions": 50})
    data, included = make_client().collect("/v1/apps", params)
    assert [d["id"] for d in data] == [APP]
    assert sorted(parse_app_store_version(v).platform for v in included) == ["IOS", "MAC_OS"]


def test_an_included_relationship_exposes_its_linkages_and_total(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    for n in range(3):
        add_version(sandbox, "IOS", f"1.{n}", "REPLACED_WITH_NEW_VERSION")
    params = query(include=["appStoreVersions"], limits={"appStoreVersions": 2})
    app = parse_app(make_client().get("/v1/apps", params)["data"][0])
    assert app.app_store_versions is not None
    assert len(app.app_store_versions.ids or ()) == 2
    assert app.app_store_versions.total == 3
    assert not app.app_store_versions.complete  # the reader lists this app's versions itself


def test_a_next_link_to_another_host_is_refused(make_client: MakeClient) -> None:
    def app(request: httpx.Request) -> httpx.Response:
        links = {"self": str(request.url), "next": "https://evil.example/v1/apps?cursor=1"}
        return httpx.Response(
            200, json={"data": [], "links": links, "meta": {"paging": {"limit": 1}}}
        )

    client = make_client(transport=httpx.MockTransport(app), auth=None)
    with pytest.raises(UnexpectedResponseError, match="another host"):
        list(client.get_all("/v1/apps"))
    assert client.request_count == 1


def test_a_next_link_that_repeats_is_refused(make_client: MakeClient) -> None:
    def app(request: httpx.Request) -> httpx.Response:
        links = {"self": str(request.url), "next": f"{BASE}/v1/apps?cursor=1"}
        return httpx.Response(200, json={"data": [{"type": "apps", "id": "1"}], "links": links})

    client = make_client(transport=httpx.MockTransport(app), auth=None)
    with pytest.raises(UnexpectedResponseError, match="loops"):
        list(client.get_all("/v1/apps"))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 201}, "limit must be an integer from 1 to 200"),
        ({"limit": 0}, "limit must be an integer from 1 to 200"),
        (
            {"limit[appStoreVersions]": 51},
            r"limit\[appStoreVersions\] must be an integer from 1 to 50",
        ),
        ({"filter[bundleId]": ["a,b"]}, "comma-separated"),
    ],
)
def test_out_of_range_limits_are_refused_before_sending(
    make_client: MakeClient, params: dict[str, object], message: str
) -> None:
    client = make_client()
    with pytest.raises(ValueError, match=message):
        client.get("/v1/apps", params)  # type: ignore[arg-type]
    assert client.request_count == 0


def test_query_joins_lists_with_commas() -> None:
    assert query(
        include=["appStoreVersions", "builds"],
        fields={"apps": ["bundleId", "name"]},
        filters={"bundleId": ["a", "b"], "platform": "IOS"},
        limit=200,
        limits={"appStoreVersions": 50},
        sort=["-name"],
    ) == {
        "include": "appStoreVersions,builds",
        "fields[apps]": "bundleId,name",
        "filter[bundleId]": "a,b",
        "filter[platform]": "IOS",
        "limit": "200",
        "limit[appStoreVersions]": "50",
        "sort": "-name",
    }


def test_e1_maps_to_an_api_error_that_names_the_rule(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    add_version(sandbox, "IOS", "1.0", "PREPARE_FOR_SUBMISSION")
    client = make_client()
    with pytest.raises(ApiError) as caught:
        client.post("/v1/appStoreVersions", create_body(APP, "IOS", version="1.1"))
    error = caught.value
    assert (error.status, error.method, error.path) == (409, "POST", "/v1/appStoreVersions")
    assert error.codes == ["ENTITY_ERROR.RELATIONSHIP.INVALID"]
    assert error.entries[0].pointer == "/data/relationships/app"
    assert "You cannot create a new version of the App in the current state." in str(error)
    assert "update the editable version instead" in str(error)
    assert client.request_count == 1


def test_e2_keeps_both_entries_in_order(make_client: MakeClient, sandbox: SandboxApp) -> None:
    add_version(sandbox, "IOS", "1.0", "READY_FOR_DISTRIBUTION")
    with pytest.raises(ApiError) as caught:
        make_client().post("/v1/appStoreVersions", create_body(APP, "IOS", version="1.0"))
    error = caught.value
    assert error.codes == [
        "ENTITY_ERROR.RELATIONSHIP.INVALID",
        "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE",
    ]
    assert error.has_code("ENTITY_ERROR.ATTRIBUTE.INVALID")
    assert [e.pointer for e in error.entries] == [
        "/data/relationships/app",
        "/data/attributes/versionString",
    ]
    assert "The version number has been previously used." in str(error)
    assert "used before on this app and platform" in str(error)


def test_e3_maps_to_an_api_error(make_client: MakeClient, sandbox: SandboxApp) -> None:
    vid = add_version(sandbox, "IOS", "1.0", "IN_REVIEW")
    with pytest.raises(ApiError) as caught:
        make_client().patch(f"/v1/appStoreVersions/{vid}", update_body(vid, version="1.1"))
    assert caught.value.codes == ["ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE"]
    assert "The attribute 'versionString' can not be modified." in str(caught.value)
    assert "no longer editable" in str(caught.value)


def test_associated_errors_are_kept() -> None:
    def app(request: httpx.Request) -> httpx.Response:
        return httpx.Response(409, json=STATE_WITH_ASSOCIATED)

    with AscClient(transport=httpx.MockTransport(app)) as client, pytest.raises(ApiError) as caught:
        client.patch("/v1/appStoreVersions/v-1", update_body("v-1", copyright="x"))
    entry = caught.value.entries[0]
    assert caught.value.codes == ["STATE_ERROR", "ENTITY_ERROR.ATTRIBUTE.REQUIRED"]
    assert entry.id == "5f1a4b9e-0000-4000-8000-000000000001"
    nested = entry.associated[0]
    assert nested.associated_with == "/v1/appStoreVersionLocalizations/loc-1"
    assert nested.pointer == "/data/attributes/whatsNew"
    assert "You must provide a value for the attribute 'whatsNew'." in str(caught.value)


# FACTS §6 R11 (fastlane api_client.rb): the sandbox has no agreements to expire.
AGREEMENT = {
    "errors": [
        {
            "status": "403",
            "code": "FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED",
            "title": "A required agreement is missing or has expired.",
            "detail": "This request requires an in-effect agreement that has not been signed or "
            "has expired.",
        }
    ]
}


@pytest.mark.parametrize(
    ("status", "body", "hint"),
    [
        (403, AGREEMENT, "agreement"),
        (403, {"errors": [{"status": "403", "code": "FORBIDDEN_ERROR", "title": "t"}]}, "role"),
        (
            400,
            {
                "errors": [
                    {
                        "status": "400",
                        "code": "PARAMETER_ERROR.INVALID",
                        "title": "t",
                        "source": {"parameter": "filter[x]"},
                    }
                ]
            },
            "reconciler bug",
        ),
        (404, {"errors": [{"status": "404", "code": "NOT_FOUND", "title": "t"}]}, "does not exist"),
        (502, "<html>Bad Gateway</html>", "HTTP 502 Bad Gateway"),
    ],
)
def test_each_status_says_what_to_do(status: int, body: object, hint: str) -> None:
    def app(request: httpx.Request) -> httpx.Response:
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return httpx.Response(status, json=body)

    policy = RetryPolicy.no_wait(max_attempts=1)
    with (
        AscClient(transport=httpx.MockTransport(app), retry=policy, sleep=lambda s: None) as client,
        pytest.raises(Exception) as caught,
    ):
        client.get("/v1/apps", {"filter[bundleId]": ["com.example.weather"]})
    assert hint in str(caught.value)
    assert "/v1/apps?filter[bundleId]=com.example.weather" in str(caught.value)


def test_an_unreadable_success_is_an_unexpected_response() -> None:
    def app(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>captive portal</html>")

    client = AscClient(transport=httpx.MockTransport(app))
    with pytest.raises(UnexpectedResponseError, match="not a JSON object"):
        client.get("/v1/apps")


def test_rate_limit_is_parsed_from_every_response(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    client = make_client()
    assert client.rate_limit is None
    client.get("/v1/apps")
    assert client.rate_limit == RateLimit(3500, 3499)
    sandbox.fail_next("GET", "/v1/apps", "401")
    client.get("/v1/apps")
    assert client.rate_limit == RateLimit(3500, 3497)  # the 401 answer counted too


def test_a_low_budget_slows_requests_down_proportionally(
    make_client: MakeClient, sandbox: SandboxApp, clock: FakeClock
) -> None:
    sandbox.remaining = 100  # 5 % of 3500 is 175
    policy = RetryPolicy(low_budget_max_pause=10.0)
    client = make_client(retry=policy)
    client.get("/v1/apps")
    assert clock.sleeps == []  # nothing known before the first answer
    client.get("/v1/apps")
    assert clock.sleeps == [pytest.approx(10.0 * (1 - 99 / 175))]
    sandbox.remaining = 3000
    client.get("/v1/apps")  # still paces: the last answer said 98 left
    client.get("/v1/apps")
    assert len(clock.sleeps) == 2


def test_delete_and_relationship_patch_accept_204(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    vid = add_version(sandbox, "IOS", "1.0", "PREPARE_FOR_SUBMISSION")
    client = make_client()
    assert client.delete(f"/v1/appStoreVersions/{vid}") is None
    assert vid not in sandbox.state.version_records
    with pytest.raises(ApiError) as caught:
        client.delete(f"/v1/appStoreVersions/{vid}")
    assert caught.value.status == 404


def test_each_request_is_logged_in_one_line(
    make_client: MakeClient,
    sandbox: SandboxApp,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        clock.now += 0.123
        return sandbox(request)

    caplog.set_level(logging.INFO, logger="reconciler.asc")
    make_client(transport=httpx.MockTransport(slow)).get("/v1/apps", query(limit=200))
    lines = [r.getMessage() for r in caplog.records if r.name == "reconciler.asc"]
    assert lines == ["GET /v1/apps?limit=200 -> 200 (123 ms, rate 3499/3500)"]
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == "reconciler.asc")


def test_the_client_is_a_context_manager_and_shows_no_secret(make_client: MakeClient) -> None:
    with make_client() as client:
        client.get("/v1/apps")
    assert repr(client) == "AscClient('https://api.appstoreconnect.apple.com', requests=1)"


def test_a_relationship_patch_answered_204_gives_an_empty_document() -> None:
    def app(request: httpx.Request) -> httpx.Response:
        return httpx.Response(204)

    body = {"data": {"type": "builds", "id": "b-1"}}
    client = AscClient(transport=httpx.MockTransport(app))
    assert client.patch("/v1/appStoreVersions/v-1/relationships/build", body) == {}


def test_a_proxy_page_instead_of_an_error_document_still_gives_an_api_error() -> None:
    def app(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, text="<html>Forbidden by proxy</html>")

    with pytest.raises(ApiError) as caught:
        AscClient(transport=httpx.MockTransport(app)).get("/v1/apps")
    assert caught.value.codes == ["HTTP_403"] and "Forbidden" in str(caught.value)


def test_our_own_protocol_mistakes_are_not_retried() -> None:
    sent: list[httpx.Request] = []

    def app(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        raise httpx.UnsupportedProtocol("unknown scheme", request=request)

    client = AscClient(transport=httpx.MockTransport(app), sleep=lambda s: None)
    with pytest.raises(TransportError, match="UnsupportedProtocol"):
        client.get("/v1/apps")
    assert len(sent) == 1


def test_counters_add_up_when_many_threads_share_the_client(
    make_client: MakeClient, sandbox: SandboxApp
) -> None:
    client = make_client()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: client.get("/v1/apps"), range(200)))
    assert client.request_count == 200 == len(sandbox.request_log)
    rate = client.rate_limit
    assert rate is not None and 3300 <= rate.remaining < 3500  # one of the answers, intact


def test_each_request_is_timed_from_its_own_start_while_others_are_in_flight(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    first_sent, second_done = threading.Event(), threading.Event()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/apps/first":  # sent at 0, answered at 0.5
            first_sent.set()
            assert second_done.wait(5)
            clock.now = 0.5
        else:  # sent at 0.1, answered at 0.3: in the middle of the first
            clock.now = 0.3
        return httpx.Response(200, json={"data": {"type": "apps", "id": "1"}})

    caplog.set_level(logging.INFO, logger="reconciler.asc")
    client = AscClient(BASE, transport=httpx.MockTransport(answer), clock=clock)
    first = threading.Thread(target=client.get, args=("/v1/apps/first",))
    first.start()
    assert first_sent.wait(5)
    clock.now = 0.1
    client.get("/v1/apps/second")
    second_done.set()
    first.join(5)
    lines = [r.getMessage() for r in caplog.records if r.name == "reconciler.asc"]
    assert lines == ["GET /v1/apps/second -> 200 (200 ms)", "GET /v1/apps/first -> 200 (500 ms)"]


def test_the_connection_pool_fits_the_largest_parallelism() -> None:
    with AscClient(BASE, max_connections=7) as client:
        pool = client._http._transport._pool  # type: ignore[attr-defined]
        assert pool._max_connections == 7 and pool._max_keepalive_connections == 7
