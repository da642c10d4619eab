"""The command line's grammar: every command, flag and help text, in one argparse parser.

`parser()` returns it with a parser per command, so that usage errors name the command.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler import __version__

if TYPE_CHECKING:
    _Commands = argparse._SubParsersAction[argparse.ArgumentParser]

__all__ = ["DEFAULT_PARALLELISM", "MAX_PARALLELISM", "parser"]

# Requests in flight at once: 10 as Terraform, where benchmarks/plan_parallel.py shows reads
# stop gaining much (README there); 50 matches the client's connection pool.
DEFAULT_PARALLELISM = 10
MAX_PARALLELISM = 50


def parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The parser, and each command's own parser by name ("plan", "sandbox serve")."""
    parser = argparse.ArgumentParser(
        prog="reconciler",
        description="Release configuration as code for App Store Connect.",
    )
    parser.add_argument("--version", action="version", version=f"reconciler {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    # Only for the commands that talk to App Store Connect.
    requests = argparse.ArgumentParser(add_help=False, parents=[common])
    requests.add_argument("-v", "--verbose", action="store_true", help="log each API request")
    requests.add_argument(
        "--parallelism",
        type=_bounded(int, 1, MAX_PARALLELISM),
        default=DEFAULT_PARALLELISM,
        metavar="N",
        help=f"at most N requests in flight at once, 1 to {MAX_PARALLELISM} (default "
        f"{DEFAULT_PARALLELISM}); apply writes N apps and platforms at once, each in order",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    validate = commands.add_parser(
        "validate", parents=[common], help="check manifests offline and list every problem"
    )
    _add_paths(validate)
    validate.add_argument("--format", choices=["text", "json"], default="text")

    schema = commands.add_parser(
        "schema", parents=[common], help="print the manifest JSON Schema (or write it with --out)"
    )
    schema.add_argument("--out", type=Path, help="write the schema to this file")

    _add_plan(commands, requests)
    _add_apply(commands, requests)
    _add_import(commands, requests)

    show = commands.add_parser("show", parents=[common], help="render a saved plan file")
    show.add_argument(
        "plan_file", type=Path, metavar="PLANFILE", help="a plan saved by `plan --out`"
    )
    _add_format(show, ["text", "markdown", "json"])

    by_name = dict(commands.choices)
    by_name.update(_add_sandbox(commands, common))
    return parser, by_name


def _add_plan(commands: _Commands, requests: argparse.ArgumentParser) -> None:
    plan = commands.add_parser(
        "plan", parents=[requests], help="show what apply would change in App Store Connect"
    )
    _add_paths(plan)
    _add_format(plan, ["text", "markdown", "json"])
    plan.add_argument("--out", type=Path, metavar="PLANFILE", help="save the plan for apply")
    plan.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 2 when there are changes to apply (0 none, 1 error)",
    )
    plan.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="BUNDLE_ID[:PLATFORM]",
        help="plan only this app (or app and platform); repeatable",
    )
    _add_sandbox_flag(plan)


def _add_apply(commands: _Commands, requests: argparse.ArgumentParser) -> None:
    apply = commands.add_parser(
        "apply", parents=[requests], help="make the planned changes (a saved plan, or manifests)"
    )
    apply.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PLANFILE | PATH",
        help="a plan saved by `plan --out` (alone), or manifests (default: releases.yaml)",
    )
    _add_format(apply, ["text", "json"])
    apply.add_argument(
        "--auto-approve", action="store_true", help="apply without asking (CI, after review)"
    )
    apply.add_argument(
        "--read-back-seconds",
        type=_bounded(float, 0, 3600),
        default=60.0,
        metavar="S",
        help="how long to look for a create App Store Connect confirmed but does not list yet "
        "(default 60); a lost create is never waited for: it is read once and sent again",
    )
    apply.add_argument(
        "--wait-for-budget",
        action="store_true",
        help="when the hourly request budget runs out, pause and go on instead of refusing",
    )
    _add_sandbox_flag(apply)


def _add_import(commands: _Commands, requests: argparse.ArgumentParser) -> None:
    imports = commands.add_parser(
        "import",
        parents=[requests],
        help="write a manifest of what App Store Connect holds (plan of it: no changes)",
    )
    imports.add_argument(
        "bundle_ids", nargs="*", metavar="BUNDLE_ID", help="the apps to import (or --all)"
    )
    imports.add_argument(
        "--all", dest="every_app", action="store_true", help="every app the key can see"
    )
    where = imports.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, metavar="FILE", help="write one manifest here")
    where.add_argument(
        "--update",
        type=Path,
        metavar="FILE",
        help="refresh these apps in an existing manifest, keeping everything else",
    )
    where.add_argument(
        "--split", type=Path, metavar="DIR", help="write one manifest per app into DIR"
    )
    imports.add_argument(
        "--force", action="store_true", help="replace files that exist (--out, --split)"
    )
    _add_sandbox_flag(imports)


def _bounded(
    kind: type[float] | type[int], low: float, high: float
) -> Callable[[str], float | int]:
    """An argparse type that accepts numbers from low to high only."""

    def parse(text: str) -> float | int:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not low <= value <= high:  # also refuses nan
            raise argparse.ArgumentTypeError(f"must be between {low:g} and {high:g}")
        return value

    return parse


def _add_format(parser: argparse.ArgumentParser, choices: list[str]) -> None:
    parser.add_argument("--format", choices=choices, default="text", help="output format")


def _add_sandbox_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="use the built-in App Store Connect simulator (.reconciler/sandbox-state.json)",
    )


def _add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="manifest files or folders (default: releases.yaml)",
    )


def _add_sandbox(
    commands: _Commands, common: argparse.ArgumentParser
) -> dict[str, argparse.ArgumentParser]:
    sandbox = commands.add_parser(
        "sandbox", parents=[common], help="run or manage the built-in App Store Connect simulator"
    )
    actions = sandbox.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    serve = actions.add_parser("serve", parents=[common], help="serve the simulator on 127.0.0.1")
    serve.add_argument(
        "--port",
        type=_bounded(int, 0, 65535),
        default=8787,
        help="port on 127.0.0.1 (default 8787; 0 picks a free one)",
    )
    serve.add_argument(
        "--state",
        type=Path,
        help="keep the account in this file (default: the demo account, in memory only)",
    )
    serve.add_argument(
        "--latency-ms",
        type=_bounded(int, 0, 600_000),
        default=0,
        metavar="MS",
        help="delay each answer by this many milliseconds (default 0)",
    )
    serve.add_argument("--faults", help="fault spec, e.g. error500=4,invisible=2,seed=1")
    serve.add_argument("--public-key", type=Path, help="PEM public key: verify bearer JWTs")
    state_help = "state file (default .reconciler/sandbox-state.json, as --sandbox uses)"
    reset = actions.add_parser("reset", parents=[common], help="start the sandbox state over")
    reset.add_argument("--state", type=Path, help=state_help)
    advance = actions.add_parser(
        "advance",
        parents=[common],
        help="move a version through review (submit, review, approve, reject, release), finish "
        "processing builds (process) or move a phased release on a day (rollout)",
    )
    advance.add_argument("--state", type=Path, help=state_help)
    advance.add_argument("bundle_id", help="the app's bundle id, e.g. com.example.weather")
    advance.add_argument("platform", help="ios, macos, tvos or visionos")
    advance.add_argument(
        "action",
        choices=["submit", "review", "approve", "reject", "release", "process", "rollout"],
    )
    advance.add_argument(
        "--build",
        metavar="NUMBER",
        help="with process: finish only the build with this number (CFBundleVersion)",
    )
    return {f"sandbox {name}": action for name, action in actions.choices.items()}
