"""`reconciler import`: write a manifest of what App Store Connect holds, so that a plan of it
right away says "No changes". It reads as plan reads and never writes to App Store Connect.

One file (`--out`, or standard output), one file per app (`--split DIR`), or the named apps
refreshed in an existing manifest, keeping everything a person wrote there (`--update`). An
existing file is never overwritten without `--update` or `--force`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from reconciler.commands.session import Connection, open_client, request_summary
from reconciler.errors import ManifestError, UsageError
from reconciler.exit_codes import ExitCode
from reconciler.files import write_atomically
from reconciler.import_reader import read_for_import
from reconciler.import_update import update_document
from reconciler.import_yaml import new_document, split_documents
from reconciler.importer import ImportedApp, imported_apps
from reconciler.loader import load_text, read_text

__all__ = ["ImportOptions", "import_manifest"]

SCHEMA = Path("schemas") / "manifest.schema.json"
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class ImportOptions:
    bundle_ids: Sequence[str] = field(default_factory=tuple)
    every_app: bool = False  # --all
    out_file: Path | None = None
    update_file: Path | None = None
    split_dir: Path | None = None
    force: bool = False
    parallelism: int = 1


def import_manifest(
    options: ImportOptions, connection: Connection, *, out: TextIO, err: TextIO
) -> ExitCode:
    """Read, then write the manifest where the options say; OK, or a UsageError."""
    _check(options)
    refreshed = _read_update_file(options.update_file) if options.update_file else None
    names = None if options.every_app else list(dict.fromkeys(options.bundle_ids))
    if refreshed is not None and not names and not options.every_app:
        names = list(refreshed.bundle_ids)  # --update FILE alone: the apps the file declares
    with open_client(connection, err=err) as client:
        state = read_for_import(
            client, names, parallelism=options.parallelism, on_apps=_progress(err)
        )
    apps = imported_apps(state)
    err.write(request_summary(client) + "\n")
    for line in (w for app in apps for w in app.warnings()):
        err.write(f"warning: {line}: a manifest cannot hold it, so it is not managed\n")
    where = _write(options, apps, connection.cwd, out, refreshing=refreshed)
    entries = sum(len(app.platforms) for app in apps)
    if where:
        sandbox = " --sandbox" if connection.sandbox else ""
        err.write(
            f"Imported {len(apps)} app{'s' if len(apps) != 1 else ''} ({entries} platform "
            f"entr{'ies' if entries != 1 else 'y'}) into {where}: `reconciler plan {where}"
            f"{sandbox}` says No changes.\n"
        )
        if not (connection.cwd / SCHEMA).exists():
            err.write(
                f"Editors read the schema line at its top: `reconciler schema --out {SCHEMA}` "
                "writes that file.\n"
            )
    return ExitCode.OK


def _check(options: ImportOptions) -> None:
    if options.every_app and options.bundle_ids:
        raise UsageError("import: name the apps (BUNDLE_ID ...) or pass --all, not both")
    if not (options.every_app or options.bundle_ids or options.update_file):
        raise UsageError("import: name the apps (BUNDLE_ID ...), or pass --all")
    targets = [t for t in (options.out_file, options.update_file, options.split_dir) if t]
    if len(targets) > 1:
        raise UsageError("import: use one of --out, --update and --split")
    if options.update_file is not None and not options.update_file.is_file():
        raise UsageError(f"import --update: {options.update_file} is not a file to refresh")
    if options.out_file is not None and options.out_file.exists() and not options.force:
        raise UsageError(
            f"import: {options.out_file} exists: refresh it with --update, or replace it "
            "with --force"
        )


@dataclass(frozen=True)
class _Refreshed:
    """The file `--update` refreshes: its text, and what it declares."""

    path: Path
    text: str
    bundle_ids: tuple[str, ...]  # the apps it declares
    bom: bool  # the file starts with a UTF-8 byte order mark, kept when it is written back


def _read_update_file(path: Path) -> _Refreshed:
    """The file to refresh, which must load as validate loads it: a refresh keeps all the
    rest of it. A ManifestError is the file's own problems."""
    text = read_text(path)  # within the size bound, line ends as they are
    manifest = load_text(text, str(path))
    with path.open("rb") as handle:
        bom = handle.read(3) == BOM
    return _Refreshed(path, text, tuple(sorted(manifest.apps)), bom)


def _write(
    options: ImportOptions,
    apps: list[ImportedApp],
    cwd: Path,
    out: TextIO,
    *,
    refreshing: _Refreshed | None,
) -> str:
    """Write the manifest; where it went ("" for standard output). Every text is loaded back
    first, so nothing is written unless all of it is a manifest."""
    if refreshing is not None:
        path = refreshing.path
        try:
            text = update_document(refreshing.text, apps, name=str(path))
        except ValueError as error:
            raise UsageError(f"import --update: {error}") from None
        _loads(text, str(path), refreshing=True)
        write_atomically(path, ("\ufeff" if refreshing.bom else "") + text)
        return str(path)
    if options.split_dir is not None:
        folder = options.split_dir
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"import --split: {folder} is not a folder")
        files = split_documents(apps, schema_for=lambda name: _schema_line(cwd, folder / name))
        folders = [name for name in files if (folder / name).is_dir()]
        if folders:
            raise UsageError(
                f"import --split: {', '.join(str(folder / n) for n in folders)}: a folder is "
                "in the way of the file to write; nothing was written"
            )
        existing = [name for name in files if (folder / name).exists()]
        if existing and not options.force:
            raise UsageError(
                f"import --split: {', '.join(str(folder / n) for n in existing)} exist(s): "
                "replace with --force, or refresh one with --update"
            )
        for name, text in files.items():
            _loads(text, str(folder / name))
        for name, text in files.items():
            write_atomically(folder / name, text)
        return str(folder)
    if options.out_file is not None:
        text = new_document(apps, schema=_schema_line(cwd, options.out_file))
        _loads(text, str(options.out_file))
        write_atomically(options.out_file, text)
        return str(options.out_file)
    text = new_document(apps, schema=SCHEMA.as_posix())
    _loads(text, "<stdout>")
    out.write(text)
    return ""


def _loads(text: str, name: str, *, refreshing: bool = False) -> None:
    try:
        load_text(text, name)
    except ManifestError as error:
        if refreshing:  # e.g. a default only the refreshed apps used
            raise UsageError(
                f"import --update: the refreshed file would not load, so it was not written:\n"
                f"{error}\nFix what it names in the file (a default only the refreshed apps "
                "used can go), then run import --update again; or write a new file with --out."
            ) from None
        raise RuntimeError(f"import wrote a manifest that does not load: {error}") from None


def _progress(err: TextIO) -> Callable[[int], None] | None:
    """On a terminal, a line once the account's apps are listed: the rest takes a while."""
    if not err.isatty():
        return None

    def report(count: int) -> None:
        if count > 20:
            err.write(f"Found {count} apps; reading each one's versions and texts…\n")
            err.flush()

    return report


def _schema_line(cwd: Path, file: Path) -> str:
    """The schema as seen from where the file is written: `schemas/manifest.schema.json` of
    the folder import runs in (`reconciler schema --out` writes it there)."""
    folder = (cwd / file).parent
    return Path(os.path.relpath(cwd / SCHEMA, folder)).as_posix()
