"""Writing files so that a crash never leaves half a file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from reconciler.errors import UsageError

__all__ = ["write_atomically"]


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename it over `path`.
    The text is written as it is (line ends too); a symlink's target is what is replaced, and
    it keeps its mode (a new file gets the umask's)."""
    try:
        _write(path, text)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def _write(path: Path, text: str) -> None:
    path = path.resolve() if path.is_symlink() else path
    if path.is_dir():
        raise IsADirectoryError(21, "it is a folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        Path(temp).chmod(mode)  # mkstemp makes it 0600
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it; set straight back
    os.umask(mask)
    return mask
