"""`reconciler apply`: make the reviewed changes, and say exactly what happened."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler import __version__
from reconciler.applier import Budget, ReadBack, apply_plan
from reconciler.asc import AscClient
from reconciler.budget import refusal, write_requests
from reconciler.commands.apply_report import ReportSink, cut_short, write_report
from reconciler.commands.plan import Output, render_plan
from reconciler.commands.session import Connection, open_client, request_summary
from reconciler.commands.show import read_plan_file
from reconciler.errors import (
    BudgetError,
    ManifestError,
    PlanFileError,
    StalePlanError,
    UsageError,
    printable,
)
from reconciler.exit_codes import ExitCode
from reconciler.loader import load_manifest
from reconciler.manifest import Manifest
from reconciler.outcome import ApplyResult, ChangeResult
from reconciler.plan import Plan
from reconciler.planfile import (
    SavedPlan,
    desired_digest,
    manifest_differences,
    moved_objects,
)
from reconciler.planner import make_plan
from reconciler.reader import read_state

__all__ = ["PROMPT", "ApplyOptions", "apply", "plan_file_among"]

PROMPT = "Apply these changes? Only 'yes' will be accepted: "
_MANIFEST_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class ApplyOptions:
    paths: Sequence[Path]
    auto_approve: bool = False
    interactive: bool = False  # a person at a terminal can answer the prompt
    progress: bool = False  # show [n/total] before each line (a terminal)
    read_back_seconds: float = 60.0  # how long to look for a create whose answer was lost
    parallelism: int = 1  # reads in flight and apps and platforms written at once (cli: 10)
    wait_for_budget: bool = False  # pause when the hourly budget runs out, instead of refusing


def plan_file_among(paths: Sequence[Path]) -> Path | None:
    """The saved plan `apply` was given, or None when it was given manifests.

    A `.json` file is a plan file; a `.yaml`/`.yml` file or a folder is a manifest; any other
    file is a plan file when its content is a JSON object with a `format_version`.
    """
    plans = [path for path in paths if _is_plan_file(path)]
    if not plans:
        return None
    if len(paths) > 1:
        raise UsageError(
            "a plan file cannot be combined with manifests: run `reconciler apply PLANFILE` "
            "alone, or `reconciler apply PATH ...` to plan and apply manifests"
        )
    return plans[0]


def _is_plan_file(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return True
    if suffix in _MANIFEST_SUFFIXES or not path.is_file():
        return False
    try:
        text = path.read_bytes()
    except OSError:
        return False
    return text.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and b'"format_version"' in text


def apply(
    options: ApplyOptions,
    connection: Connection,
    output: Output,
    *,
    confirm: Callable[[str], str] = input,
    stop: Callable[[], bool] = lambda: False,
) -> ExitCode:
    """OK applied (or nothing to do); ERROR refused, stale, failed or plan errors; INTERRUPTED
    stopped by `stop` (the caller tells Ctrl-C from SIGTERM)."""
    plan_file = plan_file_among(options.paths)
    # Read and checked before any credential or request: a plan that cannot be applied says so.
    reviewed = _reviewed(plan_file) if plan_file is not None else None
    with open_client(connection, err=output.err) as client:
        if reviewed is not None:
            plan = _fresh_saved_plan(*reviewed, client, options.parallelism)
        else:
            confirmed = _planned_and_confirmed(options, client, output, confirm)
            if confirmed is None:
                return ExitCode.ERROR
            plan = confirmed
        rate = client.rate_limit
        why = refusal(write_requests(plan.changes), rate.remaining if rate else None)
        if why and not options.wait_for_budget:
            raise BudgetError(why)
        result = _run(plan, client, options, output, stop)
        output.err.write(request_summary(client) + "\n")
    if result.interrupted:
        return ExitCode.INTERRUPTED
    return ExitCode.ERROR if result.failed or plan.errors else ExitCode.OK


def _reviewed(plan_file: Path) -> tuple[str, SavedPlan, Manifest]:
    """The saved plan and the manifests it records, read again now; PlanFileError unless they
    give exactly the desired state the plan was made from (after a merge: the merged ones)."""
    saved = read_plan_file(plan_file)
    name = printable(str(plan_file))
    try:
        manifest = load_manifest([Path(path) for path in saved.manifests])
    except ManifestError as error:
        raise PlanFileError(_different(name, saved, _unreadable(error))) from None
    if desired_digest(manifest) != saved.desired_digest:
        differences = manifest_differences(saved.desired, manifest) or ["the desired state"]
        raise PlanFileError(_different(name, saved, differences))
    return name, saved, manifest


def _unreadable(error: ManifestError) -> list[str]:
    # Only problems with a path itself are shown: the recorded paths come from the plan file,
    # and what another file holds must not end up in a CI log.
    counts: dict[str, int] = {}
    lines = []
    for problem in error.problems:
        if problem.line == 0:
            lines.append(printable(str(problem)))
        else:
            counts[problem.file] = counts.get(problem.file, 0) + 1
    for file, count in counts.items():
        shown = printable(file)
        lines.append(
            f"{shown}: not a valid manifest now ({count} problem{'s' if count != 1 else ''}; "
            f"see `reconciler validate {shown}`)"
        )
    return lines


def _different(name: str, saved: SavedPlan, differences: list[str]) -> str:
    body = "\n".join(f"  - {line}" for line in differences)
    paths = ", ".join(printable(path) for path in saved.manifests)
    return (
        f"{name}: the plan was made from a different manifest: nothing was applied.\n{body}\n"
        f"Manifests read again: {paths} (relative paths from the current folder). Make the plan "
        "again from the manifests as they are (`reconciler plan --out`) and review it."
    )


def _fresh_saved_plan(
    name: str, saved: SavedPlan, manifest: Manifest, client: AscClient, parallelism: int
) -> Plan:
    """The saved plan, made again now; StalePlanError unless nothing moved since."""
    raw_targets = saved.plan.targets
    targets = list(raw_targets) if raw_targets is not None else None  # checked at plan time
    now = read_state(client, manifest, targets, parallelism=parallelism)
    moved = moved_objects(saved.remote, now)
    if moved:
        raise StalePlanError(moved)
    fresh = make_plan(manifest, now, targets)
    if fresh.checksum != saved.plan.checksum:
        made_by = printable(saved.reconciler_version)[:40]
        raise PlanFileError(
            f"{name}: the saved plan is not the one its manifest and App Store Connect give, "
            "although nothing moved: the file was edited, or saved by another version of "
            f"reconciler ({made_by}; this is {__version__}). Nothing was applied; make the plan "
            "again."
        )
    return fresh


def _planned_and_confirmed(
    options: ApplyOptions, client: AscClient, output: Output, confirm: Callable[[str], str]
) -> Plan | None:
    manifest: Manifest = load_manifest(options.paths)
    plan = make_plan(manifest, read_state(client, manifest, parallelism=options.parallelism))
    if output.format != "json":  # JSON output is the one report, at the end
        render_plan(plan, manifest, output)
    if not plan.has_writes or options.auto_approve:
        return plan
    if not options.interactive:
        raise UsageError(
            "apply needs a yes: run it on a terminal, or pass --auto-approve in CI "
            "(after the plan was reviewed), or apply a saved plan file"
        )
    try:
        answer = confirm("\n" + PROMPT)
    except EOFError:  # Ctrl-D: no answer is not a yes
        answer = ""
    if answer.strip() != "yes":
        output.err.write("Apply cancelled: nothing was changed.\n")
        return None
    return plan


def _run(
    plan: Plan, client: AscClient, options: ApplyOptions, output: Output, stop: Callable[[], bool]
) -> ApplyResult:
    """Make the writes and report them. Once writes start, nothing about the output may stop
    them: a closed stdout sends the rest of the report to stderr (ReportSink)."""
    sink = ReportSink(output.out, output.err)
    if not plan.has_writes:
        result = ApplyResult(deferred=plan.deferred, errors=plan.errors)
    else:
        done: list[ChangeResult] = []
        progress = options.progress and len(plan.changes) > 1

        def show(outcome: ChangeResult) -> None:
            done.append(outcome)
            if output.format == "text":
                sink.result(outcome, f"[{len(done)}/{len(plan.changes)}] " if progress else "")

        read_back = ReadBack.within(options.read_back_seconds)
        try:
            budget = Budget(
                wait=options.wait_for_budget,
                reserve=options.parallelism,
                on_wait=lambda seconds: _say_waiting(sink, seconds),
            )
            result = apply_plan(
                plan,
                client,
                on_result=show,
                stop=stop,
                read_back=read_back,
                parallelism=options.parallelism,
                budget=budget,
            )
        except KeyboardInterrupt:  # a second Ctrl-C: stopped now, so say what is known
            result = cut_short(plan, done)
            if output.format == "text":
                for outcome in result.results[len(done) :]:
                    sink.result(outcome)
    write_report(sink, result, output.format)
    return result


def _say_waiting(sink: ReportSink, seconds: float) -> None:
    sink.err.write(
        f"The hourly request budget is spent: waiting {seconds:.0f} s, then going on "
        "(Ctrl-C stops after the requests in flight).\n"
    )
