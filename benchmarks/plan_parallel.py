"""Wall time of a plan with reads in parallel (`--parallelism`) against the same reads in turn.

In-process sandbox, 300 ms of injected latency per answer by default (a real sleep, outside
the sandbox's lock, so parallel answers wait side by side):

(a) N apps, each with four iOS versions and a live macOS one (`plan_requests.account`): one
    batched request per 50 apps, read at parallelism 1 and at each of PARALLELISMS;
(b) a mature account: 300 apps with 120 versions each. Every app has more versions than a
    batch includes (50), so each costs its own paged list after the batches: ours at each
    parallelism, against the per-app reader other tools use (`plan_requests.per_app_read_state`,
    one lookup and one list per app, in turn).

Every run must give the same plan (sanity). Wall time includes the sandbox's own CPU per
request, which is serialized under its lock and grows with the account: it bounds what
parallel reads can gain on big accounts here, not against Apple.

    .venv/bin/python benchmarks/plan_parallel.py [--quick] [--latency-ms 300]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from reconciler.asc import AscClient
from reconciler.manifest import AppEntry, Manifest, PlatformRelease
from reconciler.plan import Plan
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState
from reconciler.state import RemoteState

sys.path.insert(0, str(Path(__file__).parent))
from plan_requests import account, per_app_read_state  # the sibling benchmark's account and reader

DESCRIPTION = "Plan wall time with parallel reads against the same reads in turn."
SIZES, QUICK_SIZES = (100, 1000, 3000), (100,)
MATURE_APPS, QUICK_MATURE_APPS, MATURE_VERSIONS = 300, 30, 120
PARALLELISMS = (4, 10, 20)
Reader = Callable[[AscClient, Manifest], RemoteState]


def mature_account(
    count: int, versions_each: int = MATURE_VERSIONS
) -> tuple[SandboxState, Manifest]:
    """`count` apps with `versions_each` iOS versions (all replaced but the last, live)."""
    state = SandboxState()
    apps: dict[str, AppEntry] = {}
    for i in range(count):
        bundle_id = f"com.example.mature{i:04d}"
        app_id = state.add_app(bundle_id, name=f"Mature {i}")
        for v in range(versions_each):
            live = v == versions_each - 1
            state.add_version(
                app_id,
                platform="IOS",
                version_string=f"{v // 10}.{v % 10}",
                app_version_state="READY_FOR_DISTRIBUTION" if live else "REPLACED_WITH_NEW_VERSION",
            )
        apps[bundle_id] = AppEntry(ios=PlatformRelease(version=f"{versions_each}.0"))
    return state, Manifest(apps=apps)


def timed(
    state: SandboxState, manifest: Manifest, latency_ms: int, read: Reader
) -> tuple[int, float, Plan]:
    """Requests sent, wall seconds of reading and planning, and the plan."""
    app = SandboxApp(state, faults=f"latency={latency_ms}ms")
    with AscClient("https://sandbox.test", transport=app.transport()) as client:
        start = time.perf_counter()
        plan = make_plan(manifest, read(client, manifest))
        return client.request_count, time.perf_counter() - start, plan


def ours(parallelism: int) -> Reader:
    return lambda client, manifest: read_state(client, manifest, parallelism=parallelism)


def table_a(sizes: Sequence[int], latency_ms: int) -> None:
    columns = " ".join(f"{f'p={p} s':>8}" for p in PARALLELISMS)
    header = f"{'N':>5} | {'requests':>8} | {'p=1 s':>8} {columns} | {'p=1 / p=10':>10}"
    print(header)
    print("-" * len(header))
    for count in sizes:
        state, manifest = account(count)
        requests, sequential, plan = timed(state, manifest, latency_ms, ours(1))
        walls = {}
        for parallelism in PARALLELISMS:
            sent, walls[parallelism], other = timed(state, manifest, latency_ms, ours(parallelism))
            _same(plan, other, sent, requests, f"N={count}, parallelism {parallelism}")
        shown = " ".join(f"{walls[p]:>8.2f}" for p in PARALLELISMS)
        ratio = _ratio(sequential, walls[10])
        print(f"{count:>5} | {requests:>8} | {sequential:>8.2f} {shown} | {ratio}")


def table_b(count: int, latency_ms: int) -> None:
    state, manifest = mature_account(count)
    header = f"{'reader':<24} | {'requests':>8} | {'wall s':>8} | {'vs ours p=1':>11}"
    print(header)
    print("-" * len(header))
    requests, sequential, plan = timed(state, manifest, latency_ms, ours(1))
    print(f"{'ours, parallelism 1':<24} | {requests:>8} | {sequential:>8.2f} | {'1.0x':>11}")
    for parallelism in PARALLELISMS:
        sent, wall, other = timed(state, manifest, latency_ms, ours(parallelism))
        _same(plan, other, sent, requests, f"mature, parallelism {parallelism}")
        label = f"ours, parallelism {parallelism}"
        print(f"{label:<24} | {sent:>8} | {wall:>8.2f} | {_ratio(sequential, wall)}")
    sent, wall, other = timed(state, manifest, latency_ms, per_app_read_state)
    _same(plan, other, 0, 0, "mature, per app")
    print(f"{'per app (other tools)':<24} | {sent:>8} | {wall:>8.2f} | {_ratio(sequential, wall)}")


def _same(plan: Plan, other: Plan, sent: int, expected: int, what: str) -> None:
    if other != plan or sent != expected:
        raise SystemExit(f"{what}: a different plan or request count than the sequential read")


def _ratio(base: float, wall: float) -> str:
    return f"{base / wall:>10.1f}x"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true", help="(a) N=100, (b) 30 mature apps")
    parser.add_argument("--latency-ms", type=int, default=300, help="per answer (default 300)")
    args = parser.parse_args(argv)
    mature = QUICK_MATURE_APPS if args.quick else MATURE_APPS
    print(f"(a) plan of N apps (4 iOS + 1 macOS versions each), {args.latency_ms} ms per answer")
    print()
    table_a(QUICK_SIZES if args.quick else SIZES, args.latency_ms)
    print()
    print(f"(b) mature account: {mature} apps x {MATURE_VERSIONS} versions, {args.latency_ms} ms")
    print()
    table_b(mature, args.latency_ms)
    print()
    print("p=N: read_state(parallelism=N); wall s: reading and planning; identical plans checked")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
