"""`import --update`: refresh some apps in a manifest a person wrote, and keep every other byte.

The file is read as the loader reads it (bounded composition, then plain values), and edited as
text, line by line: a key whose value already means what App Store Connect holds is not
touched, so comments, blank lines, quoting, key order, other apps and `defaults` stay exactly as
written. Only a value that differs is rewritten (a one-line value keeps its comment), a key
that must go is removed, a missing one is added in the schema's order, and an app the file
lacks is appended under `apps:`. Values a file's `defaults` give are not repeated. Text in,
text out: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from reconciler.import_yaml import (
    NO_VERSION,
    app_lines,
    entry_values,
    key_lines,
    key_text,
    platform_lines,
    same_as_default,
    state_comment,
)
from reconciler.importer import KEY_ORDER, ImportedApp, ImportedPlatform
from reconciler.kinds.version import normalise_text
from reconciler.kinds.version_states import (
    APP_STORE_STATE_NAMES,
    DONE_STATES,
    EDITABLE_STATES,
    IN_FLIGHT_STATES,
)
from reconciler.manifest import DEFAULT_LOCALE, Platform
from reconciler.yaml_bounds import AliasNode, compose
from reconciler.yaml_values import convert

__all__ = ["update_document"]

_DEFAULT_KEYS = ("release_type", "earliest_release_date", "copyright")
# Our state comment (`# READY_FOR_DISTRIBUTION (live)`): only Apple's state names, so that a
# person's `# TODO` or `# FROZEN` stays.
_STATE_NAMES = sorted(
    EDITABLE_STATES | IN_FLIGHT_STATES | DONE_STATES | set(APP_STORE_STATE_NAMES.values()),
    key=len,
    reverse=True,
)
_STATE_COMMENT = re.compile(rf"# ({'|'.join(_STATE_NAMES)})( \(live\))?\s*")


@dataclass(frozen=True)
class _Edit:
    """Replace lines [start, end) (0-based) with `lines`; start == end inserts."""

    start: int
    end: int
    lines: list[str]


def update_document(text: str, apps: Iterable[ImportedApp], *, name: str = "manifest") -> str:
    """`text` with `apps` refreshed (or appended); ValueError when the file cannot be read as
    a manifest to refresh."""
    root, problems = compose(text, name)
    if problems:
        raise ValueError(str(problems[0]))
    if not isinstance(root, MappingNode):
        raise ValueError("expected a manifest: a mapping with `format` and `apps`")
    data, _, problems = convert(root, name)
    if problems:
        raise ValueError(str(problems[0]))
    top = _pairs(root)
    if "apps" not in top:
        raise ValueError("no `apps:` to refresh")
    defaults = _defaults(data.get("defaults"))
    lines = text.splitlines(keepends=True)
    editor = _Editor(lines, defaults, _newline(text))
    editor.refresh_all(top["apps"], data.get("apps"), list(apps))
    return editor.result()


def _defaults(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        return {}
    return {k: raw[k] for k in _DEFAULT_KEYS if raw.get(k) is not None}


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text.split("\n", 1)[0] + "\n" else "\n"


def _pairs(node: MappingNode) -> dict[str, tuple[Node, Node]]:
    """A mapping node's entries by key text."""
    return {
        str(key.value): (key, value) for key, value in node.value if isinstance(key, ScalarNode)
    }


def _last_line(node: Node) -> int:
    """The 0-based line a value ends on (a block scalar's mark sits on the next line)."""
    if isinstance(node, MappingNode) and node.value and not node.flow_style:
        return _pair_end(*node.value[-1])
    end = node.end_mark
    line = end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line
    return int(line)


def _pair_end(key: Node, value: Node) -> int:
    """The 0-based line a mapping entry ends on: an empty value's mark is the next token's."""
    if isinstance(value, ScalarNode) and value.value == "" and value.style is None:
        return int(key.start_mark.line)
    return _last_line(value)


def _block_mapping(node: Node) -> TypeGuard[MappingNode]:
    return isinstance(node, MappingNode) and bool(node.value) and not node.flow_style


def _check_plain(node: Node, where: str) -> None:
    """A refreshed app is edited as text: an anchor or alias there would change meaning."""
    if isinstance(node, AliasNode) or getattr(node, "anchor", None):
        raise ValueError(f"{where} uses a YAML anchor or alias: refresh it by hand, or with --out")
    if isinstance(node, MappingNode):
        for key, value in node.value:
            _check_plain(key, where)
            _check_plain(value, where)
    elif isinstance(node.value, list):
        for item in node.value:
            _check_plain(item, where)


class _Editor:
    def __init__(self, lines: list[str], defaults: dict[str, Any], newline: str) -> None:
        self.lines = lines
        self.defaults = defaults
        self.newline = newline
        self.edits: list[_Edit] = []

    def result(self) -> str:
        lines = list(self.lines)
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += self.newline  # appended lines start on a line of their own
        # From the end, so that earlier line numbers hold; edits at one place keep their order.
        order = sorted(enumerate(self.edits), key=lambda e: (e[1].start, e[1].end, e[0]))
        for _, edit in reversed(order):
            lines[edit.start : edit.end] = [line + self.newline for line in edit.lines]
        return "".join(lines)

    def refresh_all(self, apps_pair: tuple[Node, Node], data: Any, apps: list[ImportedApp]) -> None:
        apps_key, apps_node = apps_pair
        if isinstance(apps_node, MappingNode) and apps_node.flow_style and apps_node.value:
            raise ValueError(
                "`apps:` is written in flow style ({…}): write it as a block mapping to refresh it"
            )
        declared = _pairs(apps_node) if isinstance(apps_node, MappingNode) else {}
        if declared:
            indent = int(next(iter(declared.values()))[0].start_mark.column)
        else:
            indent = int(apps_key.start_mark.column) + 2
        step = _step(declared, indent)
        values = data if isinstance(data, dict) else {}
        appended: list[str] = []
        for app in apps:
            if app.refused:
                continue  # the command says why; nothing a manifest can name
            written = _spelled(declared, app.bundle_id)
            if written is None:
                appended += app_lines(app, indent=indent, step=step, defaults=self.defaults)
                continue
            key, node = declared[written]
            _check_plain(node, f"apps.{written}")
            if written != app.bundle_id:  # plan matches bundle ids exactly: Apple's spelling
                self.edits.append(
                    _Edit(
                        key.start_mark.line,
                        key.start_mark.line + 1,
                        [
                            self._line(key.start_mark.line)[: key.start_mark.column]
                            + key_text(app.bundle_id)
                            + self._line(key.start_mark.line)[key.end_mark.column :]
                        ],
                    )
                )
            self._refresh_app(app, key, node, values.get(written), step)
        if appended:
            self._append(apps_key, apps_node, appended)

    def _end(self, key: Node, value: Node) -> int:
        """The last line of an entry, without the blank lines a block scalar's mark takes in."""
        row = _pair_end(key, value)
        while row > key.start_mark.line and not self.lines[row].strip():
            row -= 1
        return row

    def _line(self, row: int) -> str:
        return self.lines[row].rstrip("\r\n")

    def _append(self, apps_key: Node, apps_node: Node, lines: list[str]) -> None:
        if _block_mapping(apps_node):
            at = self._after_comments(_last_line(apps_node), apps_key.start_mark.column)
        elif isinstance(apps_node, MappingNode):  # `apps: {}`, as import writes an empty account
            row = apps_node.start_mark.line
            line = self._line(row)
            start, end = apps_node.start_mark.column, apps_node.end_mark.column
            rest = line[end:].strip()
            comment = f"  {rest}" if rest.startswith("#") else ""
            self.edits.append(_Edit(row, row + 1, [line[:start].rstrip() + comment]))
            at = row + 1
        else:  # `apps:` with nothing under it yet
            at = apps_key.start_mark.line + 1
        self.edits.append(_Edit(at, at, lines))

    def _after_comments(self, row: int, column: int) -> int:
        """The line after `row` and the comments indented under a key at `column` that follow
        it: they belong to what is above them."""
        end = row + 1
        for index in range(row + 1, len(self.lines)):
            line = self.lines[index]
            stripped = line.lstrip(" ")
            if not stripped.strip():
                continue
            if not stripped.startswith("#") or len(line) - len(stripped) <= column:
                break
            end = index + 1
        return end

    def _replace(self, key: Node, value: Node, lines: list[str]) -> None:
        self.edits.append(_Edit(key.start_mark.line, self._end(key, value) + 1, lines))

    def _refresh_app(self, app: ImportedApp, key: Node, node: Node, data: Any, step: int) -> None:
        indent = int(key.start_mark.column)
        if not _block_mapping(node):
            self._replace(
                key, node, app_lines(app, indent=indent, step=step, defaults=self.defaults)
            )
            return
        entries = _pairs(node)
        inner = int(node.value[0][0].start_mark.column)  # this app's own indentation
        step = inner - indent
        if app.app_id:
            id_lines = key_lines("app_id", app.app_id, indent=inner, step=step)
            if "app_id" not in entries:  # the app's id is checked against its bundle id
                at = key.start_mark.line + 1
                self.edits.append(_Edit(at, at, id_lines))
            elif str(data.get("app_id")) != app.app_id:
                self._set_scalar(*entries["app_id"], id_lines)
        previous = entries.get("app_id")
        last_row = _last_line(node)
        for platform in Platform:
            wanted = app.platforms.get(platform)
            written = entries.get(platform.value)
            if platform in app.unreadable:
                previous = written or previous
                continue  # a version a manifest cannot name: what the person wrote stays
            if written is None:
                if wanted is not None:
                    self._drop_no_version_comment(platform, key.start_mark.line, last_row)
                    at = self._end(*previous) + 1 if previous else key.start_mark.line + 1
                    lines = platform_lines(
                        platform, wanted, indent=inner, step=step, defaults=self.defaults
                    )
                    self.edits.append(_Edit(at, at, lines))
                continue
            previous = written
            entry_key, entry_node = written
            if wanted is None:
                if isinstance(entry_node, MappingNode):  # a version the account no longer has
                    comment = [f"{' ' * inner}# {platform.value}: {NO_VERSION}"]
                    self._replace(entry_key, entry_node, comment)
                continue
            if isinstance(entry_node, ScalarNode) and wanted.state not in EDITABLE_STATES:
                continue  # `absent` with nothing editable there: it already plans nothing
            entry_data = data.get(platform.value)
            if _block_mapping(entry_node) and isinstance(entry_data, dict):
                self._refresh_platform(wanted, entry_key, entry_node, entry_data, step)
            elif not (isinstance(entry_data, dict) and self._all_same(entry_data, wanted)):
                lines = platform_lines(
                    platform, wanted, indent=inner, step=step, defaults=self.defaults
                )
                self._replace(entry_key, entry_node, lines)

    def _drop_no_version_comment(self, platform: Platform, first: int, last: int) -> None:
        """Our `# tvos: no App Store version yet` goes once the platform has one."""
        for row in range(first, min(last + 2, len(self.lines))):
            if self._line(row).strip() == f"# {platform.value}: {NO_VERSION}":
                self.edits.append(_Edit(row, row + 1, []))

    def _all_same(self, data: dict[str, Any], wanted: ImportedPlatform) -> bool:
        written = {**self._filled(data), **data}
        return all(
            _means_the_same(n, written.get(n), wanted.values.get(n), wanted) for n in KEY_ORDER
        )

    def _refresh_platform(
        self,
        wanted: ImportedPlatform,
        key: Node,
        node: MappingNode,
        data: dict[str, Any],
        step: int,
    ) -> None:
        self._state_comment(key, wanted)
        entries = _pairs(node)
        indent = node.value[0][0].start_mark.column
        values = entry_values(wanted, self.defaults)
        written = {**self._filled(data), **data}
        previous: tuple[Node, Node] | None = None
        for name in KEY_ORDER:
            pair = entries.get(name)
            if not _means_the_same(name, written.get(name), wanted.values.get(name), wanted):
                new = (
                    key_lines(name, values[name], indent=indent, step=step)
                    if name in values
                    else []
                )
                texts = values.get(name)
                if pair is not None and isinstance(texts, dict) and _per_locale(pair[1]):
                    self._refresh_texts(pair[1], texts, step)
                elif pair is not None:
                    self._set_scalar(*pair, new)
                elif new:
                    at = self._end(*previous) + 1 if previous else key.start_mark.line + 1
                    self.edits.append(_Edit(at, at, new))
            if pair is not None:
                previous = pair

    def _refresh_texts(self, node: MappingNode, wanted: dict[str, str], step: int) -> None:
        """Release notes or promotional text, locale by locale: a locale whose text is Apple's
        stays as written (comments, quoting, block style), one that differs is rewritten,
        one Apple lacks goes, a new one is added at the end."""
        entries = _pairs(node)
        indent = int(node.value[0][0].start_mark.column)
        for locale, (key, value) in entries.items():
            text = value.value if isinstance(value, ScalarNode) else None
            if locale not in wanted:
                self._replace(key, value, [])
            elif normalise_text(text) != wanted[locale]:
                self._set_scalar(
                    key, value, key_lines(locale, wanted[locale], indent=indent, step=step)
                )
        added = [
            line
            for locale, text in wanted.items()
            if locale not in entries
            for line in key_lines(locale, text, indent=indent, step=step)
        ]
        if added:
            at = self._end(*node.value[-1]) + 1
            self.edits.append(_Edit(at, at, added))

    def _filled(self, data: dict[str, Any]) -> dict[str, Any]:
        """What the file's defaults give an entry (as the loader fills them)."""
        scheduled = data.get("release_type", self.defaults.get("release_type")) == "scheduled"
        return {k: v for k, v in self.defaults.items() if k != "earliest_release_date" or scheduled}

    def _set_scalar(self, key: Node, value: Node, lines: list[str]) -> None:
        """Replace a key and its value; the comment on the key's line stays there."""
        comment = self._comment_after(key, value)
        if comment and lines and (len(lines) == 1 or lines[0].endswith(":")):
            lines = [lines[0] + comment, *lines[1:]]
        self._replace(key, value, lines)

    def _comment_after(self, key: Node, value: Node) -> str:
        """`   # …` after a one-line value, or after the key of a value on lines below."""
        row = key.start_mark.line
        if value.start_mark.line == row == _last_line(value):
            start = value.end_mark.column
        elif self._end(key, value) == row or value.start_mark.line > row:
            start = self.lines[row].find(":", key.end_mark.column) + 1
        else:
            return ""  # a block scalar's indicator: its comment goes with it
        rest = self.lines[row][start:].rstrip("\r\n")
        return rest if rest.strip().startswith("#") else ""

    def _state_comment(self, key: Node, wanted: ImportedPlatform) -> None:
        """The state comment on a platform key: ours is refreshed, a person's is kept."""
        row = key.start_mark.line
        line = self._line(row)
        head, _, comment = line.partition("#")
        if comment and not _STATE_COMMENT.fullmatch("#" + comment):
            return
        new = f"{head.rstrip()}  {state_comment(wanted)}"
        if new != line:
            self.edits.append(_Edit(row, row + 1, [new]))


def _step(declared: Mapping[str, tuple[Node, Node]], indent: int) -> int:
    """The file's indentation step, from an app's first key (2 when none tells)."""
    for _, node in declared.values():
        if _block_mapping(node):
            return max(int(node.value[0][0].start_mark.column) - indent, 1)
    return 2


def _per_locale(node: Node) -> TypeGuard[MappingNode]:
    """A mapping of locales to plain texts, written as a block, without `default`: it can be
    refreshed locale by locale."""
    return (
        _block_mapping(node)
        and DEFAULT_LOCALE not in _pairs(node)
        and all(isinstance(v, ScalarNode) for _, v in node.value)
    )


def _spelled(declared: Mapping[str, Any], bundle_id: str) -> str | None:
    """How the file spells an app: exactly, else in other letter case (Apple's ids ignore it)."""
    if bundle_id in declared:
        return bundle_id
    return next((b for b in declared if b.lower() == bundle_id.lower()), None)


def _means_the_same(name: str, written: Any, wanted: Any, entry: ImportedPlatform) -> bool:
    """Whether a person's value (with defaults filled in) plans as App Store Connect holds."""
    if name in ("release_notes", "promotional_text"):
        return _texts_mean(written, name, entry) == _texts_mean(wanted, name, entry)
    if written is None or wanted is None:
        if name == "phased_release" and written in (False, "complete"):
            # Nothing to do: false with none, or false or complete once the rollout finished
            # (import leaves a COMPLETE rollout of a live version out).
            finished = entry.rollout == "COMPLETE"
            return finished or (written is False and entry.rollout is None)
        if name == "copyright":
            return normalise_text(written) == normalise_text(wanted)
        return written is None and wanted is None
    if name == "earliest_release_date":
        return same_as_default(name, wanted, written)
    if name == "copyright":
        return normalise_text(str(written)) == normalise_text(str(wanted))
    if name == "release_type":
        return str(written).lower() == str(wanted).lower()
    if name == "phased_release":
        return written == wanted and type(written) is type(wanted)
    return str(written) == str(wanted)


def _texts_mean(value: Any, name: str, entry: ImportedPlatform) -> dict[str, str | None] | None:
    """Texts per locale as plan reads them (`default` expanded over the version's locales);
    None when plan would not accept them here (unknown locale, notes on a first version)."""
    if not isinstance(value, dict) or not value:
        return {}
    if name == "release_notes" and entry.first:
        return None
    texts = dict(value)
    default = texts.pop(DEFAULT_LOCALE, None) if name == "release_notes" else None
    if not set(texts) <= set(entry.locales):
        return None
    locales = set(texts) | (set(entry.locales) if default is not None else set())
    meant = {loc: normalise_text(str(texts.get(loc, default))) for loc in locales}
    return {loc: text for loc, text in meant.items() if text is not None}
