"""Apply under faults, for what hangs off a version: localizations, the build, the phased
release. A write whose answer is lost is read back, never blindly sent again (Apple answers
E5 to a second localization of a locale, and a second phased release is refused); a failure
stays with its app and platform; a rerun converges. Every test counts the exact writes and
checks the sandbox's own records."""

from __future__ import annotations

from collections.abc import Callable

from reconciler.applier import apply_plan
from reconciler.asc import AscClient
from reconciler.manifest import AppEntry, Manifest, PlatformRelease
from reconciler.outcome import ApplyResult, Status
from reconciler.plan import Plan
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState

APP, OTHER = "com.example.app", "com.example.other"
LIVE = "READY_FOR_DISTRIBUTION"
WRITES = frozenset({"POST", "PATCH", "DELETE"})
Log = list[tuple[str, str, int]]


def _client(app: SandboxApp) -> AscClient:
    return AscClient("https://sandbox.test", transport=app.transport(), sleep=lambda _: None)


def _plan(client: AscClient, manifest: Manifest) -> Plan:
    return make_plan(manifest, read_state(client, manifest))


def _account(
    *, pending: str | None = "PREPARE_FOR_SUBMISSION", bundle_ids: tuple[str, ...] = (APP,)
) -> tuple[SandboxState, dict[str, dict[str, str]]]:
    """Each app: 1.0 live in en-US and de-DE, and 1.1 `pending` in en-US (unless None)."""
    state = SandboxState()
    ids: dict[str, dict[str, str]] = {}
    for bundle_id in bundle_ids:
        app_id = state.add_app(bundle_id)
        live = state.add_version(app_id, version_string="1.0", app_version_state=LIVE)
        state.add_localization(live, "en-US", whats_new="First.", promotional_text="Promo")
        state.add_localization(live, "de-DE", whats_new="Erste.", promotional_text="Werbung")
        ids[bundle_id] = {"app": app_id, "live": live}
        if pending is not None:
            version = state.add_version(app_id, version_string="1.1", app_version_state=pending)
            state.add_localization(version, "en-US", whats_new="Old.")
            ids[bundle_id]["pending"] = version
    return state, ids


def _manifest(**by_app: PlatformRelease) -> Manifest:
    return Manifest(apps={b.replace("_", "."): AppEntry(ios=r) for b, r in by_app.items()})


def _apply(
    app: SandboxApp, manifest: Manifest, before_apply: Callable[[], None] = lambda: None
) -> tuple[Plan, ApplyResult, Log, Plan]:
    """Plan, apply, plan again; the requests apply made."""
    with _client(app) as client:
        plan = _plan(client, manifest)
        before_apply()
        start = len(app.request_log)
        result = apply_plan(plan, client, sleep=lambda _: None)
        log = app.request_log[start:]
        again = _plan(client, manifest)
    return plan, result, log, again


def _writes(log: Log) -> list[tuple[str, str, int]]:
    return [entry for entry in log if entry[0] in WRITES]


def _texts(state: SandboxState, version_id: str) -> list[tuple[str, str | None, str | None]]:
    return sorted(
        (loc.locale, loc.whats_new, loc.promotional_text)
        for loc in state.localizations_of(version_id)
    )


# --- a localization whose answer is lost ------------------------------------------------------


def test_a_lost_localization_create_is_read_back_not_sent_twice() -> None:
    state, ids = _account()
    app = SandboxApp(state, sleep=lambda _: None)
    manifest = _manifest(
        com_example_app=PlatformRelease(version="1.1", release_notes={"de-DE": "Neu."})
    )

    def lose() -> None:
        app.fail_next("POST", "/v1/appStoreVersionLocalizations", "commit+timeout")

    plan, result, log, again = _apply(app, manifest, lose)
    assert [(c.kind, c.action.value, c.key) for c in plan.changes] == [
        ("localization", "create", "de-DE")
    ]
    [outcome] = result.results
    assert outcome.status is Status.DONE, outcome
    assert outcome.note == "confirmed by reading back"
    # POST (committed, answer lost) · one read finds it · nothing sent again.
    assert [(m, s) for m, _, s in log] == [("POST", 0), ("GET", 200)]
    assert _texts(state, ids[APP]["pending"]) == [("de-DE", "Neu.", None), ("en-US", "Old.", None)]
    assert again.changes == ()


def test_an_ambiguous_localization_create_is_read_back_not_sent_twice() -> None:
    state, ids = _account()
    app = SandboxApp(state, faults="ambiguous-create=1", sleep=lambda _: None)
    manifest = _manifest(
        com_example_app=PlatformRelease(
            version="1.1", release_notes={"de-DE": "Neu.", "fr-FR": "Nouveau."}
        )
    )
    plan, result, log, again = _apply(app, manifest)
    assert len(plan.changes) == 2
    assert [r.status for r in result.results] == [Status.DONE, Status.DONE]
    assert [(m, s) for m, _, s in log] == [("POST", 500), ("GET", 200)] * 2
    assert _texts(state, ids[APP]["pending"]) == [
        ("de-DE", "Neu.", None),
        ("en-US", "Old.", None),
        ("fr-FR", "Nouveau.", None),
    ]
    assert again.changes == ()


def test_localizations_of_a_version_made_in_the_run_whose_create_answer_was_lost() -> None:
    # 1.1 is made in this run; Apple makes en-US and de-DE with it (copied from 1.0). Its
    # create answer is lost, and the new version and localizations stay out of lists for two
    # reads (R9): the version is read back, each localization adopted, fr-FR created.
    state, ids = _account(pending=None)
    app = SandboxApp(state, faults="invisible=2", sleep=lambda _: None)
    manifest = _manifest(
        com_example_app=PlatformRelease(
            version="1.1", release_notes={"default": "Fixes.", "fr-FR": "Corrections."}
        )
    )

    def lose() -> None:
        app.fail_next("POST", "/v1/appStoreVersions", "commit+timeout")

    plan, result, log, again = _apply(app, manifest, lose)
    assert [(c.kind, c.key) for c in plan.changes] == [
        ("version", None),
        ("localization", "de-DE"),
        ("localization", "en-US"),
        ("localization", "fr-FR"),
    ]
    assert [r.status for r in result.results] == [Status.DONE] * 4, result.results
    versions = [v for v in state.versions(ids[APP]["app"], "IOS") if v.version_string == "1.1"]
    assert len(versions) == 1
    assert _texts(state, versions[0].id) == [
        ("de-DE", "Fixes.", "Werbung"),
        ("en-US", "Fixes.", "Promo"),
        ("fr-FR", "Corrections.", None),
    ]
    # The version: POST (committed, answer lost) · read (hidden) · POST again: 409, "it is
    # there" · read (hidden) · read (found). Then one read of what Apple made with it, for
    # every locale: a PATCH per locale Apple made; fr-FR, which it did not make, one POST.
    # No localization was sent twice.
    assert [(m, _what(p), s) for m, p, s in log] == [
        ("POST", "version", 0),
        ("GET", "versions", 200),
        ("POST", "version", 409),
        ("GET", "versions", 200),
        ("GET", "versions", 200),
        ("GET", "localizations", 200),
        ("PATCH", "localization", 200),
        ("PATCH", "localization", 200),
        ("POST", "localization", 201),
    ]
    # fr-FR is still hidden from the next plan's read (R9): it plans it again, and applying
    # that is harmless, Apple's E5 answer leads to the one there.
    assert [(c.kind, c.action.value, c.key) for c in again.changes] == [
        ("localization", "create", "fr-FR")
    ]
    with _client(app) as client:
        start = len(app.request_log)
        rerun = apply_plan(again, client, sleep=lambda _: None)
        [outcome] = rerun.results
        assert outcome.status is Status.DONE and outcome.note == "it already existed", outcome
        assert [(m, s) for m, _, s in app.request_log[start:] if m in WRITES] == [("POST", 409)]
        assert _plan(client, manifest).changes == ()
    assert len(_texts(state, versions[0].id)) == 3


def test_localizations_apple_made_with_a_new_version_hidden_for_two_reads() -> None:
    # The version's create is answered, but what Apple made with it is not listed yet (R9):
    # the adopting read finds no en-US, so it is sent, Apple answers E5, and the read-back
    # (after one wait) finds it and PATCHes it. No locale is doubled; de-DE, read later, is
    # visible by then and adopted at once.
    state, ids = _account(pending=None)
    app = SandboxApp(state, faults="invisible=2", sleep=lambda _: None)
    manifest = _manifest(
        com_example_app=PlatformRelease(
            version="1.1", release_notes={"default": "Fixes.", "fr-FR": "Corrections."}
        )
    )
    _, result, log, _ = _apply(app, manifest)
    assert [r.status for r in result.results] == [Status.DONE] * 4, result.results
    assert [r.note for r in result.results] == [
        "",
        "it already existed; updated",
        "made by App Store Connect; updated",
        "",
    ]
    assert [(m, _what(p), s) for m, p, s in log] == [
        ("POST", "version", 201),
        ("GET", "localizations", 200),  # de-DE: hidden
        ("POST", "localization", 409),  # E5: it is there
        ("GET", "localizations", 200),  # hidden still
        ("GET", "localizations", 200),  # found
        ("PATCH", "localization", 200),
        ("GET", "localizations", 200),  # en-US: visible now, and read once for the rest
        ("PATCH", "localization", 200),
        ("POST", "localization", 201),  # fr-FR: not among them
    ]
    [version] = [v for v in state.versions(ids[APP]["app"], "IOS") if v.version_string == "1.1"]
    assert _texts(state, version.id) == [
        ("de-DE", "Fixes.", "Werbung"),
        ("en-US", "Fixes.", "Promo"),
        ("fr-FR", "Corrections.", None),
    ]


def _what(path: str) -> str:
    if path.startswith("/v1/appStoreVersionLocalizations"):
        return "localization"
    if path.endswith("/appStoreVersionLocalizations") or "/appStoreVersionLocalizations?" in path:
        return "localizations"
    if "/appStoreVersions?" in path:
        return "versions"
    return "version" if path.startswith("/v1/appStoreVersions") else path


# --- the phased release and the build ---------------------------------------------------------


def test_a_lost_phased_release_create_is_read_back_not_sent_twice() -> None:
    state, ids = _account()
    app = SandboxApp(state, sleep=lambda _: None)
    manifest = _manifest(com_example_app=PlatformRelease(version="1.1", phased_release=True))

    def lose() -> None:
        app.fail_next("POST", "/v1/appStoreVersionPhasedReleases", "commit+timeout")

    plan, result, log, again = _apply(app, manifest, lose)
    assert [(c.kind, c.action.value) for c in plan.changes] == [("phased_release", "create")]
    [outcome] = result.results
    assert outcome.status is Status.DONE and outcome.note == "confirmed by reading back"
    assert [(m, s) for m, _, s in log] == [("POST", 0), ("GET", 200)]
    phased = state.phased_release_of(ids[APP]["pending"])
    assert phased is not None and phased.state == "INACTIVE"
    assert len(state.phased_releases) == 1
    assert again.changes == ()


def test_a_build_attach_whose_answers_are_all_lost_is_read_back_through_the_relationship() -> None:
    state, ids = _account()
    build_id = state.add_build(ids[APP]["app"], version="1.1", number="7")
    app = SandboxApp(state, sleep=lambda _: None)
    manifest = _manifest(com_example_app=PlatformRelease(version="1.1", build="7"))

    def lose() -> None:  # every try the client makes (a PATCH is retried: it is idempotent)
        app.fail_next("PATCH", "/v1/appStoreVersions/", "commit+timeout", times=6)

    _, result, log, again = _apply(app, manifest, lose)
    [outcome] = result.results
    assert outcome.status is Status.DONE and outcome.note == "confirmed by reading back"
    link = f"/v1/appStoreVersions/{ids[APP]['pending']}/relationships/build"
    assert log == [("PATCH", link, 0)] * 6 + [("GET", link, 200)]
    assert state.version_records[ids[APP]["pending"]].build_id == build_id
    assert again.changes == ()


def test_a_build_attach_whose_first_answer_is_lost_is_sent_again_as_it_is_idempotent() -> None:
    state, ids = _account()
    build_id = state.add_build(ids[APP]["app"], version="1.1", number="7")
    app = SandboxApp(state, sleep=lambda _: None)
    manifest = _manifest(com_example_app=PlatformRelease(version="1.1", build="7"))

    def lose() -> None:
        app.fail_next("PATCH", "/v1/appStoreVersions/", "commit+timeout")

    _, result, log, again = _apply(app, manifest, lose)
    [outcome] = result.results
    assert outcome.status is Status.DONE and outcome.note == ""
    link = f"/v1/appStoreVersions/{ids[APP]['pending']}/relationships/build"
    assert log == [("PATCH", link, 0), ("PATCH", link, 204)]
    assert state.version_records[ids[APP]["pending"]].build_id == build_id
    assert [b.id for b in state.builds.values() if b.version_id] == [build_id]
    assert again.changes == ()


def test_a_build_attach_that_never_landed_fails_and_a_rerun_attaches_it() -> None:
    state, ids = _account()
    build_id = state.add_build(ids[APP]["app"], version="1.1", number="7")
    app = SandboxApp(state, sleep=lambda _: None)
    manifest = _manifest(com_example_app=PlatformRelease(version="1.1", build="7"))

    def lose() -> None:  # timeouts before anything is done, every try
        app.fail_next("PATCH", "/v1/appStoreVersions/", "timeout", times=6)

    _, result, log, again = _apply(app, manifest, lose)
    [outcome] = result.results
    assert outcome.status is Status.FAILED
    assert [m for m, _, _ in log] == ["PATCH"] * 6 + ["GET"]
    assert state.version_records[ids[APP]["pending"]].build_id is None
    assert len(again.changes) == 1
    with _client(app) as client:
        rerun = apply_plan(again, client, sleep=lambda _: None)
        assert [r.status for r in rerun.results] == [Status.DONE]
        assert _plan(client, manifest).changes == ()
    assert state.version_records[ids[APP]["pending"]].build_id == build_id


# --- a failure stays with its app and platform ------------------------------------------------


def test_a_500_on_the_first_child_skips_the_rest_of_its_chain_only() -> None:
    state, ids = _account(bundle_ids=(APP, OTHER))
    for bundle_id in (APP, OTHER):
        state.add_build(ids[bundle_id]["app"], version="1.1", number="7")
    app = SandboxApp(state, sleep=lambda _: None)
    release = PlatformRelease(
        version="1.1",
        release_notes={"en-US": "New.", "de-DE": "Neu."},
        build="7",
        phased_release=True,
    )
    manifest = _manifest(com_example_app=release, com_example_other=release)
    with _client(app) as client:
        plan = _plan(client, manifest)
    # Per app, in plan order (kind by kind, updates before creates): en-US update, de-DE
    # create, build attach, phased release create. The first of APP's fails on every try.
    mine = [c for c in plan.changes if c.app == APP]
    assert [(c.kind, c.action.value, c.key) for c in mine] == [
        ("localization", "update", "en-US"),
        ("localization", "create", "de-DE"),
        ("build", "update", None),
        ("phased_release", "create", None),
    ]
    english = mine[0].resource_id
    link = f"/v1/appStoreVersionLocalizations/{english}"
    app.fail_next("PATCH", link, "500", times=6)
    with _client(app) as client:
        start = len(app.request_log)
        result = apply_plan(plan, client, sleep=lambda _: None)
        log = app.request_log[start:]
        again = _plan(client, manifest)
    statuses = {(r.change.app, r.change.kind, r.change.key): r.status for r in result.results}
    assert statuses == {
        (APP, "build", None): Status.SKIPPED,
        (APP, "localization", "de-DE"): Status.SKIPPED,
        (APP, "localization", "en-US"): Status.FAILED,
        (APP, "phased_release", None): Status.SKIPPED,
        (OTHER, "build", None): Status.DONE,
        (OTHER, "localization", "de-DE"): Status.DONE,
        (OTHER, "localization", "en-US"): Status.DONE,
        (OTHER, "phased_release", None): Status.DONE,
    }
    # APP: six 500s and one read back; OTHER: one write per change.
    # (read back: it does not hold the new text, so the failure stands).
    listing = f"/v1/appStoreVersions/{ids[APP]['pending']}/appStoreVersionLocalizations"
    assert [(m, s) for m, p, s in log if p.startswith((link, listing))] == [("PATCH", 500)] * 6 + [
        ("GET", 200)
    ]
    assert len([e for e in _writes(log) if e[1] != link]) == 4
    assert _texts(state, ids[APP]["pending"]) == [("en-US", "Old.", None)]
    assert state.phased_release_of(ids[APP]["pending"]) is None
    assert state.version_records[ids[APP]["pending"]].build_id is None
    assert state.version_records[ids[OTHER]["pending"]].build_id is not None
    other_phased = state.phased_release_of(ids[OTHER]["pending"])
    assert other_phased is not None and other_phased.state == "INACTIVE"
    assert _texts(state, ids[OTHER]["pending"]) == [
        ("de-DE", "Neu.", None),
        ("en-US", "New.", None),
    ]
    # The rerun converges: it plans exactly what was skipped or failed.
    assert {(c.app, c.kind, c.key) for c in again.changes} == {
        (APP, "build", None),
        (APP, "localization", "de-DE"),
        (APP, "localization", "en-US"),
        (APP, "phased_release", None),
    }
    with _client(app) as client:
        start = len(app.request_log)
        rerun = apply_plan(again, client, sleep=lambda _: None)
        assert [r.status for r in rerun.results] == [Status.DONE] * 4
        assert len(_writes(app.request_log[start:])) == 4
        assert _plan(client, manifest).changes == ()
    assert _texts(state, ids[APP]["pending"]) == [("de-DE", "Neu.", None), ("en-US", "New.", None)]
