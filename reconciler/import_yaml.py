"""Imported apps -> manifest text: one document, or one per app. Pure.

Written by hand rather than by a YAML dumper, so that every choice is ours and stable: keys in
the schema's order, the version's state as a comment on each platform key, texts quoted (a
version "2.4" must not become a number), multi-line text as a `|-` block scalar, and escapes
for what a manifest file may not hold raw (control characters, U+2028 …). Every document
written here loads with `loader` and plans to "No changes" (tests/test_import_yaml.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from reconciler.importer import KEY_ORDER, ImportedApp, ImportedPlatform
from reconciler.kinds.version import normalise_date, normalise_text
from reconciler.manifest import FORMATS, Platform

__all__ = [
    "NO_VERSION",
    "app_lines",
    "key_lines",
    "key_text",
    "new_document",
    "split_documents",
    "state_comment",
]

_PLAIN_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*")
_PLAIN_VALUES = {"release_type", "earliest_release_date"}  # enum words and ISO dates
_STEP = 2
NO_VERSION = "no App Store version yet"
_HEADER = "# Imported from App Store Connect by `reconciler import`: a plan of it says No changes."


def new_document(apps: Iterable[ImportedApp], *, schema: str) -> str:
    """One manifest of every app, starting with the editor's schema line."""
    lines = [
        f"# yaml-language-server: $schema={schema}",
        _HEADER,
        f"format: {FORMATS[-1]}",
        "apps:",
    ]
    body = [line for app in apps for line in app_lines(app, indent=_STEP, step=_STEP)]
    if not body:
        lines[-1] = "apps: {}  # the account has no apps this key can see"
    return "\n".join(lines + body) + "\n"


def split_documents(
    apps: Iterable[ImportedApp], *, schema_for: Callable[[str], str]
) -> dict[str, str]:
    """One manifest per app, by file name: the last part of the bundle id (`weather.yaml`), or
    the whole id where two apps would share a name. `schema_for(name)` is the schema line's
    path as seen from that file."""
    apps = list(apps)
    short_names = [app.bundle_id.rsplit(".", 1)[-1].lower() for app in apps]
    files = {}
    for app, short_name in zip(apps, short_names, strict=True):
        name = short_name if short_names.count(short_name) == 1 else app.bundle_id.lower()
        files[f"{name}.yaml"] = new_document([app], schema=schema_for(f"{name}.yaml"))
    return files


def app_lines(
    app: ImportedApp,
    *,
    indent: int,
    step: int,
    defaults: Mapping[str, Any] | None = None,
) -> list[str]:
    """An app's entry under `apps:`; with a file's `defaults`, values they give are not
    repeated."""
    pad, inner = " " * indent, " " * (indent + step)
    if app.refused:
        return [f"{pad}# {_comment(app.bundle_id)}: left out: {_comment(app.refused)}"]
    lines = [f"{pad}{key_text(app.bundle_id)}:"]
    if app.app_id:
        lines.append(f"{inner}app_id: {_quoted(app.app_id)}")
    for platform in Platform:
        entry = app.platforms.get(platform)
        if platform in app.unreadable:
            lines.append(
                f"{inner}# {platform.value}: left out: {_comment(app.unreadable[platform])}"
            )
            continue
        if entry is None:
            lines.append(f"{inner}# {platform.value}: {NO_VERSION}")
            continue
        lines += platform_lines(platform, entry, indent=indent + step, step=step, defaults=defaults)
    return lines


def platform_lines(
    platform: Platform,
    entry: ImportedPlatform,
    *,
    indent: int,
    step: int,
    defaults: Mapping[str, Any] | None = None,
) -> list[str]:
    """A platform entry, its state as a comment on the key."""
    lines = [f"{' ' * indent}{platform.value}:  {state_comment(entry)}"]
    for key, value in entry_values(entry, defaults).items():
        lines += key_lines(key, value, indent=indent + step, step=step)
    lines += [f"{' ' * (indent + step)}# left out: {_comment(why)}" for why in entry.left_out]
    return lines


def entry_values(entry: ImportedPlatform, defaults: Mapping[str, Any] | None) -> dict[str, Any]:
    """The values to write, given a file's defaults: one a default gives is left out, and a
    copyright the version lacks is written empty so the default does not fill it in."""
    values = dict(entry.values)
    for key, default in (defaults or {}).items():
        if default is None:
            continue
        if key in values and same_as_default(key, values[key], default):
            del values[key]
        elif key == "copyright" and key not in values:
            values[key] = ""
    return {key: values[key] for key in KEY_ORDER if key in values}


def same_as_default(key: str, value: Any, default: Any) -> bool:
    """Whether a file's default gives this value (compared as plan compares them)."""
    if key == "earliest_release_date":
        try:
            return normalise_date(str(default)) == normalise_date(str(value))
        except ValueError:
            return False
    if key == "copyright":
        return isinstance(default, str) and normalise_text(default) == normalise_text(value)
    return isinstance(default, str) and default.lower() == str(value).lower()


def state_comment(entry: ImportedPlatform) -> str:
    """`# PREPARE_FOR_SUBMISSION`, `# READY_FOR_DISTRIBUTION (live)` …"""
    live = " (live)" if entry.state == "READY_FOR_DISTRIBUTION" else ""
    return f"# {entry.state}{live}"


def key_lines(key: str, value: Any, *, indent: int, step: int) -> list[str]:
    """One key and its value: a mapping of texts nests, multi-line text is a block scalar."""
    pad = " " * indent
    if isinstance(value, dict):
        lines = [f"{pad}{key_text(key)}:"]
        for name, text in value.items():
            lines += key_lines(name, text, indent=indent + step, step=step)
        return lines
    if isinstance(value, bool):
        return [f"{pad}{key}: {'true' if value else 'false'}"]
    if key in _PLAIN_VALUES or key == "phased_release":
        return [f"{pad}{key}: {value}"]
    if _fits_a_block(value):
        return [f"{pad}{key_text(key)}: |-"] + [
            f"{pad}{' ' * step}{line}" if line else "" for line in value.split("\n")
        ]
    return [f"{pad}{key_text(key)}: {_quoted(value)}"]


def _fits_a_block(text: str) -> bool:
    # Only text a block scalar gives back exactly, and an editor does not change on save:
    # several lines of printable characters, none ending in white space.
    lines = text.split("\n")
    return (
        len(lines) > 1
        and not lines[0][:1].isspace()
        and all(line.isprintable() and line == line.rstrip() for line in lines)
    )


def _quoted(text: str) -> str:
    # JSON's string syntax is YAML's double-quoted one; escape what a manifest may not hold
    # raw (json leaves these as they are with ensure_ascii off).
    quoted = json.dumps(text, ensure_ascii=False)
    return "".join(c if c.isprintable() else _escape(c) for c in quoted)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _comment(text: str) -> str:
    """Text for a comment: on one line, printable."""
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def key_text(name: str) -> str:
    """A mapping key as written: plain where YAML reads it as text, else quoted."""
    return name if _PLAIN_KEY.fullmatch(name) and name.lower() not in _WORDS else _quoted(name)


# Keys YAML would read as something other than text.
_WORDS = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"}
