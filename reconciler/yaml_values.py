"""Composed YAML nodes -> plain values (dict, list, str, int, float, bool, None), with the
position of every key and value, and problems for what a manifest does not allow.

This, not ruamel's constructor, decides what a scalar is, so that YAML's implicit types
never crash: text that looks like a number but is not one Python can read (`0x_`, `1:30`,
5 000 digits) stays text, as YAML 1.2 reads it. Aliases are expanded here, within a budget
and without following a cycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.errors import Problem
from reconciler.manifest import short
from reconciler.yaml_bounds import MAX_DEPTH, MAX_VALUES, AliasNode

__all__ = ["Marks", "Number", "convert"]

_TAG = "tag:yaml.org,2002:"
_TRUE = {"true", "yes", "on", "y"}  # YAML 1.1 spellings too, for `%YAML 1.1` files


@dataclass(frozen=True)
class Marks:
    """1-based positions of a mapping entry's key and value."""

    key: tuple[int, int]
    value: tuple[int, int]


class Number(float):
    """A YAML float that remembers how it was written, so errors quote `2.10`, not 2.1."""

    text: str

    def __new__(cls, value: float, text: str) -> Number:
        number = super().__new__(cls, value)
        number.text = text
        return number

    def __repr__(self) -> str:
        return self.text


class _Abort(Exception):
    """Aliases went past a bound: conversion stops with this one problem."""

    def __init__(self, where: tuple[int, int], message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


def convert(root: Node, name: str) -> tuple[Any, dict[tuple[Any, ...], Marks], list[Problem]]:
    """The plain value of `root`, the marks of every path in it, and the problems found."""
    converter = _Converter(name)
    try:
        data = converter.value(root, ())
    except _Abort as abort:
        return None, {}, [Problem(name, *abort.where, "", abort.message)]
    return data, converter.marks, converter.problems


class _Converter:
    def __init__(self, name: str) -> None:
        self.name = name
        self.marks: dict[tuple[Any, ...], Marks] = {(): Marks((1, 1), (1, 1))}
        self.problems: list[Problem] = []
        self._values = 0
        self._open: set[int] = set()  # collections being converted: an alias to one is a cycle
        self._aliases: list[tuple[int, int]] = []  # where the aliases being expanded are

    def value(self, node: Node, path: tuple[Any, ...]) -> Any:
        if isinstance(node, AliasNode):
            return self._alias(node, path)  # counts what it repeats, not itself
        self._count(node)
        if isinstance(node, MappingNode | SequenceNode):
            return self._collection(node, path)
        return _scalar(node)

    def _collection(self, node: MappingNode | SequenceNode, path: tuple[Any, ...]) -> Any:
        # The composer bounded the depth of the text; aliases nested in aliases go deeper.
        if len(self._open) >= MAX_DEPTH:
            self._abort(node, f"nested too deeply through aliases (more than {MAX_DEPTH} levels)")
        self._open.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            return self._sequence(node, path)
        finally:
            self._open.discard(id(node))

    def _count(self, node: Node) -> None:
        # Without aliases this counts what the composer already bounded; with them, it
        # stops an alias bomb before it is expanded.
        self._values += 1
        if self._values > MAX_VALUES:
            self._abort(
                node,
                f"too many aliases: they expand to more than {MAX_VALUES} values; write the "
                "repeated parts out, or use `defaults`",
            )

    def _abort(self, node: Node, message: str) -> None:
        # Named at the outermost alias being expanded: that is the text to rewrite.
        raise _Abort(self._aliases[0] if self._aliases else _pos(node), message)

    def _alias(self, node: AliasNode, path: tuple[Any, ...]) -> Any:
        if id(node.value) in self._open:
            self._problem(_pos(node), path, f"alias *{node.anchor} refers to itself (a cycle)")
            return None
        self._aliases.append(_pos(node))
        try:
            return self.value(node.value, path)
        finally:
            self._aliases.pop()

    def _sequence(self, node: SequenceNode, path: tuple[Any, ...]) -> list[Any]:
        items = []
        for index, item in enumerate(node.value):
            self.marks[(*path, index)] = Marks(_pos(item), _pos(item))
            items.append(self.value(item, (*path, index)))
        return items

    def _mapping(self, node: MappingNode, path: tuple[Any, ...]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        seen: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            here = _pos(key_node)
            key = self._key(key_node, path)
            if key is None:
                continue
            if key in seen:
                line, column = seen[key]
                self._problem(
                    here,
                    (*path, key),
                    f"duplicate key: first defined at line {line}, column {column}",
                )
                continue
            seen[key] = here
            self.marks[(*path, key)] = Marks(here, _pos(value_node))
            result[key] = self.value(value_node, (*path, key))
        return result

    def _key(self, node: Node, path: tuple[Any, ...]) -> str | None:
        """The text of a key node, or None with the problem recorded."""
        here = _pos(node)
        self._count(node)
        target = node.value if isinstance(node, AliasNode) else node
        if target.tag == _TAG + "merge":
            self._problem(here, path, "merge keys (<<) are not allowed: write the keys out")
            return None
        if not isinstance(target, ScalarNode):
            kind = "a mapping" if isinstance(target, MappingNode) else "a list"
            self._problem(here, path, f"keys must be text, got {kind}")
            return None
        key = _scalar(target)
        if not isinstance(key, str):
            written = short(str(target.value)) or "nothing"
            self._problem(here, path, f"keys must be text, got {written}: put it in quotes")
            return None
        return key

    def _problem(self, where: tuple[int, int], path: Iterable[Any], message: str) -> None:
        dotted = ".".join(str(p) for p in path)
        self.problems.append(Problem(self.name, where[0], where[1], dotted, message))


def _pos(node: Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _scalar(node: Node) -> Any:
    text = str(node.value)
    tag = node.tag
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        return text.lower() in _TRUE
    if tag == _TAG + "int":
        return _integer(text)
    if tag == _TAG + "float":
        try:
            return Number(float(text.replace("_", "")), text)
        except ValueError:
            return text
    return text  # strings, and timestamps kept as written (the models parse them)


def _integer(text: str) -> int | str:
    """The integer YAML means, or the text itself when Python cannot read it as one."""
    digits = text.replace("_", "")
    for base in (0, 10):  # 0: 0x/0o/0b prefixes; 10: leading zeros, as YAML 1.2 reads them
        try:
            return int(digits, base)
        except ValueError:  # also raised past Python's 4300-digit limit
            continue
    return text
