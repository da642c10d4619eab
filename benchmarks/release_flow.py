"""Requests of a full release (create -> notes -> build -> submit, then release once approved)
for N apps: one manifest of every app, against one run per app (the way per-app tools and
fastlane lanes run), in the same process, on the same account.

Each app has iOS 1.0 live in two locales and an uploaded, processed build 2040 of 2.0. The
manifest asks for 2.0 with `default` release notes, build 2040, release_type manual, submit and
release. Run 1 plans and applies (the version, its notes, the build, the submission); App
Review approves every app (`sandbox advance`, no request); run 2 plans and applies the release;
run 3 plans nothing (sanity). Requests are counted by the client; `--faults` adds the sandbox's
faults to every run (e.g. `ambiguous-create=2,ready-delay=2`), and the state must still end with
every app READY_FOR_DISTRIBUTION and one submission each.

    .venv/bin/python benchmarks/release_flow.py [--apps 1,100] [--latency-ms 20] [--faults SPEC]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from reconciler.applier import apply_plan
from reconciler.asc import AscClient
from reconciler.manifest import AppEntry, Manifest, PlatformRelease, ReleaseType
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState
from reconciler.sandbox.lifecycle import advance

DESCRIPTION = __doc__.splitlines()[0] if __doc__ else ""
TEXTS = {"description": "An app.", "keywords": "app", "support_url": "https://example.com"}


def account(count: int) -> tuple[SandboxState, Manifest]:
    state = SandboxState()
    apps: dict[str, AppEntry] = {}
    for i in range(count):
        bundle_id = f"com.example.app{i:05d}"
        app_id = state.add_app(bundle_id)
        live = state.add_version(
            app_id, version_string="1.0", app_version_state="READY_FOR_DISTRIBUTION"
        )
        for locale in ("en-US", "de-DE"):
            state.add_localization(live, locale, whats_new="First.", **TEXTS)
        state.add_build(app_id, version="2.0", number="2040")
        apps[bundle_id] = AppEntry(
            ios=PlatformRelease(
                version="2.0",
                build="2040",
                release_notes={"default": "Faster."},
                release_type=ReleaseType.MANUAL,
                submit=True,
                release=True,
            )
        )
    return state, Manifest(apps=apps)


def _run(app: SandboxApp, manifest: Manifest) -> tuple[int, int]:
    """Plan and apply once: (requests, changes)."""
    with AscClient("https://sandbox.test", transport=app.transport(), sleep=lambda _: None) as c:
        plan = make_plan(manifest, read_state(c, manifest))
        result = apply_plan(plan, c, sleep=lambda _: None)
        if result.failed:
            failed = [r for r in result.results if r.failure]
            raise SystemExit(f"apply failed: {failed[0].failure}")
        return c.request_count, len(plan.changes)


def release(count: int, latency_ms: int, faults: str, *, per_app: bool) -> tuple[list[int], float]:
    """Requests of run 1 (to submission), run 2 (release), run 3 (nothing), and the wall time."""
    state, manifest = account(count)
    spec = ",".join(f for f in (f"latency={latency_ms}ms" if latency_ms else "", faults) if f)
    app = SandboxApp(state, faults=spec, sleep=lambda _: None)
    parts = [Manifest(apps={b: e}) for b, e in manifest.apps.items()] if per_app else [manifest]
    start = time.perf_counter()
    totals = [0, 0, 0]
    for run in range(3):
        if run == 1:
            for bundle_id in manifest.apps:  # App Review approves every app
                advance(state, bundle_id, "IOS", "approve", datetime.now(UTC))
        for part in parts:
            requests, changes = _run(app, part)
            totals[run] += requests
            if run == 2 and changes:
                raise SystemExit("run 3 planned changes: the release did not converge")
    for app_record in state.apps.values():
        [done] = [v for v in state.versions(app_record.id) if v.version_string == "2.0"]
        if done.app_version_state != "READY_FOR_DISTRIBUTION":
            raise SystemExit(f"{app_record.bundle_id} 2.0 is {done.app_version_state}")
    submissions = len(state.reviews.submissions)
    if submissions != count:
        raise SystemExit(f"{submissions} review submissions for {count} apps")
    return totals, time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--apps", default="1,100", help="comma-separated app counts")
    parser.add_argument("--latency-ms", type=int, default=20, help="per answer (default 20)")
    parser.add_argument("--faults", default="", help="sandbox faults for every run")
    args = parser.parse_args(argv)
    print(
        f"full release: in-process sandbox, {args.latency_ms} ms per answer, faults "
        f"{args.faults or 'none'}"
    )
    print()
    header = (
        f"{'N':>5} | {'ours: submit':>12} {'release':>8} {'re-plan':>8} {'wall s':>7} | "
        f"{'per app: total':>14} {'wall s':>7} | {'fewer requests':>14}"
    )
    print(header)
    print("-" * len(header))
    for count in (int(n) for n in args.apps.split(",")):
        ours, wall = release(count, args.latency_ms, args.faults, per_app=False)
        theirs, their_wall = release(count, args.latency_ms, args.faults, per_app=True)
        print(
            f"{count:>5} | {ours[0]:>12} {ours[1]:>8} {ours[2]:>8} {wall:>7.2f} | "
            f"{sum(theirs):>14} {their_wall:>7.2f} | {sum(theirs) / sum(ours):>13.1f}x"
        )
    print()
    print("ours: one manifest of every app per run; per app: the same runs, one app at a time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
