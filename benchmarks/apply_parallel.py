"""Apply of N creates at a realistic latency: one write at a time against --parallelism N.

Every app has a live iOS 1.0 and the manifest asks for 1.1: N creates, planned without faults.
The in-process sandbox answers each request after `--latency-ms` (300 by default, about what App
Store Connect takes), with the latency overlapping between requests in flight, as at Apple.
Each size runs without faults and with `error500=4,error429=5,ambiguous-create=3,invisible=2`;
the client's back-off and the applier's waits really sleep. Afterwards the sandbox's own state
must hold exactly one 1.1 per app (duplicates must be 0) and a fresh plan must be empty.

    .venv/bin/python benchmarks/apply_parallel.py [--apps 300] [--latency-ms 300] [--parallel 10]
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from creates import WRITES, account, duplicates_after, plan_of

from reconciler.applier import apply_plan
from reconciler.asc import AscClient
from reconciler.outcome import Status
from reconciler.sandbox import SandboxApp

DESCRIPTION = "Apply of N creates, one write at a time against several at once."
FAULTS = "error500=4,error429=5,ambiguous-create=3,invisible=2"


@dataclass(frozen=True)
class Run:
    parallelism: int
    faults: str
    writes: int
    reads: int
    failed: int
    duplicates: int
    wall: float


def run(count: int, latency_ms: int, parallelism: int, faults: str) -> Run:
    state, manifest = account(count)
    plan = plan_of(state, manifest)
    spec = f"latency={latency_ms}ms" + (f",{faults}" if faults else "")
    app = SandboxApp(state, faults=spec)
    with AscClient("https://sandbox.test", transport=app.transport()) as client:
        start = time.perf_counter()
        result = apply_plan(plan, client, parallelism=parallelism)
        wall = time.perf_counter() - start
    duplicates = duplicates_after(state, manifest)
    log = app.request_log
    return Run(
        parallelism=parallelism,
        faults=faults or "none",
        writes=sum(1 for method, _, _ in log if method in WRITES),
        reads=sum(1 for method, _, _ in log if method == "GET"),
        failed=result.count(Status.FAILED),
        duplicates=duplicates,
        wall=wall,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--apps", type=int, default=300, help="creates to apply (default 300)")
    parser.add_argument("--latency-ms", type=int, default=300, help="per answer (default 300)")
    parser.add_argument("--parallel", type=int, default=10, help="parallelism (default 10)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # each retry logs a warning; the table says it all
    print(f"apply: {args.apps} creates, in-process sandbox, {args.latency_ms} ms per answer")
    print()
    header = (
        f"{'faults':<52} {'parallel':>8} {'writes':>6} {'reads':>5} {'failed':>6} "
        f"{'duplicates':>10} {'wall s':>7} {'faster':>6}"
    )
    print(header)
    print("-" * len(header))
    for faults in ("", FAULTS):
        one = run(args.apps, args.latency_ms, 1, faults)
        many = run(args.apps, args.latency_ms, args.parallel, faults)
        for r in (one, many):
            ratio = one.wall / r.wall if r.wall else 0.0
            print(
                f"{r.faults:<52} {r.parallelism:>8} {r.writes:>6} {r.reads:>5} {r.failed:>6} "
                f"{r.duplicates:>10} {r.wall:>7.1f} {ratio:>5.1f}x"
            )
    print()
    print("writes and reads: every request the sandbox received during apply (retries too);")
    print("duplicates: extra 1.1 versions in the sandbox's state afterwards (must be 0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
