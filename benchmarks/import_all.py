"""Requests and time of `import --all` for N apps, against the per-version reads of other tools.

The account is plan_children.py's (iOS 1.2 live and 1.3 editable, five locales each, builds of
1.3, plus the release notes, build and phased release that a plan of it would set after one
apply). Ours: `read_for_import` (every app in one paged list, then one read per app of the
versions its entries import, with their children). Theirs: the per-version reader of
plan_children.py, as fastlane's `deliver download_metadata` and `asc metadata pull` read, one app
at a time. The import must plan to no changes (sanity).

    .venv/bin/python benchmarks/import_all.py [--quick] [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from plan_children import account, per_version

from reconciler.applier import apply_plan
from reconciler.asc import AscClient
from reconciler.import_reader import read_for_import
from reconciler.import_yaml import new_document
from reconciler.importer import imported_apps
from reconciler.loader import load_text
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp

DESCRIPTION = __doc__.splitlines()[0] if __doc__ else ""
SIZES = (10, 100, 300)
QUICK_SIZES = (10,)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true", help=f"N in {QUICK_SIZES} only")
    parser.add_argument("--latency-ms", type=int, default=20, help="per answer (default 20)")
    args = parser.parse_args(argv)
    print(f"import --all: in-process sandbox, {args.latency_ms} ms per answer")
    print()
    header = (
        f"{'N':>5} | {'ours: requests':>14} {'wall s':>7} | {'per version':>11} "
        f"{'wall s':>7} | {'fewer requests':>14} | {'file':>13}"
    )
    print(header)
    print("-" * len(header))
    for count in QUICK_SIZES if args.quick else SIZES:
        state, _, rich = account(count)
        with AscClient("https://sandbox.test", transport=SandboxApp(state).transport()) as c:
            apply_plan(make_plan(rich, read_state(c, rich)), c)  # what ships with 1.3, set
        app = SandboxApp(state, faults=f"latency={args.latency_ms}ms")
        with AscClient("https://sandbox.test", transport=app.transport()) as client:
            start = time.perf_counter()
            apps = imported_apps(read_for_import(client, None))
            wall, requests = time.perf_counter() - start, client.request_count
        text = new_document(apps, schema="schemas/manifest.schema.json")
        imported = load_text(text, "imported.yaml")  # the file as written, read back
        with AscClient("https://sandbox.test", transport=SandboxApp(state).transport()) as c:
            if make_plan(imported, read_state(c, imported)).changes:
                raise SystemExit(f"N={count}: the imported manifest plans changes")
        theirs, their_wall, _ = per_version(state, rich, args.latency_ms)
        print(
            f"{count:>5} | {requests:>14} {wall:>7.2f} | {theirs:>11} {their_wall:>7.2f} | "
            f"{theirs / requests:>13.1f}x | {text.count(chr(10)):>7} lines"
        )
    print()
    print(
        "ours: one paged list of every app, then one read per app; the file written, read back, "
        "plans no changes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
