"""`reconciler validate`: check manifests offline and report every problem at once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from reconciler.annotations import error_annotations
from reconciler.errors import ManifestError, Problem
from reconciler.exit_codes import ExitCode
from reconciler.loader import load_manifest

__all__ = ["validate"]


def validate(
    paths: Sequence[Path], *, output: str, github: bool, out: TextIO, err: TextIO
) -> ExitCode:
    """OK with a summary line when valid; ERROR with every problem listed when not."""
    try:
        manifest = load_manifest(paths)
    except ManifestError as error:
        _report(error.problems, output=output, github=github, out=out, err=err)
        return ExitCode.ERROR
    if output == "json":
        out.write(json.dumps({"valid": True, "errors": []}) + "\n")
    else:
        apps = len(manifest.apps)
        entries = manifest.platform_count()
        out.write(
            f"{apps} app{'s' if apps != 1 else ''}, "
            f"{entries} platform entr{'ies' if entries != 1 else 'y'}, valid\n"
        )
    return ExitCode.OK


def _report(
    problems: Sequence[Problem], *, output: str, github: bool, out: TextIO, err: TextIO
) -> None:
    if github:  # on stderr, so that JSON on stdout stays parseable
        for line in error_annotations(problems):
            err.write(line + "\n")
    if output == "json":
        errors = [
            {
                "file": p.file,
                "line": p.line,
                "column": p.column,
                "path": p.path,
                "message": p.message,
            }
            for p in problems
        ]
        out.write(json.dumps({"valid": False, "errors": errors}, indent=2) + "\n")
        return
    for problem in problems:
        out.write(f"{problem}\n")
    count = len(problems)
    out.write(f"{count} problem{'s' if count != 1 else ''} found; the manifest is not valid.\n")
