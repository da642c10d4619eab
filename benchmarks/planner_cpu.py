"""CPU time of `make_plan` for 1,000 / 5,000 / 10,000 app-platform pairs, before and after.

No sandbox and no reads: the remote state is built directly, so `time.process_time()` around
`make_plan` (and the plan's checksum, which every output prints) is the planner alone. Each app
has iOS and macOS; the mix per platform is realistic for a large account:

- 80% unchanged: the editable version already holds what the manifest says;
- 10% updates: the editable version's copyright differs;
- 10% creates: only a live version, the manifest asks for a higher one.

"before" runs the same `make_plan` with the version kind's comparison swapped for the one it
used until issue 12 (one `DeepDiff` call per compared pair), kept here rather than in the
package; "after" is the package as it is. Both plans must be equal (sanity).

    .venv/bin/python benchmarks/planner_cpu.py [--pairs 1000 5000 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from deepdiff import DeepDiff

import reconciler.kinds.version as version_kind
from reconciler.manifest import AppEntry, Manifest, PlatformRelease
from reconciler.plan import Plan
from reconciler.planner import make_plan
from reconciler.state import RemoteApp, RemoteState, RemoteVersion

DESCRIPTION = "CPU time of make_plan for N app-platform pairs, before and after issue 12."
PAIRS = (1000, 5000, 10000)
PLATFORMS = (("IOS", "ios"), ("MAC_OS", "macos"))
COPYRIGHT = "2026 Example Inc."


def old_differences(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[str]:
    """The comparison as it was before issue 12: one DeepDiff per call, flat values too."""
    shared = {k: current.get(k) for k in wanted}
    diff = DeepDiff(shared, dict(wanted), ignore_order=True)
    changed = {path.split("'")[1] for kind in diff.values() for path in kind}
    return [k for k in version_kind._ATTRIBUTES if k in changed]


@contextmanager
def comparison(differences: Callable[..., list[str]]) -> Iterator[None]:
    saved = version_kind._differences
    version_kind._differences = differences
    try:
        yield
    finally:
        version_kind._differences = saved


def account(pairs: int) -> tuple[Manifest, RemoteState]:
    """`pairs // 2` apps on iOS and macOS, each pair unchanged, updated or created (8:1:1)."""
    apps: dict[str, RemoteApp] = {}
    entries: dict[str, AppEntry] = {}
    for i in range(pairs // len(PLATFORMS)):
        bundle_id = f"com.example.app{i:05d}"
        versions: list[RemoteVersion] = []
        releases: dict[str, PlatformRelease] = {}
        for p, (api, field) in enumerate(PLATFORMS):
            case = (i * len(PLATFORMS) + p) % 10
            versions.append(_version(i, api, "1.2", "READY_FOR_DISTRIBUTION"))
            if case == 9:  # create: nothing editable yet
                releases[field] = PlatformRelease(version="1.3", copyright=COPYRIGHT)
                continue
            versions.append(_version(i, api, "1.3", "PREPARE_FOR_SUBMISSION"))
            wanted = "2027 Example Inc." if case == 8 else COPYRIGHT  # update, else unchanged
            releases[field] = PlatformRelease(version="1.3", copyright=wanted)
        app_id = str(6_400_000_000 + i)
        apps[bundle_id] = RemoteApp(
            id=app_id,
            bundle_id=bundle_id,
            name=f"App {i}",
            versions=tuple(sorted(versions, key=lambda v: v.id)),
        )
        entries[bundle_id] = AppEntry(**releases)
    return Manifest(apps=entries), RemoteState(apps=apps)


def _version(app: int, platform: str, version: str, state: str) -> RemoteVersion:
    return RemoteVersion(
        id=f"{app:05d}-{platform}-{version}",
        platform=platform,
        version_string=version,
        state=state,
        release_type="AFTER_APPROVAL",
        copyright=COPYRIGHT,
    )


def cpu(manifest: Manifest, remote: RemoteState, repeat: int) -> tuple[float, Plan]:
    """The best of `repeat` runs of make_plan plus the checksum (seconds of CPU)."""
    best, plan = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        plan = make_plan(manifest, remote)
        _ = plan.checksum
        best = min(best, time.process_time() - start)
    assert plan is not None
    return best, plan


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--pairs", type=int, nargs="+", default=list(PAIRS))
    parser.add_argument("--repeat", type=int, default=3, help="best of (default 3)")
    args = parser.parse_args(argv)

    print("planner CPU: make_plan + checksum, best of", args.repeat, "(time.process_time)")
    print("mix per app-platform pair: 80% unchanged, 10% updates, 10% creates")
    print()
    header = (
        f"{'pairs':>6} | {'changes':>7} | {'before CPU ms':>13} | {'after CPU ms':>12} | "
        f"{'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for pairs in args.pairs:
        manifest, remote = account(pairs)
        with comparison(old_differences):
            before, old_plan = cpu(manifest, remote, args.repeat)
        after, plan = cpu(manifest, remote, args.repeat)
        if plan != old_plan or plan.checksum != old_plan.checksum:
            raise SystemExit(f"{pairs} pairs: the two comparisons planned differently")
        print(
            f"{pairs:>6} | {len(plan.changes):>7} | {before * 1000:>13.0f} | "
            f"{after * 1000:>12.0f} | {before / max(after, 1e-9):>5.1f}x"
        )
    print()
    print("before: the DeepDiff-per-pair comparison used until issue 12; after: the package")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
