"""The plan for a terminal, Terraform style. Pure: values in, a string out.

A change's title says what it writes in its kind's words ("update localization de-DE of
2.5.0"). A value is shown as JSON (`"old" -> "new"`), except multi-line text (release notes):
that shows as a line diff under its attribute, each line escaped, `-` removed, `+` added and
unchanged lines indented, so a one-word edit of long notes reads as one word, not two walls."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from reconciler.kinds import kind
from reconciler.plan import Action, Change, Plan
from reconciler.views.words import (
    ACTION_COLOR,
    BOLD,
    CYAN,
    GREEN,
    RED,
    RESET,
    YELLOW,
    action_color,
    action_symbol,
    action_word,
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


def change_title(change: Change) -> str:
    """`com.example.weather ios: update localization de-DE of 2.5.0 (id loc-1)`: the kind's
    words for what is written, and the id of the resource written (else of its version)."""
    title = f"{clean(change.app)} {change.platform}: {action_word(change)} {describe(change)}"
    shown_id = change_id(change)
    if shown_id is not None:
        title += f" (id {clean(shown_id)})"
    return title


def describe(change: Change) -> str:
    """What the change writes, in its kind's words ("version 2.5.0"), escaped."""
    return clean(kind(change.kind).describe(change))


def change_id(change: Change) -> str | None:
    """The id output shows for a change: of what it writes (none for a child to create)."""
    return change.written_id


def _change_block(change: Change, paint: _Paint) -> str:
    symbol = paint(action_symbol(change), action_color(change))
    lines = [f"{symbol} {paint(change_title(change), BOLD)}"]
    if change.action is Action.UPDATE:
        lines += _update_lines(change.before or {}, change.after or {}, paint)
    else:
        values = change.after if change.action is Action.CREATE else change.before
        lines += _attribute_lines(change.action, values or {}, paint)
    return "\n".join(lines)


def _multiline(*values: Any) -> bool:
    return any(isinstance(v, str) and "\n" in v for v in values)


def _attribute_lines(action: Action, values: dict[str, Any], paint: _Paint) -> list[str]:
    names = ordered(list(values))
    width = max((len(n) for n in names), default=0)
    symbol = paint(action.symbol, ACTION_COLOR[action])
    lines: list[str] = []
    for n in names:
        if _multiline(values[n]):
            lines.append(f"    {symbol} {clean(n).ljust(width)} =")
            lines += _block_lines(action.symbol, _text_lines(values[n]), paint)
        else:
            lines.append(f"    {symbol} {clean(n).ljust(width)} = {value(values[n])}")
    return lines


def _update_lines(before: dict[str, Any], after: dict[str, Any], paint: _Paint) -> list[str]:
    names = ordered([n for n in before.keys() | after.keys() if before.get(n) != after.get(n)])
    width = max((len(n) for n in names), default=0) + 1
    symbol = paint(Action.UPDATE.symbol, YELLOW)
    lines: list[str] = []
    for n in names:
        old, new = before.get(n), after.get(n)
        if _multiline(old, new):
            lines.append(f"    {symbol} {clean(n + ':')}")
            lines += _diff_lines(_text_lines(old), _text_lines(new), paint)
        else:
            lines.append(f"    {symbol} {clean(n + ':').ljust(width)} {value(old)} -> {value(new)}")
    return lines


def _text_lines(text: Any) -> list[str]:
    """A value as the lines a diff compares: a string split at its newlines only (any other
    line break stays in its line, escaped), null as no lines, anything else as in JSON."""
    if text is None:
        return []
    if isinstance(text, str):
        return text.split("\n")
    return [value(text)]


def _diff_lines(old: list[str], new: list[str], paint: _Paint) -> list[str]:
    return [
        line
        for marker, lines in _line_diff(old, new)
        for line in _block_lines(marker, lines, paint)
    ]


def _line_diff(old: list[str], new: list[str]) -> Iterator[tuple[str, list[str]]]:
    """The lines of a diff from old to new, as (marker, lines): " " unchanged, "-" removed,
    "+" added; a replaced run shows its removed lines before its added ones."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            yield " ", old[i1:i2]
            continue
        if i2 > i1:
            yield "-", old[i1:i2]
        if j2 > j1:
            yield "+", new[j1:j2]


_MARKER_COLOR = {"-": RED, "+": GREEN}


def _block_lines(marker: str, lines: list[str], paint: _Paint) -> list[str]:
    """Lines of text, each escaped and set under its attribute after its marker. An empty
    line is its marker alone (an unchanged one: the indent and a space), so that a change
    block never holds a blank line (markdown cuts the plan into blocks at blank lines)."""
    shown = []
    for line in lines:
        text = f"{marker} {clean(line)}" if line else marker
        shown.append("        " + (paint(text, _MARKER_COLOR[marker]) if marker != " " else text))
    return shown
