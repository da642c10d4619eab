"""Plans as text, markdown and JSON (DESIGN §4). Pure: values in, strings out.

Nothing here prints or looks at the terminal or the environment: the caller decides on colour
and writes the string. Every function is deterministic (a Plan sorts itself), so equal plans
render byte for byte the same, which golden tests and plan review rely on.

Text that came from outside (versions, states, messages) is shown with unprintable characters
escaped, so a value read from Apple can neither move the cursor nor hide part of a line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.kinds import all_kinds, kind
from reconciler.plan import Action, Change, Deferral, Plan, PlanProblem, Target

__all__ = [
    "FORMAT_VERSION",
    "MARKDOWN_LIMIT",
    "NO_CHANGES",
    "deferral_reason",
    "plan_json",
    "plan_markdown",
    "plan_text",
    "problem_reason",
]

FORMAT_VERSION = "1"
MARKDOWN_LIMIT = 65536  # GitHub refuses a comment body longer than this
NO_CHANGES = "No changes. App Store Connect matches the manifest."


_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_RED = "\x1b[31m"
_GREEN = "\x1b[32m"
_YELLOW = "\x1b[33m"
_CYAN = "\x1b[36m"
_ACTION_COLOR = {Action.CREATE: _GREEN, Action.UPDATE: _YELLOW, Action.DELETE: _RED}


# --- shared pieces ---------------------------------------------------------------------------


def _clean(text: str) -> str:
    """`text` with every unprintable character (ESC, newline, bidi override …) escaped."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


def _value(value: Any) -> str:
    """An attribute value as in JSON: strings quoted, None as null."""
    return _clean(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def _ordered(names: Sequence[str]) -> list[str]:
    """Attributes in the order their kinds declare them (manifest order reads best); names no
    kind declares follow, by name."""
    order = [f.name for each in all_kinds() for f in each.fields]

    def key(name: str) -> tuple[int, str]:
        return (order.index(name) if name in order else len(order), name)

    return sorted(names, key=key)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _summary_line(plan: Plan) -> str:
    counts = plan.summary()
    if plan.changes:
        line = (
            f"Plan: {counts['create']} to create, {counts['update']} to update, "
            f"{counts['delete']} to delete."
        )
    elif plan.deferred or plan.errors:
        line = "No changes to apply."
    elif plan.targets is not None:
        return "No changes. App Store Connect matches the manifest for the planned targets."
    else:
        return NO_CHANGES
    if plan.deferred:
        line += f" {counts['deferred']} deferred."
    if plan.errors:
        line += f" {_plural(counts['errors'], 'error')}."
    return line


def _partial_line(targets: Sequence[Target]) -> str:
    if not targets:
        return "Partial plan: no app was planned."
    names = ", ".join(_clean(str(t)) for t in sorted(targets, key=str))
    verb = "was" if len(targets) == 1 else "were"
    return f"Partial plan: only {names} {verb} planned; other apps and platforms were not read."


def _after_app(platform: str | None, version: str | None) -> str:
    return "".join(" " + _clean(part) for part in (platform, version) if part)


def deferral_reason(deferral: Deferral) -> str:
    """Why a deferral waits, in the words every view and the apply report use."""
    return f"waits for {_clean(deferral.waiting_on)} ({_clean(deferral.waiting_on_state)})"


def problem_reason(problem: PlanProblem) -> str:
    """What a plan problem says, in the words every view and the apply report use."""
    return f"{_clean(problem.message)} [{_clean(problem.rule)}]"


# Deferrals and errors are worded as (app, the rest), so that markdown can set the app in
# code and escape the rest.
def _deferral_words(deferral: Deferral) -> tuple[str, str]:
    return deferral.app, (
        f"{_after_app(deferral.platform, deferral.version)} {deferral_reason(deferral)}; "
        f"apply skips it, a later run creates it once {_clean(deferral.waiting_on)} is done."
    )


def _error_words(error: PlanProblem) -> tuple[str, str]:
    where = _after_app(error.platform, error.version)
    return error.app, f"{where}: {problem_reason(error)}"


def _sentence(words: tuple[str, str]) -> str:
    return _clean(words[0]) + words[1]


# --- text ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Paint:
    """Wraps text in ANSI codes when `on`; otherwise returns it unchanged."""

    on: bool

    def __call__(self, text: str, *codes: str) -> str:
        return "".join(codes) + text + _RESET if self.on and codes else text


def plan_text(plan: Plan, *, color: bool = False) -> str:
    """The plan for a terminal, Terraform style: one block per change, then deferrals,
    errors and a summary line. ANSI colour only when `color` is true."""
    paint = _Paint(color)
    blocks: list[str] = []
    if plan.targets is not None:
        blocks.append(paint("! " + _partial_line(plan.targets), _BOLD, _YELLOW))
    blocks.extend(_change_block(change, paint) for change in plan.changes)
    if plan.deferred:
        lines = [paint("Deferred:", _BOLD)]
        lines += [f"  {paint('…', _CYAN)} {_sentence(_deferral_words(d))}" for d in plan.deferred]
        blocks.append("\n".join(lines))
    if plan.errors:
        lines = [paint("Errors:", _BOLD, _RED)]
        lines += [f"  {paint('✗', _RED)} {_sentence(_error_words(e))}" for e in plan.errors]
        blocks.append("\n".join(lines))
    blocks.append(paint(_summary_line(plan), _BOLD))
    return "\n\n".join(blocks) + "\n"


def _change_block(change: Change, paint: _Paint) -> str:
    symbol = paint(change.action.symbol, _ACTION_COLOR[change.action])
    title = (
        f"{_clean(change.app)} {change.platform}: {change.action} {kind(change.kind).noun} "
        f"{_clean(change.version)}"
    )
    if change.version_id is not None:
        title += f" (id {_clean(change.version_id)})"
    lines = [f"{symbol} {paint(title, _BOLD)}"]
    if change.action is Action.UPDATE:
        lines += _update_lines(change.before or {}, change.after or {}, paint)
    else:
        values = change.after if change.action is Action.CREATE else change.before
        lines += _attribute_lines(change.action, values or {}, paint)
    return "\n".join(lines)


def _attribute_lines(action: Action, values: dict[str, Any], paint: _Paint) -> list[str]:
    names = _ordered(list(values))
    width = max((len(n) for n in names), default=0)
    symbol = paint(action.symbol, _ACTION_COLOR[action])
    return [f"    {symbol} {_clean(n).ljust(width)} = {_value(values[n])}" for n in names]


def _update_lines(before: dict[str, Any], after: dict[str, Any], paint: _Paint) -> list[str]:
    names = _ordered([n for n in before.keys() | after.keys() if before.get(n) != after.get(n)])
    width = max((len(n) for n in names), default=0) + 1
    symbol = paint(Action.UPDATE.symbol, _YELLOW)
    return [
        f"    {symbol} {_clean(n + ':').ljust(width)} "
        f"{_value(before.get(n))} -> {_value(after.get(n))}"
        for n in names
    ]


# --- markdown --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_~<>\[\]|#])")
_DIFF_MARKER = re.compile(r"^( *)([-+~]) ")
_SHOW_FULL = "run `reconciler plan --out plan.json`, then `reconciler show plan.json`"


def _md(text: str) -> str:
    """Inline markdown that shows `text` literally (no links, HTML, emphasis or table cells)."""
    return _MD_SPECIAL.sub(r"\\\1", _clean(text))


def _code(text: str) -> str:
    """A code span; a `|` in it is escaped, since GitHub ends a table cell there even so."""
    cleaned = _clean(text)
    if "`" in cleaned:
        return _md(cleaned)
    return "`" + cleaned.replace("|", "\\|") + "`"


@dataclass(frozen=True)
class _Section:
    """A run of markdown whose `items` may be cut short to fit a size limit.

    Rendered as head, the items kept, mid, then `more(n)` when n items were left out, then
    tail; whatever is kept, the markdown stays well formed (head and tail open and close).
    When no item fits, a section with `folded` shows just that instead of an empty frame.
    `more(len(items))` is the longest note, and `folded` no longer: `_fit` counts on it."""

    head: str
    items: tuple[str, ...] = ()
    mid: str = ""
    tail: str = ""
    more: Callable[[int], str] = lambda n: ""
    folded: str | None = None

    def render(self, kept: int) -> str:
        left_out = len(self.items) - kept
        note = self.more(left_out) if left_out else ""
        if self.folded is not None and self.items and not kept:
            return self.folded
        return self.head + "".join(self.items[:kept]) + self.mid + note + self.tail

    @property
    def fixed(self) -> int:
        return len(self.head) + len(self.mid) + len(self.tail)


def plan_markdown(plan: Plan, *, limit: int = MARKDOWN_LIMIT) -> str:
    """The plan as a pull-request comment of at most `limit` characters.

    Deletes are listed in a warning that is never folded away; errors, deferrals and a table
    of changes stay visible; the text plan follows in a folded `diff` block. When the whole
    does not fit, the folded plan is cut first, then the table, deferrals, errors and deletes,
    each with a note of what was left out and how to see all of it.
    Raises ValueError when even the headings do not fit in `limit`."""
    sections = _markdown_sections(plan, limit)
    kept = [len(s.items) for s in sections]
    if sum(s.fixed + len("".join(s.items)) for s in sections) > limit:
        kept = _fit(sections, limit)
    return "".join(s.render(k) for s, k in zip(sections, kept, strict=True))


def _fit(sections: Sequence[_Section], limit: int) -> list[int]:
    """How many items of each section to keep, the earlier sections first."""
    reserved = [len(s.more(len(s.items))) if s.items else 0 for s in sections]
    budget = limit - sum(s.fixed for s in sections) - sum(reserved)
    if budget < 0:
        raise ValueError(f"a markdown plan needs more than {limit} characters")
    kept: list[int] = []
    for section, reserve in zip(sections, reserved, strict=True):
        count = 0
        for item in section.items:
            if len(item) > budget:
                break
            budget -= len(item)
            count += 1
        if count == len(section.items):
            budget += reserve  # no note needed: its room goes to the sections below
        kept.append(count)
    return kept


def _markdown_sections(plan: Plan, limit: int) -> list[_Section]:
    sections = [_Section(f"## App Store Connect plan\n\n**{_md(_summary_line(plan))}**\n\n")]
    if plan.targets is not None:
        sections.append(_Section(f"> [!IMPORTANT]\n> {_md(_partial_line(plan.targets))}\n\n"))
    deletes = [c for c in plan.changes if c.action is Action.DELETE]
    if deletes:
        sections.append(_deletes_section(deletes))
    if plan.errors:
        items = tuple(_md_item(_error_words(e)) for e in plan.errors)
        head = f"**{_plural(len(items), 'error')}** (the plan fails until they are resolved):\n\n"
        sections.append(_Section(head, items, tail="\n", more=_more_items("errors")))
    if plan.deferred:
        items = tuple(_md_item(_deferral_words(d)) for d in plan.deferred)
        head = f"**{len(items)} deferred** (not an error: each converges by itself):\n\n"
        sections.append(_Section(head, items, tail="\n", more=_more_items("deferrals")))
    if plan.changes:
        sections.append(_table_section(plan.changes))
    if plan.changes or plan.deferred or plan.errors:
        sections.append(_details_section(plan, limit))
    sections.append(_Section(f"<sub>Plan checksum: {_code(plan.checksum)}</sub>\n"))
    return sections


def _md_item(words: tuple[str, str]) -> str:
    return f"- {_code(words[0])}{_md(words[1])}\n"


def _more_items(what: str, prefix: str = "") -> Callable[[int], str]:
    return lambda n: f"{prefix}- … and {n} more {what} not shown here; to see all, {_SHOW_FULL}.\n"


def _deletes_section(deletes: Sequence[Change]) -> _Section:
    head = (
        "> [!WARNING]\n"
        f"> Applying this plan deletes {_plural(len(deletes), 'App Store version')}:\n>\n"
    )
    items = tuple(
        f"> - {_code(c.app)} {_md(c.platform)} version {_code(c.version)}"
        + (f" (id {_code(c.version_id)})" if c.version_id else "")
        + "\n"
        for c in deletes
    )
    return _Section(head, items, tail="\n", more=_more_items("deletes", prefix="> "))


def _table_section(changes: Sequence[Change]) -> _Section:
    head = "| App | Platform | Action | Version |\n| --- | --- | --- | --- |\n"
    rows = []
    for change in changes:
        version = _code(change.version)
        old = (change.before or {}).get("version")
        if change.action is Action.UPDATE and isinstance(old, str) and old != change.version:
            version = f"{_code(old)} → {version}"
        action = f"{change.action.symbol} {change.action.value}"
        rows.append(f"| {_code(change.app)} | {_md(change.platform)} | {action} | {version} |\n")
    more = _more_items("changes")
    return _Section(head, tuple(rows), tail="\n", more=lambda n: "\n" + more(n))


def _details_section(plan: Plan, limit: int) -> _Section:
    items = _diff_chunks(plan_text(plan))
    # A fence longer than any run of backticks inside, so no value can close it early.
    longest = max((len(run) for run in re.findall(r"`+", "".join(items))), default=0)
    fence = "`" * max(3, longest + 1)
    total = sum(item.count("\n") for item in items)

    def more(left_out: int) -> str:
        hidden = sum(item.count("\n") for item in items[len(items) - left_out :])
        return (
            f"> [!NOTE]\n> The full plan is too long for a comment of {limit} characters: "
            f"the last {hidden} of its {total} lines are not shown here. "
            f"To see all of it, {_SHOW_FULL}.\n\n"
        )

    folded = (
        f"> [!NOTE]\n> The full plan ({total} lines) is too long for a comment of {limit} "
        f"characters. To see it, {_SHOW_FULL}.\n\n"
    )
    head = f"<details><summary>Full plan</summary>\n\n{fence}diff\n"
    tail = "</details>\n\n"
    return _Section(head, items, f"{fence}\n\n", tail, more, folded)


def _diff_chunks(text: str) -> tuple[str, ...]:
    """The text plan in the pieces it may be cut into: a whole change block, or one line of
    the deferred and error lists; blank lines between blocks stay with the block above."""
    chunks: list[str] = []
    for block in text.rstrip("\n").split("\n\n"):
        lines = [_diff_line(line) + "\n" for line in block.split("\n")]
        if block.startswith(("Deferred:", "Errors:")):
            chunks += lines
        else:
            chunks.append("".join(lines))
        chunks[-1] += "\n"
    chunks[-1] = chunks[-1].removesuffix("\n")
    return tuple(chunks)


def _diff_line(line: str) -> str:
    """Moves a leading +, - or ~ to the first column, as `~` -> `!`, so GitHub's diff
    highlighting colours the line: added green, deleted red, changed orange."""
    match = _DIFF_MARKER.match(line)
    if not match:
        return line
    symbol = "!" if match[2] == "~" else match[2]
    return f"{symbol}{match[1]} {line[match.end() :]}"


# --- json ------------------------------------------------------------------------------------


def plan_json(plan: Plan) -> str:
    """The public, versioned JSON form (docs/plan-json.md): sorted keys, two-space indent,
    a trailing newline. Fields are named here, not taken from the models, so that a field
    added to a model never reaches the public format unless it is added here too."""
    counts = plan.summary()
    document = {
        "format_version": FORMAT_VERSION,
        "changes": [_json_item(c) for c in plan.changes],
        "deferred": [_json_item(d) for d in plan.deferred],
        "errors": [_json_item(e) for e in plan.errors],
        "summary": {key: counts[key] for key in _SUMMARY_FIELDS},
        "partial": plan.targets is not None,
        "targets": sorted(str(t) for t in plan.targets) if plan.targets is not None else None,
        "checksum": plan.checksum,
    }
    return json.dumps(document, indent=2, sort_keys=True, default=str) + "\n"


_SUMMARY_FIELDS = ("create", "update", "delete", "deferred", "errors")
_JSON_FIELDS: dict[type, tuple[str, ...]] = {
    Change: (
        *("kind", "app", "app_id", "platform", "action"),
        *("version", "version_id", "before", "after"),
    ),
    Deferral: ("app", "platform", "version", "waiting_on", "waiting_on_id", "waiting_on_state"),
    PlanProblem: ("app", "platform", "version", "rule", "message"),
}


def _json_item(item: Change | Deferral | PlanProblem) -> dict[str, Any]:
    # Platform and Action are str enums: json writes them as their values.
    return {name: getattr(item, name) for name in _JSON_FIELDS[type(item)]}
