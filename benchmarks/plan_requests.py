"""Requests and time to plan N apps: our batched reader against a per-app reader.

Runs against the in-process sandbox with injected latency (a real sleep per answer), so the wall
time is what round trips cost. For each N it builds an account where every app has four iOS
versions (replaced, live, one being prepared) and a live macOS version, and a manifest naming
every app (iOS: a new version string for the one being prepared; macOS: a new version). Then:

- ours: `read_state` + `make_plan`, the requests the client sent, the wall time of both, and
  the CPU time of `make_plan` alone;
- per app: the way fastlane and most tools read, `GET /v1/apps?filter[bundleId]=X` and then
  `GET /v1/apps/{id}/appStoreVersions` for each app (same sparse fieldsets, so only the number
  of round trips differs), then the same `make_plan`. Both plans must agree (sanity).

    .venv/bin/python benchmarks/plan_requests.py [--quick] [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.asc import AscClient, parse_app, parse_app_store_version, query
from reconciler.kinds.version import READ_FIELDS as VERSION_FIELDS
from reconciler.manifest import AppEntry, Manifest, PlatformRelease
from reconciler.plan import Plan
from reconciler.planner import make_plan
from reconciler.reader import read_state, to_remote_version
from reconciler.sandbox import SandboxApp, SandboxState
from reconciler.state import RemoteApp, RemoteState

DESCRIPTION = "Requests and time to plan N apps: our batched reader against a per-app reader."
SIZES = (10, 100, 1000)
QUICK_SIZES = (10, 100)
HOURLY_BUDGET = 3500  # Apple's documented requests per key per hour (FACTS §5)
IOS = (
    ("1.0", "REPLACED_WITH_NEW_VERSION"),
    ("1.1", "REPLACED_WITH_NEW_VERSION"),
    ("1.2", "READY_FOR_DISTRIBUTION"),
    ("1.3", "PREPARE_FOR_SUBMISSION"),
)


@dataclass(frozen=True)
class Run:
    requests: int
    wall: float  # seconds, reading and planning
    planner_cpu: float  # seconds of CPU in make_plan alone
    plan: Plan


def account(count: int) -> tuple[SandboxState, Manifest]:
    """`count` apps, each with four iOS versions and a live macOS one, and a manifest for all."""
    state = SandboxState()
    apps: dict[str, AppEntry] = {}
    for i in range(count):
        bundle_id = f"com.example.app{i:05d}"
        app_id = state.add_app(bundle_id, name=f"App {i}")
        for version, app_version_state in IOS:
            state.add_version(
                app_id,
                platform="IOS",
                version_string=version,
                app_version_state=app_version_state,
                copyright="2025 Example Inc.",
            )
        state.add_version(
            app_id,
            platform="MAC_OS",
            version_string="1.2",
            app_version_state="READY_FOR_DISTRIBUTION",
        )
        apps[bundle_id] = AppEntry(
            ios=PlatformRelease(version="1.4", copyright="2026 Example Inc."),
            macos=PlatformRelease(version="1.3"),
        )
    return state, Manifest(apps=apps)


def client_for(state: SandboxState, latency_ms: int) -> AscClient:
    # A sandbox app per run, so each reader starts with the whole hourly budget.
    app = SandboxApp(state, faults=f"latency={latency_ms}ms")
    return AscClient("https://sandbox.test", transport=app.transport())


def ours(state: SandboxState, manifest: Manifest, latency_ms: int) -> Run:
    with client_for(state, latency_ms) as client:
        start = time.perf_counter()
        remote = read_state(client, manifest)
        cpu = time.process_time()
        plan = make_plan(manifest, remote)
        cpu = time.process_time() - cpu
        wall = time.perf_counter() - start
        return Run(client.request_count, wall, cpu, plan)


def per_app_read_state(client: AscClient, manifest: Manifest) -> RemoteState:
    """What most tools do: look each app up by bundle id, then list its versions."""
    apps: dict[str, RemoteApp] = {}
    lookup = query(fields={"apps": ["bundleId", "name"]}, limit=200)
    listing = query(fields={"appStoreVersions": VERSION_FIELDS}, limit=200)
    for bundle_id, entry in manifest.apps.items():
        data, _ = client.collect("/v1/apps", {**lookup, "filter[bundleId]": bundle_id})
        found = [a for a in map(parse_app, data) if a.bundle_id == bundle_id]  # inexact (R10)
        if not found:
            continue
        app = found[0]
        resources, _ = client.collect(f"/v1/apps/{app.id}/appStoreVersions", listing)
        platforms = {p.api for p in entry.platforms()}
        versions = [to_remote_version(parse_app_store_version(r)) for r in resources]
        apps[bundle_id] = RemoteApp(
            id=app.id,
            bundle_id=bundle_id,
            name=app.name,
            versions=tuple(
                sorted((v for v in versions if v.platform in platforms), key=lambda v: v.id)
            ),
        )
    return RemoteState(apps=dict(sorted(apps.items())))


def per_app(state: SandboxState, manifest: Manifest, latency_ms: int) -> Run:
    with client_for(state, latency_ms) as client:
        start = time.perf_counter()
        remote = per_app_read_state(client, manifest)
        cpu = time.process_time()
        plan = make_plan(manifest, remote)
        cpu = time.process_time() - cpu
        wall = time.perf_counter() - start
        return Run(client.request_count, wall, cpu, plan)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true", help=f"N in {QUICK_SIZES} only")
    parser.add_argument("--latency-ms", type=int, default=20, help="per answer (default 20)")
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else SIZES

    print(
        f"plan: in-process sandbox, {args.latency_ms} ms per answer; each app has 4 iOS "
        "versions and 1 macOS version; the manifest names every app on both platforms"
    )
    print()
    header = (
        f"{'N':>5} | {'ours: requests':>14} {'wall s':>7} {'planner CPU ms':>14} "
        f"{'budget':>6} | {'per app: requests':>17} {'wall s':>7} {'budget':>6} | "
        f"{'fewer requests':>14}"
    )
    print(header)
    print("-" * len(header))
    for count in sizes:
        state, manifest = account(count)
        mine = ours(state, manifest, args.latency_ms)
        theirs = per_app(state, manifest, args.latency_ms)
        # Sanity: both readers saw the same account, so the plans agree.
        if mine.plan != theirs.plan or len(mine.plan.changes) != 2 * count:
            raise SystemExit(f"N={count}: the two readers led to different plans")
        print(
            f"{count:>5} | {mine.requests:>14} {mine.wall:>7.2f} "
            f"{mine.planner_cpu * 1000:>14.1f} {_share(mine.requests):>6} | "
            f"{theirs.requests:>17} {theirs.wall:>7.2f} {_share(theirs.requests):>6} | "
            f"{theirs.requests / mine.requests:>13.0f}x"
        )
    print()
    print("budget: share of Apple's hourly request budget per key (3500) one plan spends")
    return 0


def _share(requests: int) -> str:
    return f"{requests / HOURLY_BUDGET:.1%}"


if __name__ == "__main__":
    raise SystemExit(main())
