"""Command line: argparse, dispatch, and the one error handler.

The only module that prints or reads os.environ. Heavy libraries are imported inside the
command that needs them, so `--help` and `--version` stay fast.
Exit codes: `reconciler.exit_codes.ExitCode`.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler import __version__
from reconciler.exit_codes import ExitCode

if TYPE_CHECKING:  # only for annotations: importing them at start-up would slow --help
    from reconciler.commands.plan import Output
    from reconciler.commands.session import Connection

    _Commands = argparse._SubParsersAction[argparse.ArgumentParser]

__all__ = ["main"]

# Requests in flight at once: 10 as Terraform, where benchmarks/plan_parallel.py shows reads
# stop gaining much (README there); 50 matches the client's connection pool.
DEFAULT_PARALLELISM = 10
MAX_PARALLELISM = 50


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
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
        help=f"at most N requests in flight at once, 1 to {MAX_PARALLELISM} "
        f"(default {DEFAULT_PARALLELISM})",
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
    _add_sandbox_flag(apply)


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
        help="move a version through review: submit, review, approve, reject, release",
    )
    advance.add_argument("--state", type=Path, help=state_help)
    advance.add_argument("bundle_id", help="the app's bundle id, e.g. com.example.weather")
    advance.add_argument("platform", help="ios, macos, tvos or visionos")
    advance.add_argument("action", choices=["submit", "review", "approve", "reject", "release"])
    return {f"sandbox {name}": action for name, action in actions.choices.items()}


def _dispatch(args: argparse.Namespace) -> ExitCode:
    out = sys.stdout
    if args.command == "validate":
        from reconciler.commands.validate import validate

        github = os.environ.get("GITHUB_ACTIONS") == "true"
        return validate(
            args.paths or [Path("releases.yaml")],
            output=args.format,
            github=github,
            out=out,
            err=sys.stderr,
        )
    if args.command == "schema":
        from reconciler.commands.schema import schema

        return schema(out_path=args.out, out=out)
    if args.command == "plan":
        from reconciler.commands.plan import PlanOptions, plan

        options = PlanOptions(
            paths=args.paths or [Path("releases.yaml")],
            out_file=args.out,
            detailed_exitcode=args.detailed_exitcode,
            targets=args.target,
            parallelism=args.parallelism,
        )
        return plan(options, _connection(args), _output(args))
    if args.command == "apply":
        return _apply(args)
    if args.command == "show":
        from reconciler.commands.show import show

        return show(args.plan_file, _output(args))
    if args.command == "sandbox":
        return _dispatch_sandbox(args)
    raise AssertionError(f"unhandled command {args.command}")


def _apply(args: argparse.Namespace) -> ExitCode:
    from reconciler.commands.apply import ApplyOptions, apply
    from reconciler.commands.interrupt import Interrupt

    options = ApplyOptions(
        paths=args.paths or [Path("releases.yaml")],
        auto_approve=args.auto_approve,
        interactive=sys.stdin.isatty() and sys.stdout.isatty(),
        progress=sys.stdout.isatty(),
        read_back_seconds=args.read_back_seconds,
        parallelism=args.parallelism,
    )
    interrupt = Interrupt(sys.stderr)
    with interrupt.installed():
        code = apply(options, _connection(args), _output(args), stop=interrupt.requested)
    return interrupt.exit_code(code)


def _connection(args: argparse.Namespace) -> Connection:
    from reconciler.commands.session import Connection

    return Connection(environ=dict(os.environ), sandbox=args.sandbox, cwd=Path.cwd())


def _output(args: argparse.Namespace) -> Output:
    from reconciler.commands.plan import Output

    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    return Output(
        out=sys.stdout,
        err=sys.stderr,
        format=args.format,
        color=_color(),
        github=os.environ.get("GITHUB_ACTIONS") == "true",
        step_summary=Path(summary) if summary else None,
    )


def _color() -> bool:
    """Colour on a terminal that can show it, unless NO_COLOR is set to something
    (no-color.org: an empty NO_COLOR does not count)."""
    return (
        sys.stdout.isatty()
        and not os.environ.get("NO_COLOR")
        and os.environ.get("TERM", "") != "dumb"
    )


def _dispatch_sandbox(args: argparse.Namespace) -> ExitCode:
    from reconciler.commands import sandbox

    if args.sandbox_command == "serve":  # without --state: in memory, as the README says
        return sandbox.serve(
            port=args.port,
            state_path=args.state,
            latency_ms=args.latency_ms,
            faults=args.faults,
            public_key_path=args.public_key,
            out=sys.stdout,
        )
    state = args.state or sandbox.default_state_path(Path.cwd())
    if args.sandbox_command == "reset":
        return sandbox.reset(state_path=state, out=sys.stdout)
    return sandbox.advance(
        state_path=state,
        bundle_id=args.bundle_id,
        platform=args.platform,
        action=args.action,
        out=sys.stdout,
    )


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The arguments; an unknown option is reported with the usage of its own command."""
    parser, by_name = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        name = " ".join(n for n in (args.command, getattr(args, "sandbox_command", None)) if n)
        by_name.get(name, parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def _logging(verbose: bool, debug: bool) -> Callable[[], None]:
    """Start logging for -v or --debug; returns what stops it."""
    if not (verbose or debug):
        return lambda: None
    from reconciler.commands.logs import start_logging

    return start_logging(sys.stderr, debug=debug)


def _quiet_stdout() -> None:
    """After a closed pipe on stdout: point it at /dev/null, so that Python's flush at exit
    neither fails nor prints a traceback."""
    try:
        sys.stdout.flush()
        return
    except BrokenPipeError:
        pass
    except (OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parse(argv)
    except SystemExit as exit_:  # argparse: 0 for --help/--version, 2 for a usage error
        return ExitCode.ERROR if exit_.code else ExitCode.OK
    debug = bool(getattr(args, "debug", False))
    stop_logging = _logging(bool(getattr(args, "verbose", False)), debug)
    try:
        return _handled(args, debug)
    finally:
        stop_logging()
        _quiet_stdout()


def _handled(args: argparse.Namespace, debug: bool) -> ExitCode:
    """The command's exit code; the one place that turns errors into messages and codes."""
    from reconciler.errors import ReconcilerError

    try:
        return _dispatch(args)
    except ReconcilerError as error:
        if debug:
            traceback.print_exc()
        print(f"error: {error}", file=sys.stderr)
        return ExitCode.ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # `reconciler show plan.json | head`: the reader has gone
        _quiet_stdout()
        print("error: standard output was closed before the output was written", file=sys.stderr)
        return ExitCode.ERROR
    except Exception as error:  # the one place that turns a bug into a message
        if debug:
            traceback.print_exc()
        else:
            print(
                f"unexpected error: {type(error).__name__}: {error}\n"
                "This is a bug in reconciler; run again with --debug for the traceback.",
                file=sys.stderr,
            )
        return ExitCode.BUG
