"""The applier against the sandbox: exactly the plan's writes, and convergence through faults."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.applier import NOT_YET_VISIBLE, ReadBack, apply_plan
from reconciler.asc import AscClient, JwtAuth, load_credentials
from reconciler.errors import AmbiguousWriteError
from reconciler.manifest import AppEntry, Manifest, Platform, PlatformRelease
from reconciler.outcome import ApplyResult, Status
from reconciler.plan import Action, Plan
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxServer, SandboxState
from reconciler.state import RemoteState

WRITES = {"POST", "PATCH", "DELETE"}


def _client(app: SandboxApp) -> AscClient:
    return AscClient("https://sandbox.test", transport=app.transport(), sleep=lambda _: None)


def _plan(client: AscClient, manifest: Manifest) -> Plan:
    return make_plan(manifest, read_state(client, manifest))


def _apply(app: SandboxApp, manifest: Manifest) -> tuple[Plan, ApplyResult]:
    with _client(app) as client:
        plan = _plan(client, manifest)
        return plan, apply_plan(plan, client, sleep=lambda _: None)


def _account(count: int) -> tuple[SandboxState, Manifest]:
    state = SandboxState()
    apps = {}
    for i in range(count):
        bundle_id = f"com.example.app{i:03d}"
        app_id = state.add_app(bundle_id, name=f"App {i}")
        state.add_version(
            app_id, platform="IOS", version_string="1.0", app_version_state="READY_FOR_DISTRIBUTION"
        )
        apps[bundle_id] = AppEntry(ios=PlatformRelease(version="1.1", copyright="2026 Example"))
    return state, Manifest(apps=apps)


def test_create_update_delete_then_the_next_plan_is_empty() -> None:
    state = SandboxState()
    one = state.add_app("com.example.one", name="One")
    state.add_version(
        one, platform="IOS", version_string="1.0", app_version_state="READY_FOR_DISTRIBUTION"
    )
    state.add_version(
        one, platform="IOS", version_string="1.1", app_version_state="PREPARE_FOR_SUBMISSION"
    )
    state.add_version(
        one, platform="TV_OS", version_string="1.0", app_version_state="PREPARE_FOR_SUBMISSION"
    )
    manifest = Manifest(
        apps={
            "com.example.one": AppEntry(
                ios=PlatformRelease(version="2.0", copyright="2026"),
                macos=PlatformRelease(version="1.0"),
                tvos="absent",
            )
        }
    )
    app = SandboxApp(state)
    plan, result = _apply(app, manifest)
    assert [c.action for c in plan.changes] == [Action.UPDATE, Action.CREATE, Action.DELETE]
    assert [r.status for r in result.results] == [Status.DONE] * 3
    writes = [(m, p.split("?")[0], s) for m, p, s in app.request_log if m in WRITES]
    assert len(writes) == 3  # one write per change, nothing else written
    with _client(app) as client:
        assert _plan(client, manifest) == Plan()
    assert sorted(v.version_string for v in state.versions(one, "IOS")) == ["1.0", "2.0"]
    assert [v.version_string for v in state.versions(one, "MAC_OS")] == ["1.0"]
    assert state.versions(one, "TV_OS") == []


FAULTS = "error500=4,error429=5,ambiguous-create=3,invisible=2,drop=7,seed=7"
# The issue's mix: a 500 every 4th request, a 429 every 5th, every 5th create commits and then
# answers 500, and each new version stays out of the next two list reads.
ISSUE_MIX = "error500=4,error429=5,ambiguous-create=5,invisible=2"


class Waits:
    """Every wait the client and the applier ask for, recorded instead of slept."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def _apply_recording(app: SandboxApp, manifest: Manifest) -> tuple[Plan, ApplyResult, Waits]:
    waits = Waits()
    plan = make_plan(manifest, _read_without_auth(app.state, manifest))
    before = len(app.request_log)
    with AscClient("https://sandbox.test", transport=app.transport(), sleep=waits) as client:
        result = apply_plan(plan, client, sleep=waits)
    del app.request_log[:before]
    return plan, result, waits


def _one_version_each(state: SandboxState, wanted: str = "1.1") -> None:
    for record in state:
        strings = sorted(v.version_string for v in state.versions(record.id, "IOS"))
        assert strings == ["1.0", wanted], (record.bundle_id, strings)


def test_one_apply_converges_through_every_fault_for_a_hundred_apps() -> None:
    state, manifest = _account(100)
    app = SandboxApp(state, faults=FAULTS)
    plan, result = _apply(app, manifest)
    assert plan.count(Action.CREATE) == 100
    assert not result.failed, [r.failure for r in result.results if r.failure]
    _one_version_each(state)
    quiet = SandboxApp(state)
    with _client(quiet) as client:
        assert _plan(client, manifest) == Plan()


@pytest.mark.parametrize(("apps", "most_requests", "most_seconds"), [(5, 25, 3), (100, 420, 40)])
def test_the_issues_fault_mix_converges_in_seconds_of_waiting_with_no_duplicate(
    apps: int, most_requests: int, most_seconds: float
) -> None:
    state, manifest = _account(apps)
    app = SandboxApp(state, faults=ISSUE_MIX)
    _, result, waits = _apply_recording(app, manifest)
    assert result.count(Status.DONE) == apps and not result.failed
    _one_version_each(state)
    # Every lost create was settled by one read and one resend, not by waiting to see it.
    assert len(app.request_log) <= most_requests
    # The waiting is short back-off after each 500/429 and a short look for each confirmed
    # create; before this policy, each lost create cost up to a minute of read-backs.
    assert max(waits.seconds) <= 1.0
    assert sum(waits.seconds) <= most_seconds


def test_the_issues_fault_mix_over_loopback_http_converges_the_same_way() -> None:
    # The same mix through a real socket (SandboxServer on 127.0.0.1): the answers, the lost
    # creates and the retries cross HTTP; waits are still recorded, not slept.
    state, manifest = _account(5)
    app = SandboxApp(state, faults=ISSUE_MIX)
    plan = make_plan(manifest, _read_without_auth(state, manifest))
    waits = Waits()
    with SandboxServer(app, port=0) as server:
        server.start()
        with AscClient(server.url, sleep=waits) as client:
            result = apply_plan(plan, client, sleep=waits)
            requests = client.request_count
    assert result.count(Status.DONE) == 5 and not result.failed
    _one_version_each(state)
    assert requests == len(app.request_log) <= 25
    assert sum(waits.seconds) <= 3


def test_a_lost_create_is_read_once_then_sent_again_and_the_409_confirms_it() -> None:
    state, manifest = _account(1)
    app = SandboxApp(state, faults="ambiguous-create=1,invisible=2")
    _, result, waits = _apply_recording(app, manifest)
    [outcome] = result.results
    assert outcome.status is Status.DONE and outcome.note == "an earlier try landed (read back)"
    sent = [(m, s) for m, _, s in app.request_log]
    # POST (lost) · read (hidden) · POST again: 409 E1+E2 · read (hidden) · read (found)
    assert sent == [("POST", 500), ("GET", 200), ("POST", 409), ("GET", 200), ("GET", 200)]
    assert waits.seconds == [0.25]
    _one_version_each(state)


def test_a_create_apple_confirms_but_keeps_hidden_is_done_and_says_so() -> None:
    state, manifest = _account(1)
    app = SandboxApp(state, faults="ambiguous-create=1,invisible=100")
    _, result, waits = _apply_recording(app, manifest)
    [outcome] = result.results
    assert outcome.status is Status.DONE and outcome.note == NOT_YET_VISIBLE
    assert outcome.resource_id is None
    assert sum(waits.seconds) <= 60  # the default --read-back-seconds bounds the looking
    _one_version_each(state)


def test_a_lost_create_that_never_landed_is_sent_again_at_once() -> None:
    state, manifest = _account(1)
    app = SandboxApp(state)
    with _client(app) as client:
        plan = _plan(client, manifest)
        before = len(app.request_log)
        real_post = client.post
        posts: list[str] = []

        def lost_on_the_way(path: str, body: dict[str, object]) -> dict[str, object]:
            posts.append(path)
            if len(posts) == 1:  # the first never reached App Store Connect
                raise AmbiguousWriteError("POST", path, "connection dropped")
            return real_post(path, body)

        client.post = lost_on_the_way  # type: ignore[method-assign]
        waits = Waits()
        result = apply_plan(plan, client, sleep=waits)
    [outcome] = result.results
    assert outcome.status is Status.DONE and "sent 2 times" in outcome.note
    assert len(posts) == 2 and waits.seconds == []
    reads = [p for m, p, _ in app.request_log[before:] if m == "GET"]
    assert len(reads) == 1  # one look before the second send, no waiting
    _one_version_each(state)


@pytest.mark.parametrize("answer", [b"{}", b"", b'{"data": []}', b'{"data": {"type": "x"}}'])
@pytest.mark.parametrize("status", [200, 201])
def test_h1_a_create_answered_without_data_id_is_read_back_and_the_others_go_on(
    answer: bytes, status: int
) -> None:
    state, manifest = _account(3)
    sandbox = SandboxApp(state)
    plan = make_plan(manifest, _read_without_auth(state, manifest))

    def odd_server(request: httpx.Request) -> httpx.Response:
        real = sandbox(request)
        if request.method == "POST" and real.status_code == 201:
            return httpx.Response(status, content=answer)  # it landed; the answer says nothing
        return real

    with AscClient("https://sandbox.test", transport=httpx.MockTransport(odd_server)) as client:
        result = apply_plan(plan, client, sleep=lambda _: None)
    assert [r.status for r in result.results] == [Status.DONE] * 3
    assert {r.note for r in result.results} == {"confirmed by reading back"}
    _one_version_each(state)


def test_h1_a_server_that_never_answers_a_create_properly_fails_that_change_only() -> None:
    state, manifest = _account(2)
    plan = make_plan(manifest, _read_without_auth(state, manifest))
    sandbox = SandboxApp(state)

    def broken(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(200, content=b"{}")  # and nothing is made
        return sandbox(request)

    with AscClient("https://sandbox.test", transport=httpx.MockTransport(broken)) as client:
        result = apply_plan(plan, client, sleep=lambda _: None)
    assert [r.status for r in result.results] == [Status.FAILED, Status.FAILED]
    failure = result.results[0].failure
    assert failure is not None and "no data.id in the answer" in failure.message


def test_a_failure_is_contained_to_its_app() -> None:
    state, manifest = _account(3)
    # Someone creates 1.1 on the second app after the plan was made: our create gets E1+E2.
    app = SandboxApp(state)
    with _client(app) as client:
        plan = _plan(client, manifest)
        second = state.app_by_bundle_id("com.example.app001")
        assert second is not None
        state.add_version(
            second.id,
            platform="IOS",
            version_string="1.2",
            app_version_state="PREPARE_FOR_SUBMISSION",
        )
        result = apply_plan(plan, client, sleep=lambda _: None)
    assert [r.status for r in result.results] == [Status.DONE, Status.FAILED, Status.DONE]
    failed = result.results[1]
    assert failed.failure is not None and failed.failure.status == 409
    assert "ENTITY_ERROR.RELATIONSHIP.INVALID" in failed.failure.codes
    assert result.failed


def test_ctrl_c_stops_between_changes_and_reports_the_rest_as_skipped() -> None:
    state, manifest = _account(3)
    app = SandboxApp(state)
    calls = iter([False, True, True])
    with _client(app) as client:
        plan = _plan(client, manifest)
        result = apply_plan(plan, client, stop=lambda: next(calls), sleep=lambda _: None)
    assert [r.status for r in result.results] == [Status.DONE, Status.SKIPPED, Status.SKIPPED]
    assert result.interrupted


def test_an_unanswered_patch_is_confirmed_by_reading_back(monkeypatch: pytest.MonkeyPatch) -> None:
    state = SandboxState()
    one = state.add_app("com.example.one", name="One")
    state.add_version(
        one, platform="IOS", version_string="1.0", app_version_state="PREPARE_FOR_SUBMISSION"
    )
    manifest = Manifest(apps={"com.example.one": AppEntry(ios=PlatformRelease(version="1.1"))})
    app = SandboxApp(state)
    with _client(app) as client:
        plan = _plan(client, manifest)
        real_patch = client.patch

        def lost_answer(path: str, body: dict[str, object]) -> dict[str, object]:
            real_patch(path, body)
            raise AmbiguousWriteError("PATCH", path, "read timed out")

        monkeypatch.setattr(client, "patch", lost_answer)
        result = apply_plan(plan, client, sleep=lambda _: None)
    [outcome] = result.results
    assert outcome.status is Status.DONE and outcome.note == "confirmed by reading back"
    assert outcome.change.platform is Platform.IOS


def test_a_rejected_key_skips_every_later_change_without_calling_it_an_interrupt() -> None:
    state, manifest = _account(3)
    app = SandboxApp(state, public_key_pem=_other_public_key())
    plan = make_plan(manifest, _read_without_auth(state, manifest))
    with AscClient(
        "https://sandbox.test", auth=_wrong_key_auth(), transport=app.transport()
    ) as client:
        result = apply_plan(plan, client, sleep=lambda _: None)
    assert [r.status for r in result.results] == [Status.FAILED, Status.SKIPPED, Status.SKIPPED]
    assert result.results[1].note == "App Store Connect rejected the credentials"
    assert not result.interrupted


def _wrong_key_auth() -> JwtAuth:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    environ = {
        "ASC_KEY_ID": "ABCDE12345",
        "ASC_ISSUER_ID": "69a6de70-0000-47e3-e053-5b8c7c11a4d1",
        "ASC_PRIVATE_KEY": pem,
    }
    return JwtAuth(load_credentials(environ)[0])


def _other_public_key() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    return (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def _read_without_auth(state: SandboxState, manifest: Manifest) -> RemoteState:
    with _client(SandboxApp(state)) as client:
        return read_state(client, manifest)


@given(st.floats(min_value=0, max_value=3600, allow_nan=False))
def test_the_read_back_budget_is_filled_but_never_exceeded(seconds: float) -> None:
    waits = ReadBack.within(seconds).waits()
    assert sum(waits) <= seconds
    # One more read would pass the budget: as many reads as fit, no fewer.
    following = min(ReadBack.first_wait * 2 ** len(waits), ReadBack.max_wait)
    assert sum(waits) + following > seconds
    assert waits == sorted(waits) and all(w <= ReadBack.max_wait for w in waits)


def test_the_default_budget_looks_for_about_a_minute_starting_with_short_waits() -> None:
    assert ReadBack.within(60).waits() == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0]
