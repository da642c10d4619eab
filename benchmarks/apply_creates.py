"""Apply of 100 creates against the in-process sandbox with injected latency.

Every app has a live iOS 1.0 and the manifest asks for 1.1, so the plan is 100 creates. The
plan is made first (its reads are not counted); then apply runs, and the sandbox's request log
says what apply sent: writes (must equal the plan's changes: one request per change, never a
blind resend) and reads (only to resolve an ambiguous answer, so 0 without faults). It runs once
without faults and once with `ambiguous-create=10` (every 10th create commits, then answers
500: the applier must read back, find the version, and not send it again). A plan made after
each apply must be empty (sanity).

    .venv/bin/python benchmarks/apply_creates.py [--apps 100] [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass

from creates import WRITES, account

from reconciler.applier import apply_plan
from reconciler.asc import AscClient
from reconciler.outcome import Status
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp

DESCRIPTION = "Apply of N creates against the in-process sandbox with injected latency."


@dataclass(frozen=True)
class Run:
    faults: str
    changes: int
    writes: int
    reads: int
    done: int
    confirmed: int  # creates whose answer was lost and that a read-back found
    wall: float  # seconds, apply only


def run(count: int, faults: str) -> Run:
    state, manifest = account(count, copyright="2026 Example Inc.")
    app = SandboxApp(state, faults=faults)
    with AscClient("https://sandbox.test", transport=app.transport()) as client:
        plan = make_plan(manifest, read_state(client, manifest))
        before = len(app.request_log)
        start = time.perf_counter()
        result = apply_plan(plan, client)
        wall = time.perf_counter() - start
        sent = app.request_log[before:]
        if make_plan(manifest, read_state(client, manifest)).changes:
            raise SystemExit(f"{faults}: a plan after apply still has changes")
    return Run(
        faults=faults,
        changes=len(plan.changes),
        writes=sum(1 for method, _, _ in sent if method in WRITES),
        reads=sum(1 for method, _, _ in sent if method == "GET"),
        done=result.count(Status.DONE),
        confirmed=sum(1 for r in result.results if r.note == "confirmed by reading back"),
        wall=wall,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--apps", type=int, default=100, help="creates to apply (default 100)")
    parser.add_argument("--latency-ms", type=int, default=20, help="per answer (default 20)")
    args = parser.parse_args(argv)
    latency = f"latency={args.latency_ms}ms"

    print(f"apply: {args.apps} creates, in-process sandbox, {args.latency_ms} ms per answer")
    print()
    header = (
        f"{'faults':<34} {'changes':>7} {'writes':>6} {'reads':>5} {'done':>5} "
        f"{'read back':>9} {'wall s':>7}"
    )
    print(header)
    print("-" * len(header))
    for faults in (latency, f"{latency},ambiguous-create=10"):
        r = run(args.apps, faults)
        if r.writes != r.changes:
            raise SystemExit(f"{faults}: {r.writes} writes for {r.changes} changes")
        print(
            f"{r.faults:<34} {r.changes:>7} {r.writes:>6} {r.reads:>5} {r.done:>5} "
            f"{r.confirmed:>9} {r.wall:>7.2f}"
        )
    print()
    print("writes: POST/PATCH/DELETE apply sent; reads: GETs during apply (read-backs only);")
    print("read back: creates whose answer was lost (500) and that a read-back found, not resent")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
