"""Which files a list of paths names, and their bytes, read within a size bound.

A folder is searched for `*.yaml` and `*.yml` in any letter case. In a folder, an entry
with such a name that is not a regular file (a broken link, a FIFO) is reported, never
skipped in silence. A path given by name may be a pipe or a device, so that
`reconciler validate <(generate)` and `/dev/null` work.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from reconciler.errors import Problem
from reconciler.yaml_bounds import MAX_BYTES

__all__ = ["SUFFIXES", "discover", "read_limited"]

SUFFIXES = (".yaml", ".yml")


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand folders into their manifest files (recursively, sorted, hidden folders skipped).

    A file named twice, by two spellings or through a link, is read once.
    """
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found, trouble = _folder(path)
            if not found and not trouble:
                problems.append(_whole(path, "folder holds no manifest (*.yaml or *.yml)"))
            files.extend(found)
            problems.extend(trouble)
        elif path.is_symlink() and not path.exists():
            problems.append(_broken_link(path))
        elif path.exists():
            problem = _unreadable_kind(path)
            if problem:
                problems.append(problem)
            else:
                files.append(path)
        else:
            problems.append(_whole(path, "no such file or folder"))
    return _unique(files), problems


def read_limited(path: Path) -> tuple[bytes | None, Problem | None]:
    """The file's bytes, or the problem: unreadable, or larger than MAX_BYTES."""
    try:
        # O_NONBLOCK: opening a FIFO nobody writes to must not hang; reads block again
        # below, and such a FIFO then reads as empty.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        return None, _whole(path, f"cannot read: {error.strerror or error}")
    if len(data) > MAX_BYTES:
        return None, _whole(
            path,
            f"larger than {MAX_BYTES // (1024 * 1024)} MiB, the most a manifest file may hold: "
            "split it into several files in a folder",
        )
    return data, None


def _folder(folder: Path) -> tuple[list[Path], list[Problem]]:
    found: list[Path] = []
    problems: list[Problem] = []
    for path in sorted(folder.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        if hidden or path.suffix.lower() not in SUFFIXES or path.is_dir():
            continue
        if path.is_file():
            found.append(path)
        elif path.is_symlink() and not path.exists():
            problems.append(_broken_link(path))
        else:
            problems.append(
                _whole(path, f"not a regular file ({_kind(path)}): a folder's manifests are files")
            )
    return found, problems


def _unreadable_kind(path: Path) -> Problem | None:
    """A socket or a disk given by name is refused; files, pipes and other devices are read."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        return _whole(path, f"cannot read: {error.strerror or error}")
    if stat.S_ISSOCK(mode) or stat.S_ISBLK(mode):
        return _whole(path, f"not a regular file ({_kind(path)})")
    return None


def _kind(path: Path) -> str:
    try:
        mode = path.stat().st_mode
    except OSError:
        return "unreadable"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def _broken_link(path: Path) -> Problem:
    try:
        target = str(path.readlink())
    except OSError:
        target = "?"
    return _whole(path, f"broken symbolic link (to {target}, which cannot be reached)")


def _unique(files: list[Path]) -> list[Path]:
    """`files` without repeats, by identity on disk, keeping the first spelling."""
    seen: dict[object, Path] = {}
    for path in files:
        try:
            info = path.stat()
            identity: object = (info.st_dev, info.st_ino)
        except OSError:
            identity = path
        seen.setdefault(identity, path)
    return list(seen.values())


def _whole(path: Path, message: str) -> Problem:
    return Problem(str(path), 0, 0, "", message)
