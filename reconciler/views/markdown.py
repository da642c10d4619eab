"""The plan as a pull-request comment (GitHub markdown), cut to fit. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reconciler.kinds import ORDER, kind
from reconciler.plan import Action, Change, Plan
from reconciler.views.text import change_id, describe, plan_text
from reconciler.views.words import (
    MARKDOWN_LIMIT,
    action_symbol,
    action_word,
    clean,
    deferral_words,
    error_words,
    partial_line,
    plural,
    summary_line,
)

__all__ = ["plan_markdown"]

_MD_SPECIAL = re.compile(r"([\\`*_~<>\[\]|#])")
# A change's marker, at the start of its title (no indent), an attribute (4) or a line of
# multi-line text (8, marker alone on an empty line); never a text's own unchanged line (10).
_DIFF_MARKER = re.compile(r"^((?:    ){0,2})([-+~])(?: |$)")
_SHOW_FULL = "run `reconciler plan --out plan.json`, then `reconciler show plan.json`"


def _md(text: str) -> str:
    """Inline markdown that shows `text` literally (no links, HTML, emphasis or table cells)."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text))


def _code(text: str) -> str:
    """A code span; a `|` in it is escaped, since GitHub ends a table cell there even so."""
    cleaned = clean(text)
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
    sections = [_Section(f"## App Store Connect plan\n\n**{_md(summary_line(plan))}**\n\n")]
    if plan.targets is not None:
        sections.append(_Section(f"> [!IMPORTANT]\n> {_md(partial_line(plan.targets))}\n\n"))
    deletes = [c for c in plan.changes if c.action is Action.DELETE]
    if deletes:
        sections.append(_deletes_section(deletes))
    if plan.errors:
        items = tuple(_md_item(error_words(e)) for e in plan.errors)
        head = f"**{plural(len(items), 'error')}** (the plan fails until they are resolved):\n\n"
        sections.append(_Section(head, items, tail="\n", more=_more_items("errors")))
    if plan.deferred:
        items = tuple(_md_item(deferral_words(d)) for d in plan.deferred)
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
    head = f"> [!WARNING]\n> Applying this plan deletes {_deleted(deletes)}:\n>\n"
    items = tuple(f"> - {_deleted_item(c)}\n" for c in deletes)
    return _Section(head, items, tail="\n", more=_more_items("deletes", prefix="> "))


def _deleted(deletes: Sequence[Change]) -> str:
    """`2 App Store versions and 1 phased release`, kinds in ORDER."""
    counts = [(name, sum(1 for c in deletes if c.kind == name)) for name in ORDER]
    nouns = [
        plural(count, "App Store version" if name == "version" else kind(name).noun)
        for name, count in counts
        if count
    ]
    return ", ".join(nouns[:-1]) + " and " + nouns[-1] if len(nouns) > 1 else nouns[0]


def _deleted_item(change: Change) -> str:
    version = change.kind == "version"
    what = f"version {_code(change.version)}" if version else _md(describe(change))
    shown_id = change_id(change)
    return f"{_code(change.app)} {_md(change.platform)} {what}" + (
        f" (id {_code(shown_id)})" if shown_id else ""
    )


def _table_section(changes: Sequence[Change]) -> _Section:
    head = "| App | Platform | Action | Version |\n| --- | --- | --- | --- |\n"
    rows = []
    for change in changes:
        version = _code(change.version)
        old = (change.before or {}).get("version")
        if change.action is Action.UPDATE and isinstance(old, str) and old != change.version:
            version = f"{_code(old)} → {version}"
        action = f"{action_symbol(change)} {action_word(change)}"
        if change.kind != "version":  # what is written: "~ update localization de-DE of 2.5.0"
            action += " " + _md(describe(change))
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
    rest = line[match.end() :]
    return f"{symbol}{match[1]} {rest}" if rest else symbol  # an empty line of a text
