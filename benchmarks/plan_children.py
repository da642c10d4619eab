"""Requests to plan N apps with what ships with a version: before and after the new keys, and
against the per-version reads other tools make.

Each app has a live iOS 1.2 and an editable 1.3, each with five localizations, and uploaded
builds of 1.3. Three manifests over the same account:

- versions only: what a manifest written before release notes costs (it must not change);
- with children: release notes (`default` and one locale), promotional text, a build number and
  phased release on iOS;
- the same through a per-version reader, the way fastlane's deliver and most tools read: find
  the app, list its versions, then per version its localizations, its build and its phased
  release, and the builds of the train. Its state goes through the same `make_plan`; the two
  plans must be equal (sanity).

    .venv/bin/python benchmarks/plan_children.py [--quick] [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from reconciler.asc import AscClient, parse_app, parse_app_store_version, parse_resource, query
from reconciler.kinds.version import READ_FIELDS as VERSION_FIELDS
from reconciler.manifest import AppEntry, Manifest, PlatformRelease
from reconciler.plan import Plan
from reconciler.planner import make_plan
from reconciler.reader import read_state, to_remote_version
from reconciler.sandbox import SandboxApp, SandboxState
from reconciler.state import (
    RemoteApp,
    RemoteBuild,
    RemoteLocalization,
    RemotePhasedRelease,
    RemoteState,
    VersionChildren,
)

DESCRIPTION = __doc__.splitlines()[0] if __doc__ else ""
SIZES = (10, 100, 300)
QUICK_SIZES = (10,)
LOCALES = ("en-US", "de-DE", "fr-FR", "ja", "es-ES")


def account(count: int) -> tuple[SandboxState, Manifest, Manifest]:
    state = SandboxState()
    plain: dict[str, AppEntry] = {}
    rich: dict[str, AppEntry] = {}
    for i in range(count):
        bundle_id = f"com.example.app{i:05d}"
        app_id = state.add_app(bundle_id, name=f"App {i}")
        for version, app_version_state in (
            ("1.2", "READY_FOR_DISTRIBUTION"),
            ("1.3", "PREPARE_FOR_SUBMISSION"),
        ):
            version_id = state.add_version(
                app_id, version_string=version, app_version_state=app_version_state
            )
            for locale in LOCALES:
                state.add_localization(version_id, locale, whats_new=f"{version} {locale}")
        for number in ("40", "41"):
            state.add_build(app_id, version="1.3", number=number)
        plain[bundle_id] = AppEntry(ios=PlatformRelease(version="1.3", copyright="2026 X"))
        rich[bundle_id] = AppEntry(
            ios=PlatformRelease(
                version="1.3",
                copyright="2026 X",
                release_notes={"default": "Faster.", "de-DE": "Schneller."},
                promotional_text={"en-US": "New."},
                build="41",
                phased_release=True,
            )
        )
    return state, Manifest(apps=plain), Manifest(apps=rich)


def _client(state: SandboxState, latency_ms: int) -> AscClient:
    app = SandboxApp(state, faults=f"latency={latency_ms}ms")
    return AscClient("https://sandbox.test", transport=app.transport())


def ours(state: SandboxState, manifest: Manifest, latency_ms: int) -> tuple[int, float, Plan]:
    with _client(state, latency_ms) as client:
        start = time.perf_counter()
        plan = make_plan(manifest, read_state(client, manifest))
        return client.request_count, time.perf_counter() - start, plan


def per_version(
    state: SandboxState, manifest: Manifest, latency_ms: int
) -> tuple[int, float, Plan]:
    with _client(state, latency_ms) as client:
        start = time.perf_counter()
        plan = make_plan(manifest, _per_version_state(client, manifest))
        return client.request_count, time.perf_counter() - start, plan


def _per_version_state(client: AscClient, manifest: Manifest) -> RemoteState:
    apps: dict[str, RemoteApp] = {}
    for bundle_id in manifest.apps:
        lookup = query(fields={"apps": ["bundleId", "name", "primaryLocale"]}, limit=200)
        data, _ = client.collect("/v1/apps", {**lookup, "filter[bundleId]": bundle_id})
        app = next(a for a in map(parse_app, data) if a.bundle_id == bundle_id)
        listing = query(
            fields={"appStoreVersions": VERSION_FIELDS}, filters={"platform": "IOS"}, limit=200
        )
        resources, _ = client.collect(f"/v1/apps/{app.id}/appStoreVersions", listing)
        versions = []
        for raw in resources:
            version = to_remote_version(parse_app_store_version(raw))
            if version.version_string == "1.3":  # the one the plan is about
                version = version.model_copy(update={"children": _children(client, version.id)})
            versions.append(version)
        builds, included = client.collect(
            "/v1/builds",
            {
                "filter[app]": app.id,
                "filter[version]": "41",
                "filter[preReleaseVersion.version]": "1.3",
                "include": "preReleaseVersion",
            },
        )
        trains = {r["id"]: parse_resource(r, "preReleaseVersions") for r in included}
        found = []
        for raw in builds:
            build = parse_resource(raw, "builds")
            train = trains[build.to_one("preReleaseVersion") or ""]
            found.append(
                RemoteBuild(
                    id=build.id,
                    number=build.text("version") or "",
                    train=train.text("version"),
                    platform=train.text("platform"),
                    processing_state=build.text("processingState"),
                    audience=build.text("buildAudienceType"),
                    expired=build.flag("expired"),
                    uploaded_date=build.text("uploadedDate"),
                )
            )
        apps[bundle_id] = RemoteApp(
            id=app.id,
            bundle_id=bundle_id,
            name=app.name,
            primary_locale=app.primary_locale,
            versions=tuple(sorted(versions, key=lambda v: v.id)),
            builds=tuple(sorted(found, key=lambda b: b.id)),
        )
    return RemoteState(apps=dict(sorted(apps.items())))


def _children(client: AscClient, version_id: str) -> VersionChildren:
    base = f"/v1/appStoreVersions/{version_id}"
    data, _ = client.collect(f"{base}/appStoreVersionLocalizations", {"limit": "50"})
    localizations = [parse_resource(r, "appStoreVersionLocalizations") for r in data]
    build = client.get(f"{base}/build").get("data")
    phased = client.get(f"{base}/appStoreVersionPhasedRelease").get("data")
    attached = parse_resource(build, "builds") if build else None
    release = parse_resource(phased, "appStoreVersionPhasedReleases") if phased else None
    return VersionChildren(
        localizations=tuple(
            sorted(
                (
                    RemoteLocalization(
                        id=loc.id,
                        locale=loc.text("locale") or "",
                        whats_new=loc.text("whatsNew"),
                        promotional_text=loc.text("promotionalText"),
                    )
                    for loc in localizations
                ),
                key=lambda loc: loc.locale,
            )
        ),
        build=RemoteBuild(id=attached.id, number=attached.text("version") or "")
        if attached
        else None,
        phased_release=RemotePhasedRelease(
            id=release.id, state=release.text("phasedReleaseState") or ""
        )
        if release
        else None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true", help=f"N in {QUICK_SIZES} only")
    parser.add_argument("--latency-ms", type=int, default=20, help="per answer (default 20)")
    args = parser.parse_args(argv)
    print(
        f"plan with what ships with a version: in-process sandbox, {args.latency_ms} ms per "
        f"answer; each app has iOS 1.2 live and 1.3 editable, {len(LOCALES)} locales each"
    )
    print()
    header = (
        f"{'N':>5} | {'versions only':>13} | {'with children':>13} {'wall s':>7} | "
        f"{'per version':>11} {'wall s':>7} | {'fewer requests':>14}"
    )
    print(header)
    print("-" * len(header))
    for count in QUICK_SIZES if args.quick else SIZES:
        state, plain, rich = account(count)
        before, _, _ = ours(state, plain, args.latency_ms)
        after, wall, mine = ours(state, rich, args.latency_ms)
        theirs, their_wall, their_plan = per_version(state, rich, args.latency_ms)
        # Sanity: both readers saw the same account; per app: the copyright, five locales,
        # the build attached, the phased release created.
        if mine != their_plan or len(mine.changes) != 8 * count:
            raise SystemExit(f"N={count}: the two readers led to different plans")
        print(
            f"{count:>5} | {before:>13} | {after:>13} {wall:>7.2f} | "
            f"{theirs:>11} {their_wall:>7.2f} | {theirs / after:>13.1f}x"
        )
    print()
    print(
        "versions only: the manifest without the new keys; with children: notes, promotional "
        "text, build and phased release (ours: one read per app and one per 50 apps of builds)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
