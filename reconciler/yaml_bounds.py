"""YAML text -> composed nodes, within bounds, or the one problem that stopped it.

A manifest comes from a pull request, so its YAML is hostile input. ruamel's safe composer
(it keeps marks and skips comments in linear time) is wrapped so that nesting, the number of
values, anchors and tags are bounded and reported with file:line:column, never a crash.

Aliases are not expanded here: each use becomes an `AliasNode` that points at its anchor
and carries the alias's own position. The converter counts what they expand to.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import Node
from ruamel.yaml.reader import ReaderError

from reconciler.errors import Problem
from reconciler.manifest import short

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_VALUES",
    "AliasNode",
    "compose",
    "line_column",
]

MAX_BYTES = 2 * 1024 * 1024  # per file; a folder of files has no overall limit
MAX_DEPTH = 20  # a manifest needs 5 levels (apps, bundle id, platform, key, value)
# Keys, values and list items of one file; an alias counts as every value it repeats.
# About 5 000 apps; composing this many takes a few seconds in pure Python.
MAX_VALUES = 100_000
_YAML_KEY_LIMIT = 1024  # YAML's longest implicit (unquoted, one-line) key
# YAML 1.1 line breaks that YAML 1.2 and editors treat as ordinary characters.
_ODD_LINE_BREAKS = {
    "\x85": "U+0085 (next line)",
    "\u2028": "U+2028 (line separator)",
    "\u2029": "U+2029 (paragraph separator)",
}
_CORE_TAGS = "tag:yaml.org,2002:"


class AliasNode(Node):
    """One use of an alias (`*name`): `value` is the anchored node, the marks are the alias's."""

    __slots__ = ()
    id = "alias"


class _Stop(Exception):
    """A bound was crossed: composing stops with this problem."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _BoundedComposer(Composer):
    """ruamel's composer with a depth bound, a node budget, no tags, and alias nodes."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.warn_double_anchors = False  # YAML allows redefining an anchor
        self._nodes = 0
        self.tag_marks: list[tuple[Any, str]] = []

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        self._nodes += 1
        if self._nodes > MAX_VALUES:
            raise _Stop(event.start_mark, _too_many_values())
        if isinstance(event, AliasEvent):
            target = super().compose_node(parent, index)
            anchor = short(str(event.anchor))
            return AliasNode(target.ctag, target, event.start_mark, event.end_mark, anchor=anchor)
        if self.depth >= MAX_DEPTH:
            raise _Stop(event.start_mark, f"nested too deeply (more than {MAX_DEPTH} levels)")
        if event.ctag is not None:
            self.tag_marks.append((event.start_mark, _tag_text(event.ctag)))
            event.ctag = None  # read it as if untagged; the problem is reported
        return super().compose_node(parent, index)


def _too_many_values() -> str:
    return (
        f"too many values: a manifest file holds at most {MAX_VALUES} keys, values and list "
        "items; split it into several files in a folder"
    )


def _tag_text(tag: Any) -> str:
    handle, suffix = getattr(tag, "handle", None), str(getattr(tag, "suffix", tag))
    if handle:
        return short(f"{handle}{suffix}")
    if suffix.startswith(_CORE_TAGS):
        return short("!!" + suffix.removeprefix(_CORE_TAGS))
    return short(f"!<{suffix}>")


def compose(text: str, name: str) -> tuple[Node | None, list[Problem]]:
    """The root node of `text` (None when it holds no document), or the problems found."""
    odd = _odd_line_break(text, name)
    if odd:
        return None, [odd]
    yaml = YAML(typ="safe", pure=True)
    yaml.Composer = _BoundedComposer
    try:
        root = yaml.compose(text)
    except _Stop as stop:
        return None, [_at(name, stop.mark, stop.message)]
    except ReaderError as error:
        return None, [_reader_problem(text, name, error)]
    except MarkedYAMLError as error:
        return None, [_syntax_problem(text, name, error)]
    except YAMLError as error:  # unmarked YAML errors are rare; keep the message
        return None, [Problem(name, 1, 1, "", f"YAML error: {error}")]
    tags = [
        _at(name, mark, f"tags are not allowed ({tag}): write the value plainly, quote text")
        for mark, tag in yaml.composer.tag_marks
    ]
    return (None, tags) if tags else (root, [])


def line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of `text[index]`, lines ending at \\n, \\r\\n or \\r."""
    before = text[:index]
    line = before.count("\n") + before.count("\r") - before.count("\r\n") + 1
    start = max(before.rfind("\n"), before.rfind("\r")) + 1
    return line, index - start + 1


def _at(name: str, mark: Any, message: str) -> Problem:
    return Problem(name, mark.line + 1, mark.column + 1, "", message)


def _odd_line_break(text: str, name: str) -> Problem | None:
    found = [(text.find(ch), ch) for ch in _ODD_LINE_BREAKS if ch in text]
    if not found:
        return None
    index, character = min(found)
    line, column = line_column(text, index)
    return Problem(
        name,
        line,
        column,
        "",
        f"{_ODD_LINE_BREAKS[character]} is not allowed: YAML reads it as a line end, most "
        f"editors do not; delete it (inside double quotes, write it as \\u{ord(character):04x})",
    )


def _reader_problem(text: str, name: str, error: ReaderError) -> Problem:
    # A ReaderError has no mark, only the character's index in the text.
    line, column = line_column(text, int(error.position))
    character = chr(error.character) if isinstance(error.character, int) else "?"
    shown = character.encode("unicode_escape").decode()
    return Problem(
        name,
        line,
        column,
        "",
        f"control character {shown} (U+{ord(character):04X}) is not allowed: delete it "
        "(inside double quotes, write it as an escape)",
    )


def _syntax_problem(text: str, name: str, error: MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = error.problem or "invalid YAML"
    if "'\\t'" in problem:
        return Problem(name, line, column, "", "tab character: YAML indents with spaces only")
    context = f" ({error.context})" if error.context else ""
    hint = ""
    key_problem = problem.startswith(("could not find expected ':'", "mapping values are not"))
    if key_problem and mark and _longest_line_around(text, mark.index) > _YAML_KEY_LIMIT:
        hint = (
            f"; a key longer than {_YAML_KEY_LIMIT} characters is not allowed in YAML "
            "(use a shorter key)"
        )
    return Problem(name, line, column, "", f"YAML syntax error: {problem}{context}{hint}")


def _longest_line_around(text: str, index: int) -> int:
    """The length of the line holding `index` and of the line before it."""
    start = text.rfind("\n", 0, index)
    previous = text.rfind("\n", 0, max(start, 0))
    end = text.find("\n", index)
    end = len(text) if end < 0 else end
    lines = text[previous + 1 : end].split("\n")
    return max(len(line) for line in lines)
