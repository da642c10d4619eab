"""What every view shares: escaping, value and attribute order, and the words for summaries,
deferrals and plan problems (one wording, used by the plan views and the apply report). Pure.

Text that came from outside (versions, states, messages) is shown with unprintable characters
escaped, so a value read from Apple can neither move the cursor nor hide part of a line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reconciler.errors import printable
from reconciler.kinds import all_kinds, kind
from reconciler.plan import Action, Change, Deferral, Plan, PlanProblem, Target

FORMAT_VERSION = "1"
MARKDOWN_LIMIT = 65536  # GitHub refuses a comment body longer than this
NO_CHANGES = "No changes. App Store Connect matches the manifest."


RESET = "\x1b[0m"
BOLD = "\x1b[1m"
RED = "\x1b[31m"
GREEN = "\x1b[32m"
YELLOW = "\x1b[33m"
CYAN = "\x1b[36m"
ACTION_COLOR = {Action.CREATE: GREEN, Action.UPDATE: YELLOW, Action.DELETE: RED}
RELEASE_SYMBOL = "»"


def action_word(change: Change) -> str:
    """What output calls the change's action: its kind's verb for a create ("release")."""
    verb = kind(change.kind).verb
    return verb if verb and change.action is Action.CREATE else change.action.value


def action_symbol(change: Change) -> str:
    return RELEASE_SYMBOL if action_word(change) != change.action.value else change.action.symbol


def action_color(change: Change) -> str:
    return CYAN if action_word(change) != change.action.value else ACTION_COLOR[change.action]


# Text from outside, with every unprintable character escaped: the one escaping of the CLI.
clean = printable


def value(value: Any) -> str:
    """An attribute value as in JSON: strings quoted, None as null."""
    return clean(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def ordered(names: Sequence[str]) -> list[str]:
    """Attributes in the order their kinds declare them (manifest order reads best); names no
    kind declares follow, by name."""
    order = [f.name for each in all_kinds() for f in each.fields]

    def key(name: str) -> tuple[int, str]:
        return (order.index(name) if name in order else len(order), name)

    return sorted(names, key=key)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_line(plan: Plan) -> str:
    counts = plan.summary()
    if plan.changes:
        line = (
            f"Plan: {counts['create'] - counts['release'] - counts['submit']} to create, "
            f"{counts['update']} to update, {counts['delete']} to delete"
        )
        extra = [f"{counts[verb]} to {verb}" for verb in ("submit", "release") if counts[verb]]
        line += "".join(f", {words}" for words in extra) + "."
    elif plan.deferred or plan.errors:
        line = "No changes to apply."
    elif plan.targets is not None:
        return "No changes. App Store Connect matches the manifest for the planned targets."
    else:
        return NO_CHANGES
    if plan.deferred:
        line += f" {counts['deferred']} deferred."
    if plan.errors:
        line += f" {plural(counts['errors'], 'error')}."
    return line


def partial_line(targets: Sequence[Target]) -> str:
    if not targets:
        return "Partial plan: no app was planned."
    names = ", ".join(clean(str(t)) for t in sorted(targets, key=str))
    verb = "was" if len(targets) == 1 else "were"
    return f"Partial plan: only {names} {verb} planned; other apps and platforms were not read."


def after_app(platform: str | None, version: str | None) -> str:
    return "".join(" " + clean(part) for part in (platform, version) if part)


def deferral_reason(deferral: Deferral) -> str:
    """Why a deferral waits, in the words every view and the apply report use: its `reason`
    ("build 2040 of 2.5.0 is processing"), or for a version the version it waits for."""
    if deferral.reason:
        return clean(deferral.reason)
    return f"waits for {clean(deferral.waiting_on)} ({clean(deferral.waiting_on_state)})"


def deferral_until(deferral: Deferral) -> str:
    """When the deferred write happens by itself: "a later run attaches it once it is
    processed", or for a version "a later run creates it once 4.9.0 is done"."""
    if deferral.reason:
        return clean(deferral.until) if deferral.until else "a later run does it"
    return f"a later run creates it once {clean(deferral.waiting_on)} is done"


def problem_reason(problem: PlanProblem) -> str:
    """What a plan problem says, in the words every view and the apply report use."""
    return f"{clean(problem.message)} [{clean(problem.rule)}]"


# Deferrals and errors are worded as (app, the rest), so that markdown can set the app in
# code and escape the rest.
def deferral_words(deferral: Deferral) -> tuple[str, str]:
    where = after_app(deferral.platform, deferral.version)
    joint = ":" if deferral.reason else ""  # "2.5.0: build 2040 …", "5.0.0 waits for 4.9.0"
    return deferral.app, (
        f"{where}{joint} {deferral_reason(deferral)}; apply skips it, {deferral_until(deferral)}."
    )


def error_words(error: PlanProblem) -> tuple[str, str]:
    where = after_app(error.platform, error.version)
    return error.app, f"{where}: {problem_reason(error)}"


def sentence(words: tuple[str, str]) -> str:
    return clean(words[0]) + words[1]
