"""`reconciler schema`: print or write the manifest JSON Schema."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from reconciler.exit_codes import ExitCode
from reconciler.files import write_atomically
from reconciler.schema import manifest_schema_text

__all__ = ["schema"]


def schema(*, out_path: Path | None, out: TextIO) -> ExitCode:
    text = manifest_schema_text()
    if out_path is None:
        out.write(text)
    else:
        write_atomically(out_path, text)
        out.write(f"wrote {out_path}\n")
    return ExitCode.OK
