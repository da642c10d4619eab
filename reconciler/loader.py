"""The only reader of manifest files: YAML text -> `Manifest`, or a `ManifestError` that
lists every problem with file:line:column and the field path.

The steps, each in its own module: find the files and read them within a size bound
(`manifest_files`), compose the YAML within bounds (`yaml_bounds`), turn nodes into plain
values with the position of each (`yaml_values`), then validate with the models and map
pydantic's errors back to those positions (`manifest_problems`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reconciler.errors import ManifestError, Problem
from reconciler.manifest import (
    FORMATS,
    AppEntry,
    Defaults,
    Manifest,
    ManifestFile,
    Platform,
    SourceLocation,
    shown,
)
from reconciler.manifest_files import discover, read_limited
from reconciler.manifest_problems import validation_problem
from reconciler.yaml_bounds import compose
from reconciler.yaml_values import Marks, convert

__all__ = ["DEFAULT_PATH", "discover", "load_manifest", "load_text", "read_text"]

DEFAULT_PATH = Path("releases.yaml")
_Loaded = dict[str, tuple[AppEntry, SourceLocation]]


def load_manifest(paths: Sequence[Path]) -> Manifest:
    """Read every manifest under `paths` into one Manifest, or raise ManifestError."""
    files, problems = discover(paths)
    loaded: list[tuple[str, AppEntry, SourceLocation]] = []
    for file in files:
        in_file, file_problems = _load_file(file)
        problems.extend(file_problems)
        loaded += [(b, entry, where) for b, (entry, where) in in_file.items()]
    return _combined(loaded, problems)


def load_text(text: str, name: str) -> Manifest:
    """One manifest's text, as a file of that name would load (`import` checks what it
    writes with this), or raise ManifestError."""
    loaded, problems = _load_text(text, name)
    return _combined([(b, entry, where) for b, (entry, where) in loaded.items()], problems)


def read_text(path: Path) -> str:
    """A manifest file's text, read as the loader reads it (size bound, UTF-8 with or without
    a BOM, line ends kept), or raise ManifestError."""
    raw, unreadable = read_limited(path)
    if raw is None:
        raise ManifestError([unreadable] if unreadable else [])
    text, undecodable = _decode(raw, str(path))
    if text is None:
        raise ManifestError([undecodable] if undecodable else [])
    return text


def _combined(
    loaded: list[tuple[str, AppEntry, SourceLocation]], problems: list[Problem]
) -> Manifest:
    """One Manifest of every app loaded, in the order read; an app declared twice (also in
    another letter case) is a problem."""
    apps: dict[str, AppEntry] = {}
    locations: dict[str, SourceLocation] = {}
    first_spelling: dict[str, str] = {}  # Apple's bundle ids ignore letter case
    for bundle_id, entry, where in loaded:
        known = first_spelling.get(bundle_id.lower())
        if known is not None:
            problems.append(_declared_twice(bundle_id, where, known, locations[known]))
            continue
        first_spelling[bundle_id.lower()] = bundle_id
        apps[bundle_id] = entry
        locations[bundle_id] = where
    if problems:
        raise ManifestError(problems)
    order = sorted(apps)
    return Manifest(apps={b: apps[b] for b in order}, locations={b: locations[b] for b in order})


def _declared_twice(
    bundle_id: str, where: SourceLocation, known: str, first: SourceLocation
) -> Problem:
    message = f"app declared twice: also at {first}"
    if known != bundle_id:
        message += f" as {known} (bundle ids do not differ by letter case alone)"
    return Problem(where.file, where.line, where.column, f"apps.{bundle_id}", message)


def _load_file(path: Path) -> tuple[_Loaded, list[Problem]]:
    name = str(path)
    raw, unreadable = read_limited(path)
    if raw is None:
        return {}, [unreadable] if unreadable else []
    text, undecodable = _decode(raw, name)
    if text is None:
        return {}, [undecodable] if undecodable else []
    return _load_text(text, name)


def _load_text(text: str, name: str) -> tuple[_Loaded, list[Problem]]:
    root, problems = compose(text, name)
    if problems:
        return {}, problems
    if root is None:
        return {}, [Problem(name, 1, 1, "", "file is empty: a manifest starts with `format: 1`")]
    data, marks, problems = convert(root, name)
    if problems:
        return {}, problems
    if not isinstance(data, dict):
        return {}, [
            Problem(name, 1, 1, "", "expected a mapping with `format` and `apps` at the top")
        ]
    return _validate(name, data, marks)


def _decode(raw: bytes, name: str) -> tuple[str | None, Problem | None]:
    if raw[:2].count(0):  # a manifest starts with ASCII; NUL first means UTF-16 or UTF-32
        return None, Problem(
            name, 1, 1, "", "not UTF-8 text (UTF-16 or UTF-32?): save the file as UTF-8"
        )
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return None, Problem(name, line, column, "", "not UTF-8 text: save the file as UTF-8")


def _validate(
    name: str, data: dict[str, Any], marks: dict[tuple[Any, ...], Marks]
) -> tuple[_Loaded, list[Problem]]:
    format_problem = _check_format(name, data, marks)
    if format_problem:
        return {}, [format_problem]
    date_used = _fill_defaults(data, marks)
    try:
        manifest_file = ManifestFile.model_validate(data)
    except ValidationError as error:
        return {}, [validation_problem(name, e, data, marks) for e in error.errors()]
    defaults = manifest_file.defaults
    if defaults and defaults.earliest_release_date and not date_used:
        line, column = marks[("defaults", "earliest_release_date")].key
        message = (
            "never used: it fills only entries with release_type scheduled that leave the "
            "date out, and this file has none; remove it or schedule an entry"
        )
        return {}, [Problem(name, line, column, "defaults.earliest_release_date", message)]
    result = {}
    for bundle_id, entry in manifest_file.apps.items():
        line, column = marks[("apps", bundle_id)].key
        result[bundle_id] = (entry, SourceLocation(file=name, line=line, column=column))
    return result, []


def _check_format(
    name: str, data: dict[str, Any], marks: dict[tuple[Any, ...], Marks]
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
    value = data["format"]
    if type(value) is int and value in FORMATS:  # not True, 1.0 or "1": one spelling only
        return None
    line, column = marks[("format",)].value
    if str(value).strip() in {str(f) for f in FORMATS} | {f"{f}.0" for f in FORMATS}:
        message = f"write `format: {known}` (a plain number), not {shown(value)}"
    else:
        message = f"unknown format {shown(value)} (formats this reconciler reads: {known})"
    return Problem(name, line, column, "format", message)


def _fill_defaults(data: dict[str, Any], marks: dict[tuple[Any, ...], Marks]) -> bool:
    """Fill each platform entry's missing keys from the file's `defaults`, when those are valid.

    A filled key keeps the position of the default, so an error it causes points there.
    An earliest_release_date default only fills entries that end up scheduled; the result
    says whether it filled any.
    """
    raw, apps = data.get("defaults"), data.get("apps")
    if raw is None or not isinstance(apps, dict):
        return False
    try:
        defaults = Defaults.model_validate(raw)
    except ValidationError:
        return False  # the full validation reports what is wrong with them
    values = {k: raw[k] for k in defaults.model_fields_set if raw.get(k) is not None}
    date_used = False
    for bundle_id, app in apps.items():
        entries = app if isinstance(app, dict) else {}
        for platform in Platform:
            entry = entries.get(platform.value)
            if not isinstance(entry, dict):
                continue
            scheduled = entry.get("release_type", values.get("release_type")) == "scheduled"
            for key, value in values.items():
                if key in entry or (key == "earliest_release_date" and not scheduled):
                    continue
                date_used |= key == "earliest_release_date"
                entry[key] = value
                marks[("apps", bundle_id, platform.value, key)] = marks[("defaults", key)]
    return date_used
