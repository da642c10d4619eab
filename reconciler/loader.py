"""The only reader of manifest files: YAML text -> `Manifest`, or a `ManifestError` that
lists every problem with file:line:column and the field path.

ruamel.yaml composes the file into nodes (which carry their marks); this module turns nodes
into plain values itself, so that duplicate keys, merge keys and YAML's implicit types
become our errors with positions, and pydantic error locations map back to those positions.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.errors import ManifestError, Problem
from reconciler.manifest import (
    FORMATS,
    AppEntry,
    Defaults,
    Manifest,
    ManifestFile,
    Platform,
    PlatformRelease,
    SourceLocation,
)

__all__ = ["DEFAULT_PATH", "discover", "load_manifest"]

DEFAULT_PATH = Path("releases.yaml")
_SUFFIXES = (".yaml", ".yml")
# Discriminator tags that pydantic puts into error locations; they are not manifest keys.
_UNION_TAGS = {"absent", "release"}
_FIELD_MODELS: dict[int, type[BaseModel]] = {0: ManifestFile, 2: AppEntry, 3: PlatformRelease}


@dataclass(frozen=True)
class _Marks:
    """1-based positions of a mapping entry's key and value."""

    key: tuple[int, int]
    value: tuple[int, int]


class _Number(float):
    """A YAML float that remembers how it was written, so errors quote `2.10`, not 2.1."""

    text: str

    def __new__(cls, value: float, text: str) -> _Number:
        number = super().__new__(cls, value)
        number.text = text
        return number

    def __repr__(self) -> str:
        return self.text


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand folders into their manifest files (recursively, sorted, hidden folders skipped)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in _SUFFIXES
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                problems.append(_whole(path, "folder holds no manifest (*.yaml or *.yml)"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(_whole(path, "no such file or folder"))
    return list(dict.fromkeys(files)), problems


def load_manifest(paths: Sequence[Path]) -> Manifest:
    """Read every manifest under `paths` into one Manifest, or raise ManifestError."""
    files, problems = discover(paths)
    apps: dict[str, AppEntry] = {}
    locations: dict[str, SourceLocation] = {}
    for file in files:
        loaded, file_problems = _load_file(file)
        problems.extend(file_problems)
        for bundle_id, (entry, where) in loaded.items():
            if bundle_id in locations:
                first = locations[bundle_id]
                problems.append(
                    Problem(
                        where.file,
                        where.line,
                        where.column,
                        f"apps.{bundle_id}",
                        f"app declared twice: also at {first}",
                    )
                )
                continue
            apps[bundle_id] = entry
            locations[bundle_id] = where
    if problems:
        raise ManifestError(problems)
    order = sorted(apps)
    return Manifest(apps={b: apps[b] for b in order}, locations={b: locations[b] for b in order})


def _whole(path: Path, message: str) -> Problem:
    return Problem(str(path), 0, 0, "", message)


def _load_file(path: Path) -> tuple[dict[str, tuple[AppEntry, SourceLocation]], list[Problem]]:
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        return {}, [_whole(path, f"cannot read: {error.strerror}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return {}, [Problem(name, line, column, "", "not UTF-8 text: save the file as UTF-8")]
    try:
        root = YAML(typ="rt").compose(text)
    except MarkedYAMLError as error:
        return {}, [_syntax_problem(name, error)]
    except YAMLError as error:  # unmarked YAML errors are rare; keep the message
        return {}, [Problem(name, 1, 1, "", f"YAML error: {error}")]
    if root is None:
        return {}, [Problem(name, 1, 1, "", "file is empty: a manifest starts with `format: 1`")]
    converter = _Converter(name)
    data = converter.convert(root, ())
    problems = converter.problems
    if not isinstance(data, dict):
        return {}, [
            Problem(name, 1, 1, "", "expected a mapping with `format` and `apps` at the top")
        ]
    if problems:
        return {}, problems
    format_problem = _check_format(name, data, converter.marks)
    if format_problem:
        return {}, [format_problem]
    _fill_defaults(data, converter.marks)
    try:
        manifest_file = ManifestFile.model_validate(data)
    except ValidationError as error:
        return {}, [_validation_problem(name, e, data, converter.marks) for e in error.errors()]
    result = {}
    for bundle_id, entry in manifest_file.apps.items():
        line, column = converter.marks[("apps", bundle_id)].key
        result[bundle_id] = (entry, SourceLocation(file=name, line=line, column=column))
    return result, []


def _syntax_problem(name: str, error: MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = error.problem or "invalid YAML"
    if "'\\t'" in problem:
        return Problem(name, line, column, "", "tab character: YAML indents with spaces only")
    context = f" ({error.context})" if error.context else ""
    return Problem(name, line, column, "", f"YAML syntax error: {problem}{context}")


def _check_format(
    name: str, data: dict[str, Any], marks: dict[tuple[Any, ...], _Marks]
) -> Problem | None:
    known = ", ".join(str(f) for f in FORMATS)
    if "format" not in data:
        return Problem(
            name,
            1,
            1,
            "format",
            f"missing: add `format: 1` at the top (formats this reconciler reads: {known})",
        )
    if data["format"] not in FORMATS or isinstance(data["format"], bool):
        line, column = marks[("format",)].value
        return Problem(
            name,
            line,
            column,
            "format",
            f"unknown format {data['format']!r} (formats this reconciler reads: {known})",
        )
    return None


def _fill_defaults(data: dict[str, Any], marks: dict[tuple[Any, ...], _Marks]) -> None:
    """Fill each platform entry's missing keys from the file's `defaults`, when those are valid.

    A filled key keeps the position of the default, so an error it causes points there.
    An earliest_release_date default only fills entries that end up scheduled.
    """
    raw = data.get("defaults")
    if raw is None:
        return
    try:
        defaults = Defaults.model_validate(raw)
    except ValidationError:
        return  # the full validation below reports what is wrong with them
    values = {k: raw[k] for k in defaults.model_fields_set if raw.get(k) is not None}
    apps = data.get("apps")
    if not isinstance(apps, dict):
        return
    for bundle_id, app in apps.items():
        if not isinstance(app, dict):
            continue
        for platform in Platform:
            entry = app.get(platform.value)
            if not isinstance(entry, dict):
                continue
            for key, value in values.items():
                if key in entry:
                    continue
                if (
                    key == "earliest_release_date"
                    and entry.get("release_type", values.get("release_type")) != "scheduled"
                ):
                    continue
                entry[key] = value
                marks[("apps", bundle_id, platform.value, key)] = marks[("defaults", key)]


def _validation_problem(
    name: str, error: Any, data: dict[str, Any], marks: dict[tuple[Any, ...], _Marks]
) -> Problem:
    path: list[Any] = []
    node: Any = data
    for part in error["loc"]:
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif part in _UNION_TAGS or part == "[key]":
            continue
        else:
            path.append(part)
            node = None
    kind = error["type"]
    key = tuple(path)
    if kind == "missing":
        parent = key[:-1]
        spot = marks[parent].key if parent in marks else (1, 1)
    elif kind == "extra_forbidden" or "[key]" in error["loc"]:
        spot = marks[key].key
    elif key in marks:
        # A mapping is named by its key ("ios:"), a scalar by its value.
        spot = marks[key].key if isinstance(node, dict | list) else marks[key].value
    else:
        spot = (1, 1)
    message = _message(error, key)
    return Problem(name, spot[0], spot[1], ".".join(str(p) for p in key), message)


def _message(error: Any, key: tuple[Any, ...]) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        return _unknown_key(key)
    if kind == "missing":
        return "missing: this key is required"
    if kind == "string_pattern_mismatch":
        return _pattern_message(key, value)
    platform_level = len(key) == 3 and key[0] == "apps" and key[-1] in {p.value for p in Platform}
    if platform_level and kind in {"literal_error", "model_type", "dict_type"}:
        return f'expected a mapping with `version`, or "absent"; got {value!r}'
    if kind == "enum":
        return f"unknown value {value!r}: expected one of {error['ctx']['expected']}"
    if kind == "timezone_aware":
        return f"{value!r} has no UTC offset: write it like 2026-12-01T09:00:00-08:00 or ...Z"
    if kind.startswith("datetime"):
        return f"{value!r} is not a date-time: write it like 2026-12-01T09:00:00-08:00"
    if kind in {"model_type", "dict_type"}:
        return f"expected a mapping, got {value!r}"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return str(error["msg"])


def _unknown_key(key: tuple[Any, ...]) -> str:
    model = _FIELD_MODELS.get(len(key) - 1)
    if len(key) == 2 and key[0] == "defaults":
        model = Defaults
    if len(key) == 4 and key[0] == "apps":
        model = PlatformRelease
    if model is None:
        return "unknown key"
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(str(key[-1]), allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown key (did you mean '{close[0]}'?)"
    what = "key or platform" if model is AppEntry else "key"
    return f"unknown {what} (expected one of: {', '.join(allowed)})"


def _pattern_message(key: tuple[Any, ...], value: Any) -> str:
    if key and key[-1] == "version":
        return (
            f"{value!r} is not a version: use 1 to 3 dot-separated integers without leading "
            'zeros, e.g. "2.4.0"'
        )
    if len(key) == 2 and key[0] == "apps":
        return f"{value!r} is not a bundle id (reverse-DNS, e.g. com.example.app)"
    if key and key[-1] == "app_id":
        return f"{value!r} is not an app id: Apple's app ids are digits only"
    return f"{value!r} does not have the expected form"


class _Converter:
    """Turns composed YAML nodes into plain values, recording marks and problems."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.marks: dict[tuple[Any, ...], _Marks] = {(): _Marks((1, 1), (1, 1))}
        self.problems: list[Problem] = []

    def convert(self, node: Node, path: tuple[Any, ...]) -> Any:
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.marks[(*path, index)] = _Marks(_pos(item), _pos(item))
                items.append(self.convert(item, (*path, index)))
            return items
        return _scalar(node)

    def _mapping(self, node: MappingNode, path: tuple[Any, ...]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        seen: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            here = _pos(key_node)
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(here, path, "merge keys (<<) are not allowed: write the keys out")
                continue
            key = _scalar(key_node) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                self._problem(here, path, f"keys must be text, got {key_node.value!r}")
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
            self.marks[(*path, key)] = _Marks(here, _pos(value_node))
            result[key] = self.convert(value_node, (*path, key))
        return result

    def _problem(self, where: tuple[int, int], path: Iterable[Any], message: str) -> None:
        dotted = ".".join(str(p) for p in path)
        self.problems.append(Problem(self.name, where[0], where[1], dotted, message))


def _pos(node: Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _scalar(node: Node) -> Any:
    text = str(node.value)
    tag = node.tag
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return text.lower() == "true"
    if tag == "tag:yaml.org,2002:int":
        try:
            return int(text.replace("_", ""), 0)
        except ValueError:
            return int(text.replace("_", ""), 10)
    if tag == "tag:yaml.org,2002:float":
        try:
            return _Number(float(text.replace("_", "")), text)
        except ValueError:
            return text
    return text  # strings, and timestamps kept as written (pydantic parses them)
