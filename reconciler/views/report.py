"""Apply results as text lines and as a versioned JSON report. Pure: values in, strings out."""

from __future__ import annotations

import json
from typing import Any

from reconciler.kinds import kind
from reconciler.outcome import ApplyResult, ChangeResult, Status
from reconciler.plan import Action, Change, Deferral, PlanProblem
from reconciler.views.words import (
    action_symbol,
    action_word,
    clean,
    deferral_reason,
    problem_reason,
)

__all__ = [
    "REPORT_FORMAT_VERSION",
    "apply_json",
    "apply_summary",
    "deferred_line",
    "error_line",
    "result_line",
]

# The apply report's own JSON format, versioned apart from the plan's.
REPORT_FORMAT_VERSION = "1"
_DONE_WORD = {
    Action.CREATE: "created",
    Action.UPDATE: "updated",
    Action.DELETE: "deleted",
}


_VERB_DONE = {"release": "released", "submit": "submitted"}


def result_line(result: ChangeResult) -> str:
    """One line (more for a failure) as a change completes:
    `+ com.example.app ios 2.4.0 created (id …)`."""
    change = result.change
    head = _head(change)
    if result.status is Status.DONE:
        word = _VERB_DONE.get(action_word(change)) or _DONE_WORD[change.action]
        text = f"{action_symbol(change)} {head} {word}"
        text += f" (id {result.resource_id})" if result.resource_id else ""
        return text + (f": {result.note}" if result.note else "")
    if result.status is Status.SKIPPED:
        return f"· {head} {action_word(change)} skipped: {result.note}"
    message = result.failure.message if result.failure else "failed"
    indented = "\n".join("    " + line for line in message.splitlines())
    return f"✗ {head} {action_word(change)} failed:\n{indented}"


def _head(change: Change) -> str:
    """`com.example.app ios 2.4.0` for a version; for another kind its words after the
    platform: `com.example.app ios localization de-DE of 2.4.0`."""
    what = change.version if change.kind == "version" else clean(kind(change.kind).describe(change))
    return f"{change.app} {change.platform.value} {what}"


def deferred_line(deferral: Deferral) -> str:
    """`… com.example.app ios 2.5.0 deferred: waits for 2.4.0 (IN_REVIEW); run apply again once
    it is done`, or with a deferral's reason: `… deferred: build 2040 of 2.5.0 is processing; a
    later run attaches it once it is processed`."""
    then = "run apply again once it is done"
    if deferral.reason and deferral.until:
        then = clean(deferral.until)
    return (
        f"… {deferral.app} {deferral.platform.value} {deferral.version} deferred: "
        f"{deferral_reason(deferral)}; {then}"
    )


def error_line(error: PlanProblem) -> str:
    where = " ".join(
        p for p in (error.app, error.platform and error.platform.value, error.version) if p
    )
    return f"✗ {where}: not applied: {problem_reason(error)}"


def _counts(result: ApplyResult) -> dict[str, int]:
    return {
        "created": result.count(Status.DONE, Action.CREATE),
        "updated": result.count(Status.DONE, Action.UPDATE),
        "deleted": result.count(Status.DONE, Action.DELETE),
        "submitted": sum(
            1 for r in result.results if r.status is Status.DONE and r.change.kind == "submission"
        ),
        "released": sum(
            1 for r in result.results if r.status is Status.DONE and r.change.kind == "release"
        ),
        "deferred": len(result.deferred),
        "failed": result.count(Status.FAILED),
        "skipped": result.count(Status.SKIPPED),
        "errors": len(result.errors),
    }


def apply_summary(result: ApplyResult) -> str:
    """`Apply complete: 3 created, 1 updated, 0 deleted, 1 deferred, 0 failed.`"""
    counts = _counts(result)
    head = "Apply interrupted" if result.interrupted else "Apply complete"
    text = (
        f"{head}: {counts['created'] - counts['released'] - counts['submitted']} created, "
        f"{counts['updated']} updated, {counts['deleted']} deleted, "
        + (f"{counts['submitted']} submitted, " if counts["submitted"] else "")
        + (f"{counts['released']} released, " if counts["released"] else "")
        + f"{counts['deferred']} deferred, {counts['failed']} failed."
    )
    if counts["skipped"]:
        text += f" {counts['skipped']} skipped."
    if counts["errors"]:
        text += (
            f" {counts['errors']} plan error{'s' if counts['errors'] != 1 else ''} (not applied)."
        )
    if result.failed or result.interrupted:
        text += " Run `reconciler plan` to see what is left, then apply that plan."
    return text


def apply_json(result: ApplyResult) -> str:
    """The versioned JSON report: every change with its status, and the API error of failures."""
    report: dict[str, Any] = {
        "format_version": REPORT_FORMAT_VERSION,
        "interrupted": result.interrupted,
        "results": [_result_json(r) for r in result.results]
        + [_deferred_json(d) for d in result.deferred],
        "errors": [
            {
                "app": e.app,
                "platform": e.platform.value if e.platform else None,
                "version": e.version,
                "rule": e.rule,
                "message": e.message,
            }
            for e in result.errors
        ],
        "summary": _counts(result),
    }
    return json.dumps(report, indent=2, sort_keys=True) + "\n"


def _result_json(result: ChangeResult) -> dict[str, Any]:
    change = result.change
    failure = result.failure
    return {
        "kind": change.kind,
        "app": change.app,
        "platform": change.platform.value,
        "action": change.action.value,
        "version": change.version,
        # What it meant before there were other kinds: the version's id (for a version, what
        # the change wrote); `resource_id` is the id of what the change wrote, of any kind.
        "version_id": result.resource_id if change.kind == "version" else change.version_id,
        "status": result.status.value,
        "note": result.note or None,
        "error": None
        if failure is None
        else {"status": failure.status, "codes": list(failure.codes), "message": failure.message},
        "key": change.key,
        "resource_id": result.resource_id,
    }


# The write a deferral of each kind stands for (a build is attached by an update).
_DEFERRED_ACTION = {"build": Action.UPDATE}


def _deferred_json(deferral: Deferral) -> dict[str, Any]:
    return {
        "kind": deferral.kind,
        "app": deferral.app,
        "platform": deferral.platform.value,
        "action": _DEFERRED_ACTION.get(deferral.kind, Action.CREATE).value,
        "version": deferral.version,
        "version_id": None,
        "status": Status.DEFERRED.value,
        "note": deferral_reason(deferral),
        "error": None,
        "key": None,
        "resource_id": None,
        "reason": deferral.reason or None,
        "until": deferral.until or None,
    }
