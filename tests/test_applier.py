"""The applier against the sandbox: exactly the plan's writes, and convergence through faults."""

from __future__ import annotations

import pytest

from reconciler.applier import ReadBack, apply_plan
from reconciler.asc import AscClient, JwtAuth, load_credentials
from reconciler.errors import AmbiguousWriteError
from reconciler.manifest import AppEntry, Manifest, Platform, PlatformRelease
from reconciler.outcome import ApplyResult, Status
from reconciler.plan import Action, Plan
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState
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


def test_one_apply_converges_through_every_fault_for_a_hundred_apps() -> None:
    state, manifest = _account(100)
    app = SandboxApp(state, faults=FAULTS)
    plan, result = _apply(app, manifest)
    assert plan.count(Action.CREATE) == 100
    assert not result.failed, [r.failure for r in result.results if r.failure]
    for record in state:
        strings = sorted(v.version_string for v in state.versions(record.id, "IOS"))
        assert strings == ["1.0", "1.1"], (record.bundle_id, strings)
    quiet = SandboxApp(state)
    with _client(quiet) as client:
        assert _plan(client, manifest) == Plan()
    # No create the planner chose was refused as a duplicate or a conflict.
    assert not [e for e in app.request_log if e[0] == "POST" and e[2] == 409]


def test_a_lost_create_answer_is_read_back_not_resent() -> None:
    state, manifest = _account(1)
    app = SandboxApp(state, faults="ambiguous-create=1,invisible=2")
    _, result = _apply(app, manifest)
    [outcome] = result.results
    assert outcome.status is Status.DONE and outcome.note == "confirmed by reading back"
    assert [m for m, _, _ in app.request_log].count("POST") == 1
    reads = [p for m, p, _ in app.request_log if "filter%5BversionString%5D" in p]
    assert len(reads) == 3  # invisible for two reads, found on the third


def test_a_create_still_missing_after_every_read_is_sent_once_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state, manifest = _account(1)
    app = SandboxApp(state)
    with _client(app) as client:
        plan = _plan(client, manifest)
        real_post = client.post
        posts: list[str] = []

        def lost_on_the_way(path: str, body: dict[str, object]) -> dict[str, object]:
            posts.append(path)
            if len(posts) == 1:  # the first never reached App Store Connect
                raise AmbiguousWriteError("POST", path, "connection dropped")
            return real_post(path, body)

        monkeypatch.setattr(client, "post", lost_on_the_way)
        result = apply_plan(plan, client, read_back=ReadBack(attempts=3), sleep=lambda _: None)
    [outcome] = result.results
    assert outcome.status is Status.DONE and "sent 2 times" in outcome.note
    assert len(posts) == 2
    reads = [p for m, p, _ in app.request_log if "filter%5BversionString%5D" in p]
    assert len(reads) == 3  # every read-back attempt looked before the second send
    strings = sorted(v.version_string for r in state for v in state.versions(r.id, "IOS"))
    assert strings == ["1.0", "1.1"]


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


@pytest.mark.parametrize(
    ("seconds", "waits"),
    [
        (0, []),
        (1.9, []),
        (2, [2.0]),
        (60, [2.0, 4.0, 8.0, 16.0, 30.0]),
        (100, [2.0, 4.0, 8.0, 16.0, 30.0, 30.0]),
    ],
)
def test_the_read_back_budget_bounds_the_waits(seconds: float, waits: list[float]) -> None:
    assert ReadBack.within(seconds).waits() == waits
    assert sum(waits) <= seconds
