"""`reconciler apply`: make the reviewed changes, and say exactly what happened."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler import report
from reconciler.applier import ReadBack, apply_plan
from reconciler.asc import AscClient
from reconciler.commands.plan import Output, parse_targets, render_plan
from reconciler.commands.session import Connection, open_client, request_summary
from reconciler.commands.show import read_plan_file
from reconciler.errors import StalePlanError, UsageError
from reconciler.loader import load_manifest
from reconciler.manifest import Manifest
from reconciler.outcome import ApplyResult, ChangeResult
from reconciler.plan import Plan
from reconciler.planfile import moved_objects
from reconciler.planner import make_plan
from reconciler.reader import read_state

__all__ = ["PROMPT", "ApplyOptions", "apply", "is_plan_file"]

PROMPT = "Apply these changes? Only 'yes' will be accepted: "
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class ApplyOptions:
    paths: Sequence[Path]
    auto_approve: bool = False
    interactive: bool = False  # a person at a terminal can answer the prompt
    progress: bool = False  # show [n/total] before each line (a terminal)
    read_back_seconds: float = 60.0  # how long to look for a create whose answer was lost


def is_plan_file(paths: Sequence[Path]) -> bool:
    """`apply plan.json`: a single file that is JSON (by name or by its first character) is a
    saved plan, whatever it is called; anything else is manifests (YAML never starts with `{`
    in ours)."""
    if len(paths) != 1 or not paths[0].is_file():
        return False
    if paths[0].suffix.lower() == ".json":
        return True
    try:
        with paths[0].open("rb") as handle:
            return handle.read(64).lstrip().startswith(b"{")
    except OSError:
        return False


def apply(
    options: ApplyOptions,
    connection: Connection,
    output: Output,
    *,
    confirm: Callable[[str], str] = input,
    stop: Callable[[], bool] = lambda: False,
) -> int:
    """0 applied (or nothing to do); 1 refused, stale, failed or plan errors; 130 interrupted."""
    with open_client(connection, err=output.err) as client:
        if is_plan_file(options.paths):
            plan = _fresh_saved_plan(options.paths[0], client)
        else:
            confirmed = _planned_and_confirmed(options, client, output, confirm)
            if confirmed is None:
                return 1
            plan = confirmed
        result = _run(plan, client, options, output, stop)
        output.err.write(request_summary(client) + "\n")
    if result.interrupted:
        return EXIT_INTERRUPTED
    return 1 if result.failed or plan.errors else 0


def _fresh_saved_plan(plan_file: Path, client: AscClient) -> Plan:
    """The saved plan, made again now; StalePlanError unless nothing moved since."""
    saved = read_plan_file(plan_file)
    targets = (
        parse_targets(saved.plan.targets, saved.desired) if saved.plan.targets is not None else None
    )
    now = read_state(client, saved.desired, targets)
    fresh = make_plan(saved.desired, now, targets)
    moved = moved_objects(saved.remote, now)
    if moved or fresh.checksum != saved.plan.checksum:
        raise StalePlanError(moved or ["the plan made now differs from the saved one"])
    return fresh


def _planned_and_confirmed(
    options: ApplyOptions, client: AscClient, output: Output, confirm: Callable[[str], str]
) -> Plan | None:
    manifest: Manifest = load_manifest(options.paths)
    plan = make_plan(manifest, read_state(client, manifest))
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
    if not plan.has_writes:
        result = ApplyResult(deferred=plan.deferred, errors=plan.errors)
    else:
        total, done = len(plan.changes), 0

        def show(outcome: ChangeResult) -> None:
            nonlocal done
            done += 1
            if output.format == "text":
                prefix = f"[{done}/{total}] " if options.progress and total > 1 else ""
                output.out.write(prefix + report.result_line(outcome) + "\n")
                output.out.flush()

        read_back = ReadBack.within(options.read_back_seconds)
        result = apply_plan(plan, client, on_result=show, stop=stop, read_back=read_back)
    if output.format == "json":
        output.out.write(report.apply_json(result))
    else:
        for deferral in result.deferred:
            output.out.write(report.deferred_line(deferral) + "\n")
        for error in result.errors:
            output.out.write(report.error_line(error) + "\n")
        output.out.write(report.apply_summary(result) + "\n")
    return result
