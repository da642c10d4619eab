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

from reconciler import arguments
from reconciler.exit_codes import ExitCode

if TYPE_CHECKING:  # only for annotations: importing them at start-up would slow --help
    from reconciler.commands.plan import Output
    from reconciler.commands.session import Connection

__all__ = ["main"]


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
    if args.command == "import":
        from reconciler.commands.import_manifest import ImportOptions, import_manifest

        wanted = ImportOptions(
            bundle_ids=args.bundle_ids,
            every_app=args.every_app,
            out_file=args.out,
            update_file=args.update,
            split_dir=args.split,
            force=args.force,
            parallelism=args.parallelism,
        )
        return import_manifest(wanted, _connection(args), out=sys.stdout, err=sys.stderr)
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
        wait_for_budget=args.wait_for_budget,
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
        build=args.build,
        out=sys.stdout,
    )


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The arguments; an unknown option is reported with the usage of its own command."""
    parser, by_name = arguments.parser()
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
