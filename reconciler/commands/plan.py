"""`reconciler plan`: read App Store Connect for the manifest, show what apply would do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from reconciler import __version__, views
from reconciler.annotations import error_annotations
from reconciler.budget import ApplyCost, budget_line, write_requests
from reconciler.commands.session import Connection, open_client, request_summary
from reconciler.errors import ManifestError, Problem, UsageError
from reconciler.exit_codes import ExitCode
from reconciler.files import write_atomically
from reconciler.loader import load_manifest
from reconciler.manifest import Manifest, Platform
from reconciler.plan import Plan, Target
from reconciler.planfile import saved_plan_text
from reconciler.planner import make_plan
from reconciler.reader import read_state

__all__ = ["Output", "parse_targets", "plan", "plan_problems", "render_plan"]


@dataclass(frozen=True)
class Output:
    """Where and how results are shown."""

    out: TextIO
    err: TextIO
    format: str = "text"  # text | markdown | json
    color: bool = False
    github: bool = False  # print ::error annotations (GitHub Actions)
    step_summary: Path | None = None  # append markdown here (GITHUB_STEP_SUMMARY)


@dataclass(frozen=True)
class PlanOptions:
    paths: Sequence[Path]
    out_file: Path | None = None
    detailed_exitcode: bool = False
    targets: Sequence[str] = field(default_factory=tuple)
    parallelism: int = 1  # reads in flight at once (the cli's default is 10)


def plan(options: PlanOptions, connection: Connection, output: Output) -> ExitCode:
    """OK planned; ERROR the plan has errors; CHANGES writes pending (--detailed-exitcode)."""
    try:
        manifest = load_manifest(options.paths)
    except ManifestError as error:
        if output.github:  # the same annotations validate gives, at each problem
            for line in error_annotations(error.problems):
                output.err.write(line + "\n")
        raise
    targets = parse_targets(options.targets, manifest) if options.targets else None
    with open_client(connection, err=output.err) as client:
        state = read_state(client, manifest, targets, parallelism=options.parallelism)
        result = make_plan(manifest, state, targets)
    render_plan(result, manifest, output)
    output.err.write(request_summary(client) + "\n")
    if result.has_writes:
        rate = client.rate_limit
        cost = ApplyCost(reads=client.request_count, writes=write_requests(result.changes))
        output.err.write(budget_line(cost, rate.remaining if rate else None) + "\n")
    if options.out_file is not None:
        text = saved_plan_text(
            manifests=[path.as_posix() for path in options.paths],  # as given: see SavedPlan
            desired=manifest,
            remote=state,
            plan=result,
            reconciler_version=__version__,
        )
        write_atomically(options.out_file, text)
        output.err.write(
            f"Saved the plan to {options.out_file}: apply it with "
            f"`reconciler apply {options.out_file}`.\n"
        )
    if result.errors:
        return ExitCode.ERROR
    if options.detailed_exitcode and result.has_writes:
        return ExitCode.CHANGES
    return ExitCode.OK


def render_plan(result: Plan, manifest: Manifest, output: Output) -> None:
    """Write the plan in the chosen format, its annotations, and the step summary."""
    output.out.write(views.plan_view(result, output.format, color=output.color))
    if output.github:  # on stderr, so that redirected markdown or JSON stays clean
        for line in error_annotations(plan_problems(result, manifest)):
            output.err.write(line + "\n")
    if output.step_summary is not None:
        try:
            with output.step_summary.open("a", encoding="utf-8") as summary:
                summary.write(views.plan_markdown(result) + "\n")
        except OSError as error:  # a summary we cannot write must not stop the plan
            output.err.write(
                f"warning: cannot append to GITHUB_STEP_SUMMARY ({output.step_summary}): "
                f"{error.strerror or error}\n"
            )


def plan_problems(result: Plan, manifest: Manifest) -> list[Problem]:
    """Plan errors as problems located at the manifest line of their app."""
    problems = []
    for error in result.errors:
        where = manifest.locations.get(error.app)
        path = f"apps.{error.app}" + (f".{error.platform.value}" if error.platform else "")
        if where is None:
            problems.append(Problem("", 0, 0, path, error.message))
        else:
            problems.append(Problem(where.file, where.line, where.column, path, error.message))
    return problems


def parse_targets(raw: Sequence[str], manifest: Manifest) -> list[Target]:
    """`com.example.app` or `com.example.app:ios`, each naming an app of the manifest."""
    targets: list[Target] = []
    for text in raw:
        bundle_id, _, platform_name = text.partition(":")
        if bundle_id not in manifest.apps:
            raise UsageError(f"--target {text!r}: {bundle_id!r} is not an app of the manifest")
        platform = None
        if platform_name:
            try:
                platform = Platform(platform_name)
            except ValueError:
                names = ", ".join(p.value for p in Platform)
                raise UsageError(f"--target {text}: unknown platform (use {names})") from None
            if platform not in manifest.apps[bundle_id].platforms():
                raise UsageError(
                    f"--target {text}: the manifest does not manage {platform.value} "
                    f"for {bundle_id}"
                )
        targets.append(Target(bundle_id, platform))
    return targets
