"""pydantic's validation errors -> manifest Problems: the position in the file, the field
path as the user wrote it, and a message that says what to write instead."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel

from reconciler.errors import Problem
from reconciler.manifest import (
    BUNDLE_ID_MAX_LENGTH,
    AppEntry,
    Defaults,
    ManifestFile,
    Platform,
    PlatformRelease,
    shown,
)
from reconciler.yaml_values import Marks

__all__ = ["validation_problem"]

# Discriminator tags that pydantic puts into error locations; they are not manifest keys.
_UNION_TAGS = {"absent", "release"}
_PLATFORMS = {p.value for p in Platform}
_FIELD_MODELS: dict[int, type[BaseModel]] = {0: ManifestFile, 2: AppEntry, 3: PlatformRelease}


def validation_problem(
    name: str, error: Any, data: dict[str, Any], marks: dict[tuple[Any, ...], Marks]
) -> Problem:
    """One pydantic error of ManifestFile validation, placed at its key or value."""
    loc = list(error["loc"])
    # The union tag follows the platform key (apps.<id>.<platform>.<tag>.…); removing it by
    # position keeps a user's own key that happens to be called `release`.
    if len(loc) > 3 and loc[0] == "apps" and loc[2] in _PLATFORMS and loc[3] in _UNION_TAGS:
        del loc[3]
    about_key = "[key]" in loc
    key = tuple(part for part in loc if part != "[key]")
    node = _lookup(data, key)
    kind = error["type"]
    if kind == "missing":
        spot = marks[key[:-1]].key if key[:-1] in marks else (1, 1)
    elif key not in marks:
        spot = (1, 1)
    elif kind == "extra_forbidden" or about_key or isinstance(node, dict | list):
        spot = marks[key].key  # a mapping is named by its key ("ios:"), a scalar by its value
    else:
        spot = marks[key].value
    return Problem(name, spot[0], spot[1], ".".join(str(p) for p in key), _message(error, key))


def _lookup(data: Any, key: tuple[Any, ...]) -> Any:
    node = data
    for part in key:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _message(error: Any, key: tuple[Any, ...]) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        return _unknown_key(key)
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
