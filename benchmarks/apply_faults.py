"""Apply under a fault mix: how long recovery takes, and that it never makes a duplicate.

Every app has a live iOS 1.0 and the manifest asks for 1.1, so the plan is N creates. The
in-process sandbox answers every 4th request with a 500, every 5th with a 429 (no
Retry-After), commits every 5th create and then answers 500 (a lost answer, FACTS R9), and
hides each new version from the next two list reads (R9's lag). Nothing is simulated on our
side: the client and the applier wait with real `time.sleep`, as they would against Apple, so
`wall s` is what a user waits. After apply, the benchmark checks in the sandbox's own state
that every app holds exactly one 1.1 (no duplicate, none missing) and that a fresh plan is
empty.

    .venv/bin/python benchmarks/apply_faults.py [--apps 5 100] [--latency-ms 20]
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

DESCRIPTION = "Apply of N creates under a fault mix (500s, 429s, lost creates, invisible reads)."
FAULTS = "error500=4,error429=5,ambiguous-create=5,invisible=2"


@dataclass(frozen=True)
class Run:
    apps: int
    requests: int
    writes: int
    reads: int
    done: int
    failed: int
    duplicates: int
    wall: float  # seconds, apply only


def run(count: int, latency_ms: int) -> Run:
    state, manifest = account(count)
    plan = plan_of(state, manifest)  # planned without faults
    app = SandboxApp(state, faults=f"latency={latency_ms}ms,{FAULTS}")
    with AscClient("https://sandbox.test", transport=app.transport()) as client:
        start = time.perf_counter()
        result = apply_plan(plan, client)
        wall = time.perf_counter() - start
    sent = app.request_log
    duplicates = duplicates_after(state, manifest)
    return Run(
        apps=count,
        requests=len(sent),
        writes=sum(1 for method, _, _ in sent if method in WRITES),
        reads=sum(1 for method, _, _ in sent if method == "GET"),
        done=result.count(Status.DONE),
        failed=result.count(Status.FAILED),
        duplicates=duplicates,
        wall=wall,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--apps", type=int, nargs="+", default=[5, 100], help="(default 5 100)")
    parser.add_argument("--latency-ms", type=int, default=20, help="per answer (default 20)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # each retry logs a warning; the table says it all
    print(f"apply under faults: {FAULTS}, {args.latency_ms} ms per answer, real waits")
    print()
    header = (
        f"{'apps':>5} {'requests':>8} {'writes':>6} {'reads':>5} {'done':>5} {'failed':>6} "
        f"{'duplicates':>10} {'wall s':>8}"
    )
    print(header)
    print("-" * len(header))
    for count in args.apps:
        r = run(count, args.latency_ms)
        print(
            f"{r.apps:>5} {r.requests:>8} {r.writes:>6} {r.reads:>5} {r.done:>5} {r.failed:>6} "
            f"{r.duplicates:>10} {r.wall:>8.1f}"
        )
    print()
    print("requests: every request the sandbox received during apply (retries included);")
    print("duplicates: extra 1.1 versions found in the sandbox's state afterwards (must be 0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
