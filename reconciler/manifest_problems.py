"""pydantic's validation errors -> manifest Problems: the position in the file, the field
path as the user wrote it, and a message that says what to write instead."""

from __future__ import annotations

import difflib
import types
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, Tag

from reconciler.errors import Problem
from reconciler.manifest import (
    BUNDLE_ID_MAX_LENGTH,
    AppEntry,
    ManifestFile,
    Platform,
    shown,
)
from reconciler.yaml_values import Marks

__all__ = ["Location", "locate", "validation_problem"]

_PLATFORMS = {p.value for p in Platform}
_KEY_MARKER = "[key]"  # pydantic: the error is about the dict key just before it


def validation_problem(
    name: str,
    error: Any,
    data: dict[str, Any],
    marks: dict[tuple[Any, ...], Marks],
    model: type[BaseModel] = ManifestFile,
) -> Problem:
    """One pydantic error of `model` validation (a manifest file), placed at its key or value."""
    where = locate(model, tuple(error["loc"]))
    key = where.key
    node = _lookup(data, key)
    kind = error["type"]
    if kind == "missing":
        spot = marks[key[:-1]].key if key[:-1] in marks else (1, 1)
    elif key not in marks:
        spot = (1, 1)
    elif kind == "extra_forbidden" or where.about_key or isinstance(node, dict | list):
        spot = marks[key].key  # a mapping is named by its key ("ios:"), a scalar by its value
    else:
        spot = marks[key].value
    message = _message(error, where)
    return Problem(name, spot[0], spot[1], ".".join(str(p) for p in key), message)


@dataclass(frozen=True)
class Location:
    """Where a pydantic error is, in the user's terms."""

    key: tuple[Any, ...]  # the path as written: no union tags or labels, no [key] markers
    about_key: bool  # the error is about the last key itself (a bundle id), not its value
    owner: type[BaseModel] | None  # the model whose fields the last key is (or is not) one of


def locate(model: type[BaseModel], loc: tuple[Any, ...]) -> Location:
    """Walk the model's field types along pydantic's `loc`: through models, dicts, lists,
    Optional and unions, dropping the parts that are pydantic's rather than the user's."""
    key: list[Any] = []
    here = _members(model)  # the types the value at `key` may have
    owner: type[BaseModel] | None = None
    about_key = via_dict = False
    for part in loc:
        if part == _KEY_MARKER and via_dict:
            about_key = True
            continue
        if len(here) > 1:  # pydantic names the union member first: a Tag, or a type's label
            here = _member(here, part)
            continue
        owner = next((t for t, _ in here if _is_model(t)), None)
        via_dict = any(_is_dict(t) for t, _ in here)
        here = [m for t, _ in here for m in _step(t, part)]
        key.append(part)
    return Location(tuple(key), about_key, owner)


_Member = tuple[Any, str | None]  # a type, and its Tag in a discriminated union


def _members(annotation: Any, tag: str | None = None) -> list[_Member]:
    """The types a value of `annotation` may have: Annotated, Optional and unions unwrapped."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *metadata = get_args(annotation)
        tags = [m.tag for m in metadata if isinstance(m, Tag)]
        return _members(inner, tags[0] if tags else tag)
    if origin is Union or origin is types.UnionType:
        return [m for arg in get_args(annotation) for m in _members(arg, tag)]
    return [] if annotation is type(None) else [(annotation, tag)]


def _member(here: list[_Member], label: Any) -> list[_Member]:
    """The union member that pydantic's `label` names (by Tag, or by a model's name)."""
    chosen: list[_Member] = [
        (t, None) for t, tag in here if label in {tag, getattr(t, "__name__", None)}
    ]
    return chosen or [(t, None) for t, _ in here if not _is_model(t)]


def _step(annotation: Any, part: Any) -> list[_Member]:
    """The types of the value under `part` in a value of type `annotation`."""
    if _is_model(annotation):
        field = annotation.model_fields.get(part)
        return _members(field.annotation) if field is not None else []
    origin: Any = get_origin(annotation)
    args = get_args(annotation)
    if _is_dict(annotation) and len(args) == 2:
        return _members(args[1])
    if origin in {list, tuple, set, frozenset} and args and isinstance(part, int):
        return _members(args[0])
    return []


def _is_dict(annotation: Any) -> bool:
    origin: Any = get_origin(annotation)
    return origin is dict


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _lookup(data: Any, key: tuple[Any, ...]) -> Any:
    node = data
    for part in key:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _message(error: Any, where: Location) -> str:
    key, kind, value = where.key, error["type"], error.get("input")
    if kind == "extra_forbidden":
        return _unknown_key(key[-1], where.owner)
    if kind == "missing":
        return "missing: this key is required"
    if kind == "string_pattern_mismatch":
        return _pattern_message(key, value)
    if kind == "string_too_long" and len(key) == 2 and key[0] == "apps":
        return (
            f"{shown(value)} is not a bundle id: it is {len(value)} characters long, "
            f"Apple allows at most {BUNDLE_ID_MAX_LENGTH}"
        )
    platform_level = len(key) == 3 and key[0] == "apps" and key[-1] in _PLATFORMS
    if platform_level and kind in {"literal_error", "model_type", "dict_type"}:
        return f'expected a mapping with `version`, or "absent"; got {shown(value)}'
    if kind == "enum":
        return f"unknown value {shown(value)}: expected one of {error['ctx']['expected']}"
    if kind == "timezone_aware":
        return f"{shown(value)} has no UTC offset: write it like 2026-12-01T09:00:00-08:00 or ...Z"
    if kind.startswith("datetime"):
        return f"{shown(value)} is not a date-time: write it like 2026-12-01T09:00:00-08:00"
    if kind in {"model_type", "dict_type"}:
        return f"expected a mapping, got {shown(value)}"
    if kind == "string_type":
        return f"expected a quoted string, got {shown(value)}"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return str(error["msg"])


def _unknown_key(name: Any, model: type[BaseModel] | None) -> str:
    if model is None:
        return "unknown key"
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown key (did you mean '{close[0]}'?)"
    what = "key or platform" if model is AppEntry else "key"
    return f"unknown {what} (expected one of: {', '.join(allowed)})"


def _pattern_message(key: tuple[Any, ...], value: Any) -> str:
    if key and key[-1] == "version":
        return (
            f"{shown(value)} is not a version: use 1 to 3 dot-separated integers of at most 9 "
            'digits, without leading zeros, e.g. "2.4.0"'
        )
    if len(key) == 2 and key[0] == "apps":
        return (
            f"{shown(value)} is not a bundle id: letters, digits, hyphens and periods in "
            "reverse-DNS form, e.g. com.example.app"
        )
    if key and key[-1] == "app_id":
        return f"{shown(value)} is not an app id: Apple's app ids are digits only (at most 19)"
    return f"{shown(value)} does not have the expected form"
