"""Odd and hostile server answers: each is a clear error naming the request, never a crash,
a hang, a success that was not one, or a token sent or printed where it must not be.

Entry ids refer to the hostile-input review (H2, C3, C4, P3, P4, P5, U5, S3); the proxy case
is from the fault-recovery issue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from reconciler.asc import AscClient, RetryPolicy
from reconciler.asc.documents import MAX_BODY_BYTES
from reconciler.asc.paging import MAX_PAGES
from reconciler.errors import (
    AmbiguousWriteError,
    ApiError,
    TransportError,
    UnexpectedResponseError,
)
from tests.asc.conftest import FakeClock, MakeClient
from tests.version_bodies import update_body

Handler = Callable[[httpx.Request], httpx.Response]


def _client(make_client: MakeClient, handler: Handler, **options: Any) -> AscClient:
    return make_client(transport=httpx.MockTransport(handler), auth=None, **options)


def _app(n: int) -> dict[str, Any]:
    return {"type": "apps", "id": str(n), "attributes": {"bundleId": f"com.example.a{n}"}}


# -- H2: a redirect is never followed and never a success ---------------------------------


def test_h2_a_redirected_get_is_an_unexpected_answer_naming_the_location(
    make_client: MakeClient,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "https://user:hunter2@elsewhere/x"})

    client = _client(make_client, handler)
    with pytest.raises(UnexpectedResponseError) as caught:
        client.collect("/v1/apps")
    message = str(caught.value)
    assert "HTTP 302 redirect to https://elsewhere/x, not followed" in message
    assert "hunter2" not in message and client.request_count == 1


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_h2_a_redirected_write_is_ambiguous_never_done(
    make_client: MakeClient, method: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(307, headers={"Location": "http://127.0.0.1:18802/"})

    client = _client(make_client, handler)
    with pytest.raises(AmbiguousWriteError, match="HTTP 307 redirect"):
        if method == "PATCH":
            client.patch("/v1/appStoreVersions/v1", update_body("v1", copyright="c"))
        else:
            client.delete("/v1/appStoreVersions/v1")


# -- C3, C4, U5: documents of the wrong shape ---------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[" * 200_000, "not a JSON object"),
        ('{"data": 5}', "data is int, not a list"),
        ('{"data": {"type": "apps", "id": "1"}}', "data is dict, not a list"),
        ('{"data": null}', "got no data"),
        ('{"links": {}}', "got no data"),
        ('{"data": [], "included": [1, 2]}', "included is not a list of resources"),
        ('{"data": [], "included": "ab"}', "included is not a list of resources"),
        ("", "got no data"),
    ],
)
def test_c4_u5_a_list_answer_of_the_wrong_shape_is_an_unexpected_answer(
    make_client: MakeClient, body: str, reason: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body.encode())

    with pytest.raises(UnexpectedResponseError, match=reason):
        _client(make_client, handler).collect("/v1/apps")


def test_u5_a_204_to_a_list_read_is_not_an_empty_account(make_client: MakeClient) -> None:
    with pytest.raises(UnexpectedResponseError, match="no data"):
        _client(make_client, lambda r: httpx.Response(204)).collect("/v1/apps")


def test_c3_a_deeply_nested_error_body_still_gives_apples_status(make_client: MakeClient) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(409, content=b"[" * 200_000)

    with pytest.raises(ApiError) as caught:
        _client(make_client, handler).get("/v1/apps")
    assert caught.value.status == 409 and caught.value.codes == ["HTTP_409"]


# -- P3: paging is bounded ----------------------------------------------------------------


def _pages(next_of: Callable[[int], str | None], meta: dict[str, Any] | None = None) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("cursor", "0"))
        links = {"self": str(request.url)}
        following = next_of(n)
        if following:
            links["next"] = following
        return httpx.Response(200, json={"data": [_app(n)], "links": links, "meta": meta or {}})

    return handler


def test_p3_an_endless_next_stops_at_the_page_cap(make_client: MakeClient) -> None:
    client = _client(make_client, _pages(lambda n: f"/v1/apps?cursor={n + 1}"))
    with pytest.raises(UnexpectedResponseError, match="more pages than announced"):
        client.collect("/v1/apps")
    assert client.request_count == MAX_PAGES


def test_p3_a_list_stops_at_what_meta_paging_total_announced(make_client: MakeClient) -> None:
    meta = {"paging": {"total": 3, "limit": 1}}
    client = _client(make_client, _pages(lambda n: f"/v1/apps?cursor={n + 1}", meta))
    with pytest.raises(UnexpectedResponseError, match="more pages than announced"):
        client.collect("/v1/apps")
    assert client.request_count == 4  # three announced, one of slack


def test_p3_an_empty_page_that_links_to_another_is_refused(make_client: MakeClient) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("cursor", "0"))
        return httpx.Response(200, json={"data": [], "links": {"next": f"/v1/apps?cursor={n + 1}"}})

    client = _client(make_client, handler)
    with pytest.raises(UnexpectedResponseError, match="empty page"):
        client.collect("/v1/apps")
    assert client.request_count == 1


# -- P4, P5: a slow or huge answer --------------------------------------------------------


class _Stream(httpx.SyncByteStream):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        return self.chunks


def test_p4_a_trickling_answer_is_cut_at_the_deadline(
    make_client: MakeClient, clock: FakeClock
) -> None:
    def trickle() -> Iterator[bytes]:
        while True:  # one byte every 20 s, for ever: each read is within its own timeout
            clock.now += 20
            yield b" "

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=_Stream(trickle()))

    client = _client(make_client, handler, retry=RetryPolicy.no_wait(max_attempts=2))
    with pytest.raises(TransportError, match="no complete answer within 120 s") as caught:
        client.get("/v1/apps")
    assert caught.value.attempts == 2
    assert clock.now < 2 * (120 + 20) + 1


def test_p5_a_huge_answer_is_refused_without_reading_it_all(make_client: MakeClient) -> None:
    sent = []

    def endless() -> Iterator[bytes]:
        chunk = b" " * (1024 * 1024)
        while True:
            sent.append(len(chunk))
            yield chunk

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=_Stream(endless()))

    with pytest.raises(UnexpectedResponseError, match="larger than 32 MB"):
        _client(make_client, handler).get("/v1/apps")
    assert sum(sent) <= MAX_BODY_BYTES + 1024 * 1024


# -- links.next through a proxy, and the token's only host --------------------------------


def test_apples_absolute_next_link_is_followed_through_the_configured_proxy(
    make_client: MakeClient,
) -> None:
    seen: list[httpx.Request] = []

    def proxy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        n = int(request.url.params.get("cursor", "0"))
        links = {"next": f"https://api.appstoreconnect.apple.com/v1/apps?cursor={n + 1}"}
        return httpx.Response(200, json={"data": [_app(n)], "links": links if n < 2 else {}})

    client = make_client(transport=httpx.MockTransport(proxy), base_url="http://127.0.0.1:8080/asc")
    data, _ = client.collect("/v1/apps")
    assert [d["id"] for d in data] == ["0", "1", "2"]
    assert {(r.url.host, r.url.port) for r in seen} == {("127.0.0.1", 8080)}
    assert [r.url.raw_path.decode() for r in seen][1:] == [
        "/asc/v1/apps?cursor=1",
        "/asc/v1/apps?cursor=2",
    ]
    assert all(r.headers["Authorization"].startswith("Bearer ") for r in seen)


def test_a_next_link_to_any_other_host_is_refused_before_anything_is_sent_there(
    make_client: MakeClient,
) -> None:
    seen: list[httpx.Request] = []

    def proxy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        links = {"next": "https://appstoreconnect.apple.com/iris/v1/apps?cursor=1"}
        return httpx.Response(200, json={"data": [_app(0)], "links": links})

    client = make_client(transport=httpx.MockTransport(proxy), base_url="http://127.0.0.1:8080")
    with pytest.raises(UnexpectedResponseError, match="another host"):
        client.collect("/v1/apps")
    assert len(seen) == 1


# -- S3: a token echoed by the server is not printed --------------------------------------


def test_s3_a_token_the_server_echoes_in_an_error_is_redacted(make_client: MakeClient) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        header = request.headers["Authorization"]
        body = {
            "errors": [
                {
                    "status": "403",
                    "code": "FORBIDDEN_ERROR",
                    "title": f"token {header} rejected",
                    "detail": f"bad token {header.split()[1]}",
                }
            ]
        }
        return httpx.Response(403, json=body)

    client = make_client(transport=httpx.MockTransport(echo))
    with pytest.raises(ApiError) as caught:
        client.get("/v1/apps")
    message = str(caught.value)
    assert "eyJ" not in message and message.count("[redacted]") == 2
