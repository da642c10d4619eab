"""The plan for a terminal, Terraform style. Pure: values in, a string out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.kinds import kind
from reconciler.plan import Action, Change, Plan
from reconciler.views.words import (
    ACTION_COLOR,
    BOLD,
    CYAN,
    RED,
    RESET,
    YELLOW,
    clean,
    deferral_words,
    error_words,
    ordered,
    partial_line,
    sentence,
    summary_line,
    value,
)

__all__ = ["plan_text"]


@dataclass(frozen=True)
class _Paint:
    """Wraps text in ANSI codes when `on`; otherwise returns it unchanged."""

    on: bool

    def __call__(self, text: str, *codes: str) -> str:
        return "".join(codes) + text + RESET if self.on and codes else text


def plan_text(plan: Plan, *, color: bool = False) -> str:
    """The plan for a terminal, Terraform style: one block per change, then deferrals,
    errors and a summary line. ANSI colour only when `color` is true."""
    paint = _Paint(color)
    blocks: list[str] = []
    if plan.targets is not None:
        blocks.append(paint("! " + partial_line(plan.targets), BOLD, YELLOW))
    blocks.extend(_change_block(change, paint) for change in plan.changes)
    if plan.deferred:
        lines = [paint("Deferred:", BOLD)]
        lines += [f"  {paint('…', CYAN)} {sentence(deferral_words(d))}" for d in plan.deferred]
        blocks.append("\n".join(lines))
    if plan.errors:
        lines = [paint("Errors:", BOLD, RED)]
        lines += [f"  {paint('✗', RED)} {sentence(error_words(e))}" for e in plan.errors]
        blocks.append("\n".join(lines))
    blocks.append(paint(summary_line(plan), BOLD))
    return "\n\n".join(blocks) + "\n"


def _change_block(change: Change, paint: _Paint) -> str:
    symbol = paint(change.action.symbol, ACTION_COLOR[change.action])
    title = (
        f"{clean(change.app)} {change.platform}: {change.action} {kind(change.kind).noun} "
        f"{clean(change.version)}"
    )
    if change.version_id is not None:
        title += f" (id {clean(change.version_id)})"
    lines = [f"{symbol} {paint(title, BOLD)}"]
    if change.action is Action.UPDATE:
        lines += _update_lines(change.before or {}, change.after or {}, paint)
    else:
        values = change.after if change.action is Action.CREATE else change.before
        lines += _attribute_lines(change.action, values or {}, paint)
    return "\n".join(lines)


def _attribute_lines(action: Action, values: dict[str, Any], paint: _Paint) -> list[str]:
    names = ordered(list(values))
    width = max((len(n) for n in names), default=0)
    symbol = paint(action.symbol, ACTION_COLOR[action])
    return [f"    {symbol} {clean(n).ljust(width)} = {value(values[n])}" for n in names]


def _update_lines(before: dict[str, Any], after: dict[str, Any], paint: _Paint) -> list[str]:
    names = ordered([n for n in before.keys() | after.keys() if before.get(n) != after.get(n)])
    width = max((len(n) for n in names), default=0) + 1
    symbol = paint(Action.UPDATE.symbol, YELLOW)
    return [
        f"    {symbol} {clean(n + ':').ljust(width)} "
        f"{value(before.get(n))} -> {value(after.get(n))}"
        for n in names
    ]
