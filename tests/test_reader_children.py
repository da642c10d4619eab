"""The reader's second phase against the sandbox (in process): what hangs off the versions,
the builds the manifest names, and what that costs in requests."""

from __future__ import annotations

import pytest

from reconciler.asc import AscClient
from reconciler.manifest import AppEntry, Manifest, PlatformRelease
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState
from reconciler.state import RemoteBuild, RemoteLocalization


def _client(app: SandboxApp) -> AscClient:
    return AscClient("https://sandbox.test", transport=app.transport())


def _account(count: int) -> tuple[SandboxState, list[str]]:
    """Apps with a live 1.0 (en-US, de-DE) and an editable 1.1 with a phased release and
    builds of 1.1: 100 (attached), 101 (valid), and 7 of train 1.0."""
    state = SandboxState()
    bundle_ids = []
    for i in range(count):
        bundle_id = f"com.example.app{i:04d}"
        app_id = state.add_app(bundle_id)
        live = state.add_version(
            app_id, version_string="1.0", app_version_state="READY_FOR_DISTRIBUTION"
        )
        for locale in ("en-US", "de-DE"):
            state.add_localization(live, locale, whats_new=f"Notes {locale}")
        editable = state.add_version(app_id, version_string="1.1")
        state.add_localization(editable, "en-US", whats_new="Next", promotional_text="Promo")
        state.add_phased_release(editable)
        attached = state.add_build(app_id, version="1.1", number="100")
        state.attach_build(editable, attached)
        state.add_build(app_id, version="1.1", number="101")
        state.add_build(app_id, version="1.0", number="7")
        bundle_ids.append(bundle_id)
    return state, bundle_ids


def _manifest(bundle_ids: list[str], **keys: object) -> Manifest:
    release = PlatformRelease(version="1.1", **keys)  # type: ignore[arg-type]
    return Manifest(apps={b: AppEntry(ios=release) for b in bundle_ids})


def test_a_manifest_without_children_costs_what_it_cost_before() -> None:
    state, bundle_ids = _account(3)
    app = SandboxApp(state)
    with _client(app) as client:
        remote = read_state(client, _manifest(bundle_ids))
        assert client.request_count == 1
    version = remote.apps[bundle_ids[0]].on_platform("IOS")[0]
    assert version.children is None
    assert remote.apps[bundle_ids[0]].builds == ()


def test_children_of_the_managed_version_are_read_with_one_request_per_app() -> None:
    state, bundle_ids = _account(3)
    app = SandboxApp(state)
    manifest = _manifest(bundle_ids, release_notes={"en-US": "x"}, phased_release=True)
    with _client(app) as client:
        remote = read_state(client, manifest)
        assert client.request_count == 1 + 3  # the batch, then one per app
    versions = {v.version_string: v for v in remote.apps[bundle_ids[0]].on_platform("IOS")}
    editable = versions["1.1"]
    assert editable.children is not None
    assert editable.children.localizations == (
        RemoteLocalization(
            id=editable.children.localizations[0].id,
            locale="en-US",
            whats_new="Next",
            promotional_text="Promo",
            missing=("description", "keywords", "supportUrl"),  # what App Review would ask for
        ),
    )
    assert editable.children.phased_release is not None
    assert editable.children.phased_release.state == "INACTIVE"
    assert editable.children.build is not None and editable.children.build.number == "100"
    assert versions["1.0"].children is None  # not what the plan is about


def test_the_previous_version_is_read_too_when_a_new_one_takes_its_locales() -> None:
    state, bundle_ids = _account(1)
    app = SandboxApp(state)
    manifest = Manifest(
        apps={
            bundle_ids[0]: AppEntry(
                macos=PlatformRelease(version="1.0", release_notes={"default": "x"})
            )
        }
    )
    with _client(app) as client:
        remote = read_state(client, manifest)
        assert client.request_count == 1  # no macOS version: a first version reads nothing
    assert remote.apps[bundle_ids[0]].versions == ()


def test_every_locale_is_read_even_past_apples_default_of_ten() -> None:
    state, bundle_ids = _account(1)
    app_id = state.app_by_bundle_id(bundle_ids[0]).id  # type: ignore[union-attr]
    editable = next(v for v in state.versions(app_id) if v.version_string == "1.1")
    locales = ["fr-FR", "ja", "ko", "it", "es-ES", "es-MX", "pt-BR", "nl-NL", "sv", "da", "fi"]
    for locale in locales:
        state.add_localization(editable.id, locale, whats_new=locale)
    with _client(SandboxApp(state)) as client:
        remote = read_state(client, _manifest(bundle_ids, release_notes={"default": "x"}))
    version = next(v for v in remote.apps[bundle_ids[0]].versions if v.version_string == "1.1")
    assert version.children is not None
    assert len(version.children.localizations) == 12


@pytest.mark.parametrize(("count", "requests"), [(1, 1 + 1 + 1), (60, 2 + 60 + 2)])
def test_builds_are_read_across_apps_and_matched_by_app_and_number(
    count: int, requests: int
) -> None:
    state, bundle_ids = _account(count)
    app = SandboxApp(state)
    with _client(app) as client:
        remote = read_state(client, _manifest(bundle_ids, build="101"))
        assert client.request_count == requests
    for bundle_id in bundle_ids:
        builds = remote.apps[bundle_id].builds
        assert [(b.number, b.train, b.platform) for b in builds] == [("101", "1.1", "IOS")]
        build = builds[0]
        assert build == RemoteBuild(
            id=build.id,
            number="101",
            train="1.1",
            platform="IOS",
            processing_state="VALID",
            audience="APP_STORE_ELIGIBLE",
            expired=False,
            uploaded_date=build.uploaded_date,
            version_id=None,
        )
