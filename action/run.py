"""Run reconciler plan, apply or validate for the action, and report to the runner.

A step of action.yml. It exits 0 once reconciler has run, whatever reconciler's exit code, so
that the steps after it (upload the plan, comment) still happen for a plan with errors; the
action's last step (conclude.py) fails the job from the `exitcode` output.

Environment: RECONCILER (the executable), RECONCILER_COMMAND (plan | apply | validate),
RECONCILER_MANIFESTS (paths, split as a shell would), RECONCILER_PLAN_FILE, RECONCILER_SANDBOX,
and RECONCILER_ASC_KEY_ID, RECONCILER_ASC_ISSUER_ID, RECONCILER_ASC_PRIVATE_KEY: each given to
reconciler as its ASC_* variable only when set, so credentials already in the job's
environment keep working.
Outputs: exitcode, changes (plan only: "true" when there are changes to apply), plan-file,
markdown-file, stderr-file, upload ("true" when plan saved a plan file: even a plan with
errors is uploaded for reviewers, and apply only takes the plan of a successful run).
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from workflow_files import append_summary, fenced, set_outputs, summary_room

CREDENTIALS = ("ASC_KEY_ID", "ASC_ISSUER_ID", "ASC_PRIVATE_KEY")
ERROR = 1  # reconciler's exit code for an expected error (reconciler/exit_codes.py)
CHANGES = 2  # plan --detailed-exitcode: there are changes to apply


def child_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment reconciler runs in: the credential inputs under reconciler's names."""
    env = {k: v for k, v in environ.items() if not k.startswith("RECONCILER_ASC_")}
    for name in CREDENTIALS:
        value = environ.get(f"RECONCILER_{name}", "")
        if value:
            env[name] = value
    return env


def plan_file(environ: Mapping[str, str]) -> Path:
    given = environ.get("RECONCILER_PLAN_FILE", "")
    if given:  # absolute: the upload step runs in the workspace, not in working-directory
        return Path(given).absolute()
    return Path(environ.get("RUNNER_TEMP") or tempfile.gettempdir()) / "reconciler" / "plan.json"


def run(command: Sequence[str], env: Mapping[str, str], copy: Path, out: IO[str] | None) -> int:
    """Run `command`; what it prints is shown in the log and kept in `copy`, except its
    stdout when `out` is given (the markdown plan goes there instead).

    A cancelled job's SIGINT or SIGTERM is passed on, so that apply stops after the request in
    flight and reports what it did."""
    child = subprocess.Popen(
        command,
        stdout=out or subprocess.PIPE,
        stderr=subprocess.PIPE if out else subprocess.STDOUT,
        env=dict(env),
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    previous = {
        sig: signal.signal(sig, lambda number, _frame: child.send_signal(number))
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    shown = sys.stderr if out else sys.stdout
    stream = child.stderr if out else child.stdout
    assert stream is not None  # a pipe, by the Popen arguments above
    try:
        with copy.open("w", encoding="utf-8") as kept:
            for line in stream:
                shown.write(line)
                shown.flush()
                kept.write(line)
        return child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def plan(reconciler: str, manifests: list[str], environ: Mapping[str, str]) -> dict[str, str]:
    saved = plan_file(environ)
    saved.parent.mkdir(parents=True, exist_ok=True)
    markdown, said = saved.with_suffix(".md"), saved.with_suffix(".stderr")
    saved.unlink(missing_ok=True)  # never upload a plan that an earlier run left here
    command = [reconciler, "plan", *manifests, "--out", str(saved), "--format", "markdown"]
    command += ["--detailed-exitcode", *_sandbox(environ)]
    with markdown.open("w", encoding="utf-8") as out:
        code = run(command, child_environ(environ), said, out)
    if saved.is_file():  # the text plan, for the log only: plan wrote the summary already
        quiet = {"GITHUB_STEP_SUMMARY", "GITHUB_ACTIONS"}  # and annotated its errors
        env = {k: v for k, v in child_environ(environ).items() if k not in quiet}
        run([reconciler, "show", str(saved)], env, saved.with_suffix(".txt"), None)
    if not markdown.read_text(encoding="utf-8").strip():  # otherwise the CLI wrote the summary
        text = _without_commands(said.read_text(encoding="utf-8"))
        title = f"reconciler plan failed (exit {code})"
        append_summary(fenced(title, text, summary_room(environ)), environ)
    return {
        "exitcode": str(code),
        "changes": str(code == CHANGES).lower(),
        "plan-file": str(saved),
        "markdown-file": str(markdown),
        "stderr-file": str(said),
        "upload": str(saved.is_file()).lower(),
    }


def apply(reconciler: str, environ: Mapping[str, str]) -> dict[str, str]:
    saved = plan_file(environ)
    outputs = {"exitcode": str(ERROR), "changes": "", "plan-file": str(saved)}
    if not saved.is_file():
        sys.stderr.write(f"::error::no plan file at {saved}: nothing reviewed to apply" + "\n")
        return outputs
    env = child_environ(environ)
    report = saved.with_suffix(".apply.txt")
    # show writes the reviewed plan to the summary too, above the apply report.
    sys.stdout.write(f"The plan to apply ({saved}):\n")
    sys.stdout.flush()
    run([reconciler, "show", str(saved)], env, saved.with_suffix(".show.txt"), None)
    code = run([reconciler, "apply", str(saved), *_sandbox(environ)], env, report, None)
    text = _without_commands(report.read_text(encoding="utf-8"))
    title = f"App Store Connect apply (exit {code})"
    append_summary(fenced(title, text, summary_room(environ)), environ)
    return outputs | {"exitcode": str(code)}


def validate(reconciler: str, manifests: list[str], environ: Mapping[str, str]) -> dict[str, str]:
    report = plan_file(environ).with_name("validate.txt")
    report.parent.mkdir(parents=True, exist_ok=True)
    code = run([reconciler, "validate", *manifests], child_environ(environ), report, None)
    text = _without_commands(report.read_text(encoding="utf-8"))
    title = f"reconciler validate (exit {code})"
    append_summary(fenced(title, text, summary_room(environ)), environ)
    return {"exitcode": str(code), "changes": "", "plan-file": ""}


def main(environ: Mapping[str, str] = os.environ) -> int:
    reconciler = environ.get("RECONCILER") or "reconciler"
    command = environ.get("RECONCILER_COMMAND", "")
    manifests = shlex.split(environ.get("RECONCILER_MANIFESTS", ""))
    if command == "plan":
        outputs = plan(reconciler, manifests, environ)
    elif command == "apply":
        outputs = apply(reconciler, environ)
    elif command == "validate":
        outputs = validate(reconciler, manifests, environ)
    else:
        sys.stderr.write(f"::error::command {command!r}: use plan, apply or validate" + "\n")
        outputs = {"exitcode": str(ERROR), "changes": "", "plan-file": ""}
    set_outputs(outputs, environ)
    return 0


def _sandbox(environ: Mapping[str, str]) -> list[str]:
    return ["--sandbox"] if environ.get("RECONCILER_SANDBOX", "false") == "true" else []


def _without_commands(text: str) -> str:
    """What reconciler said, without the ::error lines meant for the runner."""
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("::"))


if __name__ == "__main__":
    sys.exit(main())
